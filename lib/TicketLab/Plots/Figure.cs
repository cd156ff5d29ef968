using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// A chart as the suite shows it. A notebook output carries it three ways at once: the Plotly figure JSON
/// (application/vnd.plotly.v1+json, drawn interactively and offline by VS Code's and JupyterLab's Plotly renderer),
/// a static PNG (image/png, what GitHub and other static viewers show; needs a local Chromium, see
/// <see cref="StaticImages"/>), and its title as text. No output refers to a CDN. The formatters are found by
/// .NET Interactive's naming convention, so the library needs no kernel reference.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = [Figure.PlotlyMimeType, "image/png", "text/plain"])]
public sealed class Figure(GenericChart chart, string title, int width, int height)
{
    /// <summary>The MIME type of Plotly figure JSON.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";

    readonly Lazy<string?> png = new(() => StaticImages.TryRenderPng(chart, width, height));

    /// <summary>The Plotly.NET chart.</summary>
    public GenericChart Chart { get; } = chart;

    /// <summary>The chart's title (also used in file names).</summary>
    public string Title { get; } = title;

    /// <summary>Width in pixels.</summary>
    public int Width { get; } = width;

    /// <summary>Height in pixels.</summary>
    public int Height { get; } = height;

    /// <summary>The figure as Plotly JSON ({"data": [...], "layout": {...}}).</summary>
    public string ToJson() => GenericChart.toFigureJson(Chart);

    /// <summary>The static image as base64 PNG (drawn once), or null when no browser could draw it.</summary>
    public string? PngBase64 => png.Value;

    /// <summary>An HTML fragment that draws the chart with a plotly.js the page has already loaded (see <see cref="PlotlyJs"/>).</summary>
    public string ToHtml(string elementId) =>
        $"<div id=\"{elementId}\" class=\"ticketlab-figure\" style=\"width:{Width}px;max-width:100%;height:{Height}px\"></div>"
        + $"<script>(function(){{var f={ToJson()};Plotly.newPlot('{elementId}',f.data,f.layout,{{displaylogo:false,responsive:true}});}})();</script>";
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
        yield return new FigureFormatter(Figure.PlotlyMimeType, f => f.ToJson());
        yield return new FigureFormatter("image/png", f => f.PngBase64);
        yield return new FigureFormatter("text/plain", f => f.PngBase64 is null ? $"{f} ({StaticImages.Status})" : f.ToString());
    }
}

/// <summary>One convention-based formatter of <see cref="Figure"/>.</summary>
public sealed class FigureFormatter(string mimeType, Func<Figure, string?> render)
{
    /// <summary>The MIME type it writes.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>The type it formats.</summary>
    public Type Type => typeof(Figure);

    /// <summary>Writes <paramref name="instance"/> if it is a <see cref="Figure"/>.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Figure figure || render(figure) is not { } text) return false;
        writer.Write(text);
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
