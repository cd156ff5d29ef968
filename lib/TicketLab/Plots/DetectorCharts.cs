using Plotly.NET;
using Plotly.NET.CSharp;
using TicketLab.Detectors;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace TicketLab.Plots;

/// <summary>Charts of notebook 01 (detector quality and density), in the suite's style.</summary>
public static class DetectorCharts
{
    /// <summary>Density of detectors against quality on a log scale; dotted verticals mark each class's trained best quality.</summary>
    public static Figure DensityCurves(IEnumerable<(DensityCurve Curve, Condition Condition, bool Dashed)> curves, IEnumerable<(string Class, double Quality)> marks,
        string title = "Detector density: fraction of units with quality ≥ q")
    {
        var traces = new List<GenericChart>();
        foreach (var (curve, condition, dashed) in curves)
        {
            var keep = curve.Quality.Select((q, i) => i).Where(i => curve.Mean[i] > 0).ToList();
            traces.Add(CSharpChart.Line<double, double, string>(keep.Select(i => curve.Quality[i]), keep.Select(i => curve.Mean[i]),
                Name: $"{curve.Label} ({curve.Units:N0} units)", LineColor: Color.fromString(Style.Color(condition)),
                LineDash: dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid));
            if (curve.Low.SequenceEqual(curve.High)) continue;
            var band = keep.Where(i => curve.Low[i] > 0).ToList();
            traces.Add(CSharpChart.Line<double, double, string>(band.Select(i => curve.Quality[i]), band.Select(i => curve.Low[i]),
                Name: $"{curve.Label} min over seeds", LineColor: Color.fromString(Style.Color(condition)), LineDash: StyleParam.DrawingStyle.Dot, ShowLegend: false));
            traces.Add(CSharpChart.Line<double, double, string>(band.Select(i => curve.Quality[i]), band.Select(i => curve.High[i]),
                Name: $"{curve.Label} max over seeds", LineColor: Color.fromString(Style.Color(condition)), LineDash: StyleParam.DrawingStyle.Dot, ShowLegend: false));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "detector quality q = max(AUC, 1 − AUC) of the unit's best class")
            .WithYAxisStyle<double, double, string>(TitleText: "fraction of units with quality ≥ q", AxisType: StyleParam.AxisType.Log);
        var figure = Charts.Finish(chart, title, Style.Width + 240, Style.Height + 60);
        Charts.SetAxis(figure.Chart, "yaxis", "exponentformat", "power"); // 10⁻⁵, not "10µ": these are fractions
        VerticalMarks(figure.Chart, marks.ToList());
        return figure;
    }

    /// <summary>Histograms of one unit's activation on the images of one class and on all others.</summary>
    public static Figure ActivationHistogram(float[] activations, int[] labels, int @class, string className, string title)
    {
        var inClass = activations.Where((_, i) => labels[i] == @class).Select(a => (double)a).ToArray();
        var rest = activations.Where((_, i) => labels[i] != @class).Select(a => (double)a).ToArray();
        var chart = CSharpChart.Combine([
            CSharpChart.Histogram<double, double, string>(X: rest, Name: "other classes", MarkerColor: Color.fromString(Style.Color(Condition.Init)),
                HistNorm: StyleParam.HistNorm.Probability, Opacity: 0.6),
            CSharpChart.Histogram<double, double, string>(X: inClass, Name: className, MarkerColor: Color.fromString(Style.Color(Condition.Trained)),
                HistNorm: StyleParam.HistNorm.Probability, Opacity: 0.6),
        ]).WithXAxisStyle<double, double, string>(TitleText: "activation (after ReLU)")
          .WithYAxisStyle<double, double, string>(TitleText: "fraction of images");
        var figure = Charts.Finish(chart, title, Style.Width, 360);
        Plotly.NET.CSharp.GenericChartExtensions.GetLayout(figure.Chart).SetProperty("barmode", "overlay");
        return figure;
    }

    /// <summary>First-layer weights as images (red positive, blue negative, each scaled to its own largest magnitude).</summary>
    public static Figure WeightImages(IReadOnlyList<(string Label, float[] Weights)> units, int rows = 28, int columns = 28, string title = "First-layer weights")
    {
        const int gap = 3;
        var width = units.Count * (columns + gap) - gap;
        // Gaps are 0, which the diverging scale draws white.
        var z = new double[rows][];
        for (var r = 0; r < rows; r++) z[r] = new double[width];
        for (var k = 0; k < units.Count; k++)
        {
            var w = units[k].Weights;
            var scale = Math.Max(1e-12, w.Max(v => Math.Abs(v)));
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < columns; c++)
                    z[r][k * (columns + gap) + c] = w[r * columns + c] / scale;
        }
        var chart = CSharpChart.Heatmap<double, int, int, string>(zData: z, ColorScale: StyleParam.Colorscale.RdBu, ReverseScale: true, ShowScale: false, ReverseYAxis: true)
            .WithXAxisStyle<double, double, string>(ShowGrid: false, ZeroLine: false)
            .WithYAxisStyle<double, double, string>(ShowGrid: false, ZeroLine: false);
        var figure = Charts.Finish(chart, title, Math.Min(1000, 80 + units.Count * 150), 300);
        Charts.SetAxis(figure.Chart, "xaxis", "tickvals", Enumerable.Range(0, units.Count).Select(k => k * (columns + gap) + columns / 2.0).ToArray());
        Charts.SetAxis(figure.Chart, "xaxis", "ticktext", units.Select(u => u.Label).ToArray());
        Charts.SetAxis(figure.Chart, "yaxis", "showticklabels", false);
        Charts.SetAxis(figure.Chart, "yaxis", "scaleanchor", "x");
        return figure;
    }

    /// <summary>The tail fit on a small sample against the survival curve of the large one.</summary>
    public static Figure TailCheck(float[] largeSample, TailFit smallFit, IReadOnlyList<TailCheck> checks, string className)
    {
        var sorted = largeSample.OrderByDescending(q => q).ToArray();
        var n = sorted.Length;
        var ranks = Enumerable.Range(0, 200).Select(i => (int)Math.Round(Math.Pow(n, i / 199.0))).Distinct().Where(k => k >= 1 && k <= n).ToList();
        var qMax = Math.Min(0.9999, sorted[0] + 0.02);
        var grid = Enumerable.Range(0, 60).Select(i => smallFit.ThresholdQuality + (qMax - smallFit.ThresholdQuality) * i / 59.0).ToList();
        var chart = CSharpChart.Combine([
            CSharpChart.Line<double, double, string>(ranks.Select(k => (double)sorted[k - 1]), ranks.Select(k => k / (double)n),
                Name: $"measured, {n:N0} random units", LineColor: Color.fromString(Style.Color(Condition.Init))),
            CSharpChart.Line<double, double, string>(grid, grid.Select(smallFit.Density),
                Name: $"tail fit on the first {smallFit.SampleSize:N0} units", LineColor: Color.fromString(Style.Color(Condition.Theory)), LineDash: StyleParam.DrawingStyle.Dash),
            CSharpChart.Point<double, double, string>(checks.Select(c => c.Quality), checks.Select(c => c.Predicted),
                Name: "prediction at the checked qualities (bars: 90% band)", MarkerColor: Color.fromString(Style.Color(Condition.Theory))),
            .. checks.Select(c => CSharpChart.Line<double, double, string>([c.Quality, c.Quality], [c.PredictedLow, c.PredictedHigh],
                ShowLegend: false, LineColor: Color.fromString(Style.Color(Condition.Theory)))),
        ]).WithXAxisStyle<double, double, string>(TitleText: $"quality for class {className}")
          .WithYAxisStyle<double, double, string>(TitleText: "fraction of random units with quality ≥ q", AxisType: StyleParam.AxisType.Log);
        return Charts.Finish(chart, $"Checking the tail model: fit on a small sample, compared with the large one ({className})", Style.Width + 200, Style.Height);
    }

    /// <summary>
    /// Per row (class and layer): log2 of the at-init density at the trained quality, with its band from every source,
    /// and the debate's reference numbers; an unresolved density is drawn at its bound with an open marker.
    /// </summary>
    public static Figure DensityInBits(IReadOnlyList<ClassDensity> rows, int trainedUnits)
    {
        var labels = rows.Select(r => $"{r.Class} (layer {r.Layer})").ToList();
        var traces = new List<GenericChart>();
        foreach (var layer in rows.Select(r => r.Layer).Distinct().Order())
        {
            var pick = rows.Select((r, i) => (r, i)).Where(t => t.r.Layer == layer).ToList();
            traces.Add(CSharpChart.Point<double, string, string>(pick.Select(t => t.r.InitDensityLog2), pick.Select(t => labels[t.i]),
                Name: $"random layer-{layer} units at the trained layer-{layer} quality (bars: 90% band, all sources)",
                MarkerColor: Color.fromString(Style.Color(Condition.Init)), MarkerSymbol: layer == 1 ? StyleParam.MarkerSymbol.Circle : StyleParam.MarkerSymbol.Diamond));
            traces.AddRange(pick.Select(t => CSharpChart.Line<double, string, string>([t.r.BandLog2[0], t.r.BandLog2[1]], [labels[t.i], labels[t.i]],
                ShowLegend: false, LineColor: Color.fromString(Style.Color(Condition.Init)))));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "log2(fraction of random units of the same layer at least as good)  [bits]")
            .WithYAxisStyle<double, double, string>(TitleText: "class (layer)");
        var figure = Charts.Finish(chart, "How rare trained-quality detectors are at initialization", Style.Width + 160, Style.Height + 20 * rows.Count);
        // The legend's long entries go under the plot, so the plot keeps the width.
        var legend = new DynamicObj.DynamicObj();
        foreach (var (k, v) in new (string, object)[] { ("orientation", "h"), ("x", 0), ("xanchor", "left"), ("y", -0.12), ("yanchor", "top") }) legend.SetProperty(k, v);
        Plotly.NET.CSharp.GenericChartExtensions.GetLayout(figure.Chart).SetProperty("legend", legend);
        VerticalMarks(figure.Chart, [($"1/{trainedUnits} (one per trained net)", Math.Log2(1.0 / trainedUnits)), ("1/15000 (the debate)", Math.Log2(1 / 15000.0)), ("2⁻⁵⁰ (the debate's guess)", -50)],
            Style.Color(Condition.Trained), yPaper: true);
        return figure;
    }

    /// <summary>The rare-event estimator's density-vs-quality curve per class (mean over runs), with each class's trained quality marked.</summary>
    public static Figure RareEventCurves(IReadOnlyList<RareEventCurve> curves, IReadOnlyList<ClassDensity> rows)
    {
        var traces = new List<GenericChart>();
        foreach (var (curve, index) in curves.Select((c, i) => (c, i)))
        {
            var colour = Color.fromString(Style.Quantity(index));
            var lo = curve.Runs.Min(r => r.Levels[0].Scores[0]);
            var hi = curve.Runs.Min(r => r.MaxScore);
            var grid = Enumerable.Range(0, 120).Select(i => lo + (hi - lo) * i / 119.0).Where(curve.Resolved).ToList();
            traces.Add(CSharpChart.Line<double, double, string>(grid, grid.Select(q => curve.Log2Density(q)), Name: curve.Concept, LineColor: colour));
            var row = rows.FirstOrDefault(r => r.Class == curve.Concept && r.Layer == curve.Layer);
            if (row is not null)
                traces.Add(CSharpChart.Point<double, double, string>([row.TrainedQuality], [row.InitDensityLog2], ShowLegend: false, MarkerColor: colour,
                    MarkerSymbol: StyleParam.MarkerSymbol.Diamond));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "quality q")
            .WithYAxisStyle<double, double, string>(TitleText: "log2 P(random unit has quality ≥ q)  [bits]");
        return Charts.Finish(chart, "The whole tail, measured: random units of each class's headline layer down to 2⁻⁶⁰ (diamonds: the trained quality)", Style.Width + 160, Style.Height + 60);
    }

    /// <summary>Plain Monte Carlo against the rare-event estimator on the same problem, with ±2 standard errors.</summary>
    public static Figure EstimatorValidation(IReadOnlyList<EstimatorCheck> checks)
    {
        var traces = new List<GenericChart>();
        foreach (var (group, index) in checks.GroupBy(c => c.Concept).Select((g, i) => (g, i)))
        {
            traces.Add(CSharpChart.Point<double, double, string>(group.Select(c => c.MonteCarloLog2), group.Select(c => c.RareEventLog2), Name: group.Key,
                MarkerColor: Color.fromString(Style.Quantity(index))));
            traces.AddRange(group.Select(c => CSharpChart.Line<double, double, string>([c.MonteCarloLog2, c.MonteCarloLog2],
                [c.RareEventLog2 - 2 * c.RareEventSeLog2, c.RareEventLog2 + 2 * c.RareEventSeLog2], ShowLegend: false, LineColor: Color.fromString("#999999"))));
        }
        var low = checks.Min(c => c.MonteCarloLog2) - 1;
        traces.Add(CSharpChart.Line<double, double, string>([low, 0], [low, 0], Name: "agreement", LineColor: Color.fromString("#000000"), LineDash: StyleParam.DrawingStyle.Dash));
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "plain Monte Carlo: log2 density  [bits]")
            .WithYAxisStyle<double, double, string>(TitleText: "rare-event estimator: log2 density  [bits]");
        return Charts.Finish(chart, "The rare-event estimator against plain Monte Carlo, where both reach", Style.Width, Style.Height + 60);
    }

    /// <summary>Expected number of trained-quality detectors in a random layer of a given width, per class.</summary>
    public static Figure ExpectedCountByWidth(IReadOnlyList<ClassDensity> rows)
    {
        var maxLog10 = Math.Min(300, Math.Ceiling(rows.Max(e => -e.InitDensityLog2 * Math.Log10(2))) + 1);
        var widths = Enumerable.Range(0, 61).Select(i => Math.Pow(10, 1 + (maxLog10 - 1) * i / 60.0)).ToArray();
        var traces = rows.Select((r, i) => CSharpChart.Line<double, double, string>(widths, widths.Select(w => w * Math.Pow(2, r.InitDensityLog2)), Name: $"{r.Class} (layer {r.Layer})",
            LineColor: Color.fromString(Style.Quantity(i)))).ToList();
        traces.Add(CSharpChart.Line<double, double, string>([widths[0], widths[^1]], [1.0, 1.0], Name: "one detector", LineColor: Color.fromString("#000000"), LineDash: StyleParam.DrawingStyle.Dash));
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "units in a random layer (width)", AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: "expected trained-quality detectors", AxisType: StyleParam.AxisType.Log);
        return Charts.Finish(chart, "How wide must a random layer be to hold one trained-quality detector?", Style.Width + 160, Style.Height);
    }

    /// <summary>Dotted vertical lines with labels at the given x values.</summary>
    static void VerticalMarks(GenericChart chart, List<(string Label, double X)> marks, string color = "#0072B2", bool yPaper = true)
    {
        var layout = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(chart);
        var shapes = new List<DynamicObj.DynamicObj>();
        var annotations = new List<DynamicObj.DynamicObj>();
        for (var i = 0; i < marks.Count; i++)
        {
            var shape = new DynamicObj.DynamicObj();
            foreach (var (k, v) in new (string, object)[] { ("type", "line"), ("xref", "x"), ("yref", "paper"), ("x0", marks[i].X), ("x1", marks[i].X), ("y0", 0), ("y1", 1) })
                shape.SetProperty(k, v);
            var line = new DynamicObj.DynamicObj();
            line.SetProperty("color", color);
            line.SetProperty("width", 1);
            line.SetProperty("dash", "dot");
            shape.SetProperty("line", line);
            shapes.Add(shape);
            var note = new DynamicObj.DynamicObj();
            // Written up the line, just left of it, on a white ground: marks a few bits apart no longer print over each other or the data.
            foreach (var (k, v) in new (string, object)[] { ("x", marks[i].X), ("xref", "x"), ("yref", "paper"), ("y", 1.0), ("yanchor", "top"), ("text", marks[i].Label),
                ("showarrow", false), ("textangle", -90), ("xanchor", "right"), ("bgcolor", "rgba(255,255,255,0.85)"), ("font", new Dictionary<string, object> { ["size"] = 11, ["color"] = color }) })
                note.SetProperty(k, v);
            annotations.Add(note);
        }
        layout.SetProperty("shapes", shapes);
        layout.SetProperty("annotations", annotations);
    }
}
