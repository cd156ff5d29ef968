using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// A chart as the suite shows it. In a notebook it displays as the interactive Plotly chart (text/html); its
/// formatter is found by .NET Interactive's naming convention, so the library needs no kernel reference.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class Figure(GenericChart chart, string title)
{
    /// <summary>The Plotly.NET chart.</summary>
    public GenericChart Chart { get; } = chart;

    /// <summary>The chart's title (also used in file names).</summary>
    public string Title { get; } = title;

    /// <summary>The figure as Plotly JSON ({"data": [...], "layout": {...}}).</summary>
    public string ToJson() => GenericChart.toFigureJson(Chart);

    /// <summary>The HTML fragment a notebook shows.</summary>
    public string ToHtml() => GenericChart.toChartHTML(Chart);

    /// <summary>A self-contained page that draws the chart offline (plotly.js inlined from Plotly.NET's own copy).</summary>
    public string ToStandaloneHtml() =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + System.Net.WebUtility.HtmlEncode(Title) + "</title>"
        + "<script>" + PlotlyJs.Source + "</script></head><body style=\"margin:0\"><div id=\"figure\"></div><script>"
        + "var figure = " + ToJson() + "; Plotly.newPlot('figure', figure.data, figure.layout, {displaylogo: false});"
        + "</script></body></html>";

    /// <summary>The title, for text outputs.</summary>
    public override string ToString() => $"Figure: {Title}";
}

/// <summary>Formatters for <see cref="Figure"/>, by .NET Interactive's convention (CreateTypeFormatters, MimeType, Format).</summary>
public sealed class FigureFormatterSource
{
    /// <summary>The formatters, one per MIME type.</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new FigureFormatter("text/html", f => f.ToHtml());
        yield return new FigureFormatter("text/plain", f => f.ToString());
    }
}

/// <summary>One convention-based formatter of <see cref="Figure"/>.</summary>
public sealed class FigureFormatter(string mimeType, Func<Figure, string> render)
{
    /// <summary>The MIME type it writes.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>The type it formats.</summary>
    public Type Type => typeof(Figure);

    /// <summary>Writes <paramref name="instance"/> if it is a <see cref="Figure"/>.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Figure figure) return false;
        writer.Write(render(figure));
        return true;
    }
}

/// <summary>The plotly.js bundle that ships inside Plotly.NET (so no page needs a CDN).</summary>
public static class PlotlyJs
{
    static readonly Lazy<(string Name, string Source)> Bundle = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return (name, reader.ReadToEnd());
    });

    /// <summary>The minified source.</summary>
    public static string Source => Bundle.Value.Source;

    /// <summary>Its version, from the resource name (e.g. "2.28.0").</summary>
    public static string Version => System.Text.RegularExpressions.Regex.Match(Bundle.Value.Name, @"\d+\.\d+\.\d+").Value;
}
