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
}
