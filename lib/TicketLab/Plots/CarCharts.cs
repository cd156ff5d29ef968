using Plotly.NET;
using Plotly.NET.CSharp;
using TicketLab.Cars;
using TicketLab.Detectors;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace TicketLab.Plots;

/// <summary>Charts of notebook 04 (car detectors in a convnet), in the suite's style.</summary>
public static class CarCharts
{
    /// <summary>
    /// Density against quality block by block: random units at initialization (the estimator's mean curve, solid, down to what it
    /// resolved) and the trained nets' own units (dashed, pooled over seeds, down to one unit), with the trained quality marked.
    /// </summary>
    public static Figure DensityByDepth(ConceptMeasurement measured)
    {
        var traces = new List<GenericChart>();
        foreach (var curve in measured.Curves)
        {
            var colour = Color.fromString(Style.Quantity(curve.Layer - 1));
            var lo = curve.Runs.Min(r => r.Levels[0].Scores[0]);
            var hi = curve.Runs.Min(r => r.MaxScore);
            var grid = Enumerable.Range(0, 120).Select(i => lo + (hi - lo) * i / 119.0).Where(curve.Resolved).ToList();
            traces.Add(CSharpChart.Line<double, double, string>(grid, grid.Select(q => curve.Log2Density(q)), Name: $"block {curve.Layer}: random, at init", LineColor: colour));
            var trained = measured.Selected.Where(s => s.Layer == curve.Layer).SelectMany(s => s.LayerQualitiesB).Select(v => (double)v).Order().ToArray();
            if (trained.Length > 0)
            {
                // Fraction of trained units at least as good as each unit's quality: the empirical tail, in bits.
                var xs = trained.Select((q, i) => (q, Math.Log2((trained.Length - i) / (double)trained.Length))).ToList();
                traces.Add(CSharpChart.Line<double, double, string>(xs.Select(p => p.q), xs.Select(p => p.Item2), Name: $"block {curve.Layer}: trained", LineColor: colour,
                    LineDash: StyleParam.DrawingStyle.Dash));
            }
            var row = measured.Rows.FirstOrDefault(r => r.Layer == curve.Layer);
            if (row is not null)
                traces.Add(CSharpChart.Point<double, double, string>([row.TrainedQuality], [row.InitDensityLog2], ShowLegend: false, MarkerColor: colour,
                    MarkerSymbol: StyleParam.MarkerSymbol.Diamond));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "quality q (held-out max(AUC, 1 − AUC))")
            .WithYAxisStyle<double, double, string>(TitleText: "log2 fraction of units with quality ≥ q  [bits]");
        return Charts.Finish(chart, $"{measured.Concept.Name}: density against quality by depth, trained (dashed) and random (solid; diamonds: at the trained quality)",
            Style.Width + 200, Style.Height + 60);
    }

    /// <summary>The width sweep: the best random unit of each block against the base width, with each block's trained quality dotted.</summary>
    public static Figure BestRandomByWidth(IReadOnlyList<WidthRow> sweep)
    {
        var traces = new List<GenericChart>();
        foreach (var block in sweep.Select(r => r.Block).Distinct().Order())
        {
            var rows = sweep.Where(r => r.Block == block).OrderBy(r => r.BaseWidth).ToList();
            var colour = Color.fromString(Style.Quantity(block - 1));
            traces.Add(CSharpChart.Line<double, double, string>(rows.Select(r => (double)r.BaseWidth), rows.Select(r => r.BestRandomQuality), Name: $"block {block}: best random unit",
                ShowMarkers: true, LineColor: colour));
            traces.Add(CSharpChart.Line<double, double, string>([rows[0].BaseWidth, rows[^1].BaseWidth], [rows[0].TrainedQuality, rows[0].TrainedQuality],
                Name: $"block {block}: trained quality", LineColor: colour, LineDash: StyleParam.DrawingStyle.Dot));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "base width c (net c-2c-4c)", AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: "held-out quality of the best automobile unit");
        return Charts.Finish(chart, "Sufficiently big? The best random automobile unit of each block as the net widens (dotted: trained)", Style.Width + 200, Style.Height);
    }
}
