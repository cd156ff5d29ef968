using Plotly.NET;
using Plotly.NET.CSharp;
using TicketLab.Ntk;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace TicketLab.Plots;

/// <summary>Charts of notebook 02 (lazy and rich training), in the suite's style.</summary>
public static class NtkCharts
{
    /// <summary>Series against a scale variable on log-log axes, each labelled with its fitted power-law exponent.</summary>
    public static Figure Scaling(string title, string xTitle, string yTitle, IEnumerable<(string Name, string Color, double[] X, double[] Y)> series, double? theorySlope = null)
    {
        var traces = new List<GenericChart>();
        foreach (var (name, color, x, y) in series)
        {
            var slope = Fit.LogLogSlope(x, y);
            traces.Add(CSharpChart.Line<double, double, string>(x, y, Name: $"{name} (slope {slope:0.00})", ShowMarkers: true, LineColor: Color.fromString(color)));
        }
        if (theorySlope is { } s)
        {
            var all = series.SelectMany(t => t.X).Where(v => v > 0).ToList();
            var first = series.First(t => t.Y.Any(v => v > 0));
            var (x0, x1) = (all.Min(), all.Max());
            var y0 = first.Y.First(v => v > 0);
            traces.Add(CSharpChart.Line<double, double, string>([x0, x1], [y0, y0 * Math.Pow(x1 / x0, s)], Name: $"slope {s} (theory)",
                LineColor: Color.fromString(Style.Color(Condition.Theory)), LineDash: StyleParam.DrawingStyle.Dot));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: StyleParam.AxisType.Log);
        return Charts.Finish(chart, title, Style.Width + 200, Style.Height);
    }

    /// <summary>
    /// Log-log scaling with a theory line per series: each series is drawn solid with its fitted slope in the legend, and
    /// its theory exponent as a dotted line of the same colour through its first point.
    /// </summary>
    public static Figure ScalingAgainstTheory(string title, string xTitle, string yTitle, IEnumerable<(string Name, string Color, double[] X, double[] Y, double Theory)> series)
    {
        var traces = new List<GenericChart>();
        foreach (var (name, color, x, y, theory) in series)
        {
            var slope = Fit.LogLogSlope(x, y);
            traces.Add(CSharpChart.Line<double, double, string>(x, y, Name: $"{name} (slope {slope:0.00})", ShowMarkers: true, LineColor: Color.fromString(color)));
            var (x0, x1) = (x.Min(), x.Max());
            var y0 = y[Array.IndexOf(x, x0)];
            traces.Add(CSharpChart.Line<double, double, string>([x0, x1], [y0, y0 * Math.Pow(x1 / x0, theory)], Name: $"{name}: theory slope {theory:0.0}",
                LineColor: Color.fromString(color), LineDash: StyleParam.DrawingStyle.Dot));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: StyleParam.AxisType.Log);
        return Charts.Finish(chart, title, Style.Width + 200, Style.Height);
    }

    /// <summary>Test accuracy of the trained finite nets against width, with the infinite-width kernel regressions as horizontal lines.</summary>
    public static Figure AccuracyAgainstKernels(IReadOnlyList<MovementPoint> sweep, double ntkAccuracy, double nngpAccuracy)
    {
        var widths = sweep.Select(p => (double)p.Width).ToArray();
        var chart = CSharpChart.Combine([
            CSharpChart.Line<double, double, string>(widths, sweep.Select(p => p.TestAccuracy), Name: "trained finite net (NTK parametrization)", ShowMarkers: true,
                LineColor: Color.fromString(Style.Color(Condition.Lazy))),
            CSharpChart.Line<double, double, string>([widths.Min(), widths.Max()], [ntkAccuracy, ntkAccuracy], Name: "infinite width: NTK regression",
                LineColor: Color.fromString(Style.Color(Condition.Theory)), LineDash: StyleParam.DrawingStyle.Dash),
            CSharpChart.Line<double, double, string>([widths.Min(), widths.Max()], [nngpAccuracy, nngpAccuracy], Name: "infinite width: NNGP regression",
                LineColor: Color.fromString(Style.Color(Condition.Theory)), LineDash: StyleParam.DrawingStyle.Dot),
        ]).WithXAxisStyle<double, double, string>(TitleText: "hidden width", AxisType: StyleParam.AxisType.Log)
          .WithYAxisStyle<double, double, string>(TitleText: "test accuracy (fraction)");
        return Charts.Finish(chart, "Finite nets against the infinite-width kernels", Style.Width + 200, Style.Height);
    }

    /// <summary>
    /// Series against width with their 90% bands drawn as vertical bars (series are nudged apart along x so the bars do not
    /// overlap), solid or dashed, a log width axis, and a dotted zero line when <paramref name="zeroLine"/>.
    /// </summary>
    public static Figure Banded(string title, string xTitle, string yTitle, IEnumerable<(string Name, string Color, bool Dashed, double[] X, double[] Y, double[] Low, double[] High)> series,
        bool logY = false, bool zeroLine = true)
    {
        var traces = new List<GenericChart>();
        var list = series.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var (name, color, dashed, x, y, low, high) = list[i];
            var nudge = Math.Pow(1.04, i - (list.Count - 1) / 2.0);
            var xs = x.Select(v => v * nudge).ToArray();
            traces.Add(CSharpChart.Line<double, double, string>(xs, y, Name: name, ShowMarkers: true, LineColor: Color.fromString(color),
                LineDash: dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid));
            for (var j = 0; j < xs.Length; j++)
                traces.Add(CSharpChart.Line<double, double, string>([xs[j], xs[j]], [low[j], high[j]], ShowLegend: false, LineColor: Color.fromString(color)));
        }
        if (zeroLine && list.Count > 0)
        {
            var all = list.SelectMany(t => t.X).ToList();
            traces.Add(CSharpChart.Line<double, double, string>([all.Min(), all.Max()], [0, 0], Name: "no change", LineColor: Color.fromString(Style.Color(Condition.Theory)),
                LineDash: StyleParam.DrawingStyle.Dot));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return Charts.Finish(chart, title, Style.Width + 200, Style.Height);
    }
}
