using Plotly.NET;
using Plotly.NET.CSharp;
using TicketLab.Pruning;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace TicketLab.Plots;

/// <summary>Charts of notebook 03 (pruning), in the suite's style.</summary>
public static class PruningCharts
{
    /// <summary>
    /// Per class (one row each), on a log2 width axis: the width at which edge-popup yields a unit of trained quality
    /// (an open marker at the largest width measured when it never did), and the width at which a random layer contains
    /// one with probability 1/2, with its band as a bar.
    /// </summary>
    public static Figure YieldWidths(IReadOnlyList<YieldWidth> widths, int largestWidth)
    {
        var traces = new List<GenericChart>();
        var containsColor = Color.fromString(Style.Color(Condition.Init));
        traces.Add(CSharpChart.Scatter<double, string, string>(widths.Select(w => w.ContainsWidthLog2), widths.Select(w => w.Class), StyleParam.Mode.Markers,
            Name: "a random layer contains one with probability 1/2 (bar: notebook 01's density band)", MarkerColor: containsColor));
        foreach (var w in widths)
            traces.Add(CSharpChart.Line<double, string, string>(w.ContainsWidthBandLog2, [w.Class, w.Class], ShowLegend: false, LineColor: containsColor));
        var reached = widths.Where(w => w.PrunedWidth is not null).ToList();
        if (reached.Count > 0)
            traces.Add(CSharpChart.Scatter<double, string, string>(reached.Select(w => Math.Log2(w.PrunedWidth!.Value)), reached.Select(w => w.Class), StyleParam.Mode.Markers,
                Name: "edge-popup yields one (smallest width measured)", MarkerColor: Color.fromString(Style.Color(Condition.Pruned))));
        var missed = widths.Where(w => w.PrunedWidth is null).ToList();
        if (missed.Count > 0)
            traces.Add(CSharpChart.Scatter<double, string, string>(missed.Select(_ => Math.Log2(largestWidth)), missed.Select(w => w.Class), StyleParam.Mode.Markers,
                Name: $"edge-popup did not yield one up to width {largestWidth}", MarkerColor: Color.fromString(Style.Color(Condition.Control)),
                MarkerSymbol: StyleParam.MarkerSymbol.NewModified(StyleParam.MarkerSymbol.Circle, StyleParam.SymbolStyle.Open)));
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "log2 of the hidden width (units)")
            .WithYAxisStyle<double, double, string>(TitleText: "class");
        return Charts.Finish(chart, "Pruned to yield against exists at random: the width each needs for a trained-quality first-layer detector", Style.Width + 200, Style.Height);
    }

    /// <summary>The pruned-only approximation of a trained net: test accuracy and the largest layer error against the overparameterization factor.</summary>
    public static Figure StrongLth(IReadOnlyList<StrongLthRow> rows)
    {
        var x = rows.Select(r => (double)r.Overparameterization).ToArray();
        return Charts.Lines("Pruning alone approximates the trained baseline: random nets n times wider, every layer pruned, nothing trained", "n: random units per input of every layer", "test accuracy / relative layer error",
        [
            ("pruned-only network, test accuracy", Style.Color(Condition.Pruned), false, x, rows.Select(r => r.Accuracy).ToArray()),
            ("trained baseline, test accuracy", Style.Color(Condition.Trained), true, x, rows.Select(r => r.TargetAccuracy).ToArray()),
            ("largest relative layer error", Style.Color(Condition.Control), false, x, rows.Select(r => r.LayerError).ToArray()),
        ], logX: true);
    }
}
