using System.Net;
using TicketLab.Plots;

namespace TicketLab.Setup;

/// <summary>The files one chart of a program became: an HTML page that draws it offline, and its PNG (null without a browser to draw it).</summary>
/// <param name="Html">Path of the HTML page.</param>
/// <param name="Png">Path of the PNG, or null when no Chromium could draw it.</param>
public sealed record FigureFile(string Html, string? Png);

/// <summary>
/// Where a notebook run as a program puts its charts and image grids: <c>figure-NN.html</c> and <c>figure-NN.png</c> in one
/// folder, numbered in the order they are shown. The pages load plotly.js from one copy beside them (Plotly.NET's own bundle,
/// written once), so they draw offline and the folder holds a single 3.6 MB script however many charts it has.
/// </summary>
public sealed class FigureFiles(string folder)
{
    const string Prefix = "figure-";
    int count;

    /// <summary>The folder the files go to.</summary>
    public string Folder { get; } = folder;

    /// <summary>How many figures were written.</summary>
    public int Count => count;

    /// <summary>The file name of the shared plotly.js beside the pages, e.g. "plotly-2.28.0.min.js".</summary>
    public static string PlotlyJsName => $"plotly-{PlotlyJs.Version}.min.js";

    /// <summary>Creates the folder and removes the figures (and plotly.js) an earlier run left there, so that none is mistaken for this run's.</summary>
    public void Clear()
    {
        Directory.CreateDirectory(Folder);
        foreach (var file in Directory.GetFiles(Folder))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(Prefix, StringComparison.Ordinal) || name.StartsWith("plotly-", StringComparison.Ordinal)) File.Delete(file);
        }
        count = 0;
    }

    /// <summary>Writes a chart as an HTML page and, when a browser can draw it (see <see cref="StaticImages"/>), a PNG.</summary>
    public FigureFile Write(Figure figure)
    {
        var stem = NextStem();
        WritePlotlyJs();
        var html = Path.Combine(Folder, stem + ".html");
        AtomicFile.WriteAllText(html, Page(figure.Title, $"<script src=\"{PlotlyJsName}\"></script>", figure.ToHtml("figure")));
        string? png = null;
        if (figure.PngBase64 is { } base64)
        {
            png = Path.Combine(Folder, stem + ".png");
            AtomicFile.WriteAllBytes(png, Convert.FromBase64String(base64));
        }
        return new FigureFile(html, png);
    }

    /// <summary>Writes an image grid as its PNG and an HTML page that shows it with its caption.</summary>
    public FigureFile Write(ImageGrid grid)
    {
        var stem = NextStem();
        var png = Path.Combine(Folder, stem + ".png");
        AtomicFile.WriteAllBytes(png, grid.Png);
        var html = Path.Combine(Folder, stem + ".html");
        AtomicFile.WriteAllText(html, Page(grid.Caption, "", grid.ToHtml()));
        return new FigureFile(html, png);
    }

    string NextStem()
    {
        Directory.CreateDirectory(Folder);
        return $"{Prefix}{++count:00}";
    }

    void WritePlotlyJs()
    {
        var path = Path.Combine(Folder, PlotlyJsName);
        if (!File.Exists(path)) AtomicFile.WriteAllText(path, PlotlyJs.Source);
    }

    static string Page(string title, string head, string body) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) + "</title>" + head + "</head>\n"
        + "<body style=\"margin:0;font-family:sans-serif\">" + body + "</body></html>\n";
}
