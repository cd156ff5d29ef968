using Plotly.NET;
using TicketLab.Data;
using TicketLab.Training;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace TicketLab.Plots;

/// <summary>The charts of the suite, all in one style (<see cref="Style"/>).</summary>
public static class Charts
{
    /// <summary>A grid of the first <paramref name="perClass"/> images of each class, one row per class, labelled by class name.</summary>
    public static Figure SampleGrid(ImageSet set, int perClass = 8, string title = "Samples per class")
    {
        if (perClass is < 1 or > 50) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "accepted: 1 to 50");
        var classes = set.ClassNames.Count;
        var (rows, cols) = (set.Rows, set.Columns);
        var z = new int[classes * rows][];
        for (var r = 0; r < z.Length; r++) z[r] = new int[perClass * cols];
        var taken = new int[classes];
        for (var i = 0; i < set.Count; i++)
        {
            var label = set.Labels[i];
            if (taken[label] >= perClass) continue;
            var image = set.Image(i);
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < cols; c++)
                    z[label * rows + r][taken[label] * cols + c] = image[r * cols + c];
            taken[label]++;
        }
        var chart = CSharpChart.Heatmap<int, int, int, string>(
                zData: z, ColorScale: StyleParam.Colorscale.Greys, ShowScale: false, ReverseYAxis: true)
            .WithXAxisStyle<double, double, string>(TitleText: $"{perClass} images per class ({cols}x{rows} pixels each)", ShowGrid: false, ZeroLine: false)
            .WithYAxisStyle<double, double, string>(ShowGrid: false, ZeroLine: false);
        var figure = Finish(chart, title, Math.Min(900, 160 + perClass * 56), 140 + classes * 56);
        SetAxis(figure.Chart, "xaxis", "showticklabels", false);
        SetAxis(figure.Chart, "yaxis", "tickvals", Enumerable.Range(0, classes).Select(c => c * rows + rows / 2.0).ToArray());
        SetAxis(figure.Chart, "yaxis", "ticktext", set.ClassNames.ToArray());
        return figure;
    }

    /// <summary>Learning curve: training and test loss (left) and test accuracy (right) against epochs.</summary>
    public static Figure LearningCurve(TrainResult result, string title = "Learning curve", Condition condition = Condition.Trained)
    {
        var points = result.Curve;
        var trained = points.Where(p => !double.IsNaN(p.TrainLoss)).ToList();
        var loss = CSharpChart.Combine([
            CSharpChart.Line<double, double, string>(trained.Select(p => p.Epoch), trained.Select(p => p.TrainLoss),
                Name: "training loss", LineColor: Color.fromString(Style.Secondary(condition)), ShowMarkers: true),
            CSharpChart.Line<double, double, string>(points.Select(p => p.Epoch), points.Select(p => p.TestLoss),
                Name: "test loss", LineColor: Color.fromString(Style.Color(condition)), ShowMarkers: true),
        ]).WithXAxisStyle<double, double, string>(TitleText: "epoch").WithYAxisStyle<double, double, string>(TitleText: "loss (nats)");
        var accuracy = CSharpChart.Line<double, double, string>(points.Select(p => p.Epoch), points.Select(p => p.TestAccuracy),
                Name: "test accuracy", LineColor: Color.fromString(Style.Color(condition)), ShowMarkers: true, LineDash: StyleParam.DrawingStyle.Dash)
            .WithXAxisStyle<double, double, string>(TitleText: "epoch").WithYAxisStyle<double, double, string>(TitleText: "test accuracy (fraction)");
        var chart = CSharpChart.Grid([loss, accuracy], nRows: 1, nCols: 2);
        var figure = Finish(chart, title, Style.Width + 200, Style.Height);
        SetAxis(figure.Chart, "yaxis2", "range", new[] { 0.0, 1.0 });
        return figure;
    }

    /// <summary>Several named series as lines with markers; optional log axes and dashed series.</summary>
    public static Figure Lines(string title, string xTitle, string yTitle, IEnumerable<(string Name, string Color, bool Dashed, double[] X, double[] Y)> series,
        bool logX = false, bool logY = false)
    {
        var traces = series.Select(s =>
        {
            var keep = Enumerable.Range(0, s.X.Length).Where(i => double.IsFinite(s.Y[i]) && (!logY || s.Y[i] > 0)).ToList();
            return CSharpChart.Line<double, double, string>(keep.Select(i => s.X[i]), keep.Select(i => s.Y[i]), Name: s.Name, ShowMarkers: true,
                LineColor: Color.fromString(s.Color), LineDash: s.Dashed ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid);
        }).ToList();
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return Finish(chart, title, Style.Width + 200, Style.Height);
    }

    /// <summary>Applies the suite's size, fonts, background and title.</summary>
    public static Figure Finish(GenericChart chart, string title, int width = Style.Width, int height = Style.Height)
    {
        chart = chart.WithSize(Width: width, Height: height);
        var layout = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(chart);
        var titleObject = new DynamicObj.DynamicObj();
        titleObject.SetProperty("text", title);
        titleObject.SetProperty("x", 0.02);
        layout.SetProperty("title", titleObject);
        var font = new DynamicObj.DynamicObj();
        font.SetProperty("family", Style.FontFamily);
        font.SetProperty("size", 13);
        layout.SetProperty("font", font);
        layout.SetProperty("template", "none");
        layout.SetProperty("plot_bgcolor", "white");
        layout.SetProperty("paper_bgcolor", "white");
        // One tick format across the suite: powers of ten as 10^k (never SI prefixes such as "1µ" on a probability axis).
        // Margins grow to fit tick labels, so that no category label ("Sneaker (layer 2)") is cut off.
        foreach (var axis in new[] { "xaxis", "yaxis" })
        {
            SetAxis(chart, axis, "exponentformat", "power");
            SetAxis(chart, axis, "automargin", true);
        }
        return new Figure(chart, title, width, height);
    }

    /// <summary>Sets one property of a layout axis (e.g. "yaxis", "tickvals"), creating the axis object if needed.</summary>
    public static void SetAxis(GenericChart chart, string axis, string property, object value)
    {
        var layout = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(chart);
        var existing = layout.TryGetPropertyValue(axis);
        DynamicObj.DynamicObj axisObject;
        if (existing is not null && existing.Value is DynamicObj.DynamicObj found) axisObject = found;
        else
        {
            axisObject = new DynamicObj.DynamicObj();
            layout.SetProperty(axis, axisObject);
        }
        axisObject.SetProperty(property, value);
    }
}
