using System.Net;
using System.Text;
using System.Text.Json;
using Markdig;
using Microsoft.DotNet.Interactive.Documents;
using TicketLab.Cli.Notebooks;
using TicketLab.Plots;

namespace TicketLab.Cli.Site;

/// <summary>One page of the site: its file name, title, the number of interactive charts on it, and its size in bytes (the page and the images only it uses).</summary>
public sealed record SitePage(string File, string Title, int Charts, long Bytes = 0);

/// <summary>
/// Renders the executed notebooks as a static site: an index and one page per notebook (Markdown through Markdig with
/// math typeset by KaTeX, C# highlighted by highlight.js, text and table outputs, and interactive Plotly charts that fit
/// the column, with their static PNG as the no-script fallback in a file of its own). Every asset (plotly.js from the
/// copy inside Plotly.NET, KaTeX, highlight.js) is written once into assets/; no page refers to a CDN.
/// </summary>
public static class SiteBuilder
{
    const string ChartMarker = "data-ticketlab-chart";

    /// <summary>Markdig's GitHub-like extensions, without the superscript/subscript extras that read "2^-9 to 2^-31" as nested superscripts.</summary>
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder()
        .UseAutoIdentifiers(Markdig.Extensions.AutoIdentifiers.AutoIdentifierOptions.GitHub)
        .UsePipeTables().UseGridTables().UseMathematics().UseListExtras().UseTaskLists().UseAutoLinks().UseFootnotes()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .Build();

    /// <summary>The attribute every chart container carries; the browser test counts them.</summary>
    public static string ChartAttribute => ChartMarker;

    /// <summary>The vendored assets (KaTeX, highlight.js) as embedded in this program: path under assets/ and the resource name.</summary>
    static IEnumerable<(string Path, string Resource)> Vendored() =>
        typeof(SiteBuilder).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("vendor/", StringComparison.Ordinal))
            .Select(n => (n["vendor/".Length..].Replace('\\', '/'), n));

    /// <summary>The vendored folder of <paramref name="package"/> ("katex" or "highlight"), e.g. "katex-0.16.22".</summary>
    static string VendorFolder(string package) =>
        Vendored().Select(v => v.Path.Split('/')[0]).Distinct().SingleOrDefault(f => f.StartsWith(package + "-", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"the program embeds no {package} assets; rebuild it (lib/TicketLab.Cli/Site/vendor).");

    /// <summary>Writes the site for <paramref name="notebooks"/> (in reading order) into <paramref name="output"/>; returns its pages, index first.</summary>
    /// <remarks>A notebook with an error output is refused before anything is written: the site shows only successful runs.</remarks>
    public static IReadOnlyList<SitePage> Build(IReadOnlyList<string> notebooks, string resultsFolder, string output)
    {
        var entries = notebooks.Select(path => (Path: path, Stem: Path.GetFileNameWithoutExtension(path), Document: NotebookCleaner.Read(path))).ToList();
        var failed = entries.Select(e => (e.Path, Errors: NotebookCleaner.Errors(e.Document))).Where(e => e.Errors.Count > 0).ToList();
        if (failed.Count > 0)
            throw new InvalidDataException("The site is built only from notebooks that ran without error; these hold error outputs: "
                + string.Join("; ", failed.Select(f => $"{Path.GetFileName(f.Path)}: {string.Join(", ", f.Errors)}")) + ". Rerun them (main job) first.");
        var assets = Path.Combine(output, "assets");
        Directory.CreateDirectory(assets);
        var plotly = $"assets/plotly-{PlotlyJs.Version}.min.js";
        AtomicFile.WriteAllText(Path.Combine(output, plotly), PlotlyJs.Source);
        AtomicFile.WriteAllText(Path.Combine(assets, "site.css"), Css);
        foreach (var stale in Directory.GetFiles(assets, "plotly-*.min.js").Where(f => !f.EndsWith(Path.GetFileName(plotly))))
            File.Delete(stale);
        var vendored = Vendored().ToList();
        foreach (var folder in Directory.GetDirectories(assets).Where(d => Path.GetFileName(d) is var n && (n.StartsWith("katex-", StringComparison.Ordinal) || n.StartsWith("highlight-", StringComparison.Ordinal))
            && !vendored.Any(v => v.Path.StartsWith(n + "/", StringComparison.Ordinal))))
            Directory.Delete(folder, recursive: true);
        foreach (var (path, resource) in vendored)
        {
            using var stream = typeof(SiteBuilder).Assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var target = Path.Combine(assets, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            AtomicFile.WriteAllBytes(target, memory.ToArray());
        }
        // Images go to a staging folder that replaces assets/img only once every page has rendered: a notebook that fails
        // to render (a corrupt image, say) leaves the committed site as it was.
        var images = Path.Combine(assets, "img");
        var staging = Path.Combine(assets, "img.building");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        var pages = new List<SitePage>();
        var rendered = new List<(string File, string Html)>();
        var titles = entries.Select(e => Title(e.Document, e.Stem)).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            var (_, stem, document) = entries[i];
            var (body, charts, imageBytes) = RenderNotebook(document, stem, staging);
            var nav = Nav(i > 0 ? (entries[i - 1].Stem, titles[i - 1]) : null, i + 1 < entries.Count ? (entries[i + 1].Stem, titles[i + 1]) : null);
            var source = $"<p class=\"source\">Source: <a href=\"../notebooks/{stem}.ipynb\">notebooks/{stem}.ipynb</a> (open it in VS Code or Jupyter to rerun it) · <a href=\"../README.md\">README</a></p>\n";
            var html = Page(titles[i], nav + Toc(body) + body + source + nav, charts > 0 ? plotly : null);
            rendered.Add((Path.Combine(output, stem + ".html"), html));
            pages.Add(new SitePage(stem + ".html", titles[i], charts, Encoding.UTF8.GetByteCount(html) + imageBytes));
        }
        var index = Index(entries.Select((e, i) => (e.Stem, titles[i], Question(e.Document))).ToList(), resultsFolder);
        if (Directory.Exists(images)) Directory.Delete(images, recursive: true);
        Directory.Move(staging, images);
        foreach (var (file, html) in rendered) AtomicFile.WriteAllText(file, html);
        AtomicFile.WriteAllText(Path.Combine(output, "index.html"), index);
        pages.Insert(0, new SitePage("index.html", "TicketLab", 0, Encoding.UTF8.GetByteCount(index)));
        return pages;
    }

    static string Index(List<(string Stem, string Title, string Question)> notebooks, string resultsFolder)
    {
        var body = new StringBuilder("""
            <h1>TicketLab</h1>
            <p>Are good "detectors" astronomically rare in a random network, does a network trained in the NTK regime only fit
            a linear model on fixed random features, and is pruning a random network really a way of optimizing it? These C#
            notebooks settle three claims from a debate about the Lottery Ticket Hypothesis with measurements. Each page below
            is an executed notebook; its numbers come from its own run. The notebooks themselves are in
            <a href="../notebooks/">notebooks/</a>; the <a href="../README.md">README</a> says how to run them.</p>
            <ol class="notebooks">
            """);
        foreach (var (stem, title, question) in notebooks)
        {
            var results = File.Exists(Results.PathOf(stem, resultsFolder)) ? Verdict.SuiteResults.Read(stem, resultsFolder) : null;
            var finding = results?.Finding ?? "(no results file yet: run the notebook)";
            var numbers = results is null ? "" : Headline.Numbers(results);
            var profile = results?.Profile;
            body.Append($"<li><a href=\"{stem}.html\">{Encode(title)}</a>");
            if (question.Length > 0) body.Append($"<p class=\"question\">{Encode(question)}</p>");
            body.Append($"<p><strong>Finding:</strong> {Encode(finding)}</p>");
            if (numbers.Length > 0) body.Append($"<p class=\"numbers\">{Encode(numbers)}{(profile is null ? "" : $" <span class=\"profile\">({Encode(profile)} profile)</span>")}</p>");
            body.Append("</li>\n");
        }
        body.Append("</ol>");
        return Page("TicketLab", body.ToString(), null);
    }

    /// <summary>The notebook's question: the first sentence of the paragraph under its title, as plain text.</summary>
    static string Question(InteractiveDocument document)
    {
        var first = document.Elements.FirstOrDefault(e => e.KernelName == "markdown")?.Contents ?? "";
        var paragraph = first.Split("\n\n").Skip(1).FirstOrDefault(p => !p.StartsWith('#'))?.Replace('\n', ' ').Trim() ?? "";
        var plain = System.Text.RegularExpressions.Regex.Replace(Markdig.Markdown.ToPlainText(paragraph, Markdown), @"\s+", " ").Trim();
        var end = plain.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? plain[..(end + 1)] : plain;
    }

    /// <summary>A table of contents of the page's second-level headings (their ids come from Markdig's auto-identifiers).</summary>
    static string Toc(string body)
    {
        var headings = System.Text.RegularExpressions.Regex.Matches(body, "<h2 id=\"([^\"]+)\">(.*?)<a class=\"anchor\"").Select(m => (Id: m.Groups[1].Value, Text: m.Groups[2].Value.Trim())).ToList();
        if (headings.Count < 2) return "";
        return "<nav class=\"toc\" aria-label=\"On this page\"><strong>On this page</strong><ol>"
            + string.Concat(headings.Select(h => $"<li><a href=\"#{h.Id}\">{h.Text}</a></li>")) + "</ol></nav>\n";
    }

    /// <summary>A setup cell (the import of setup.dib and Lab.Start): collapsed on the site, with its outputs inside.</summary>
    static bool IsSetup(InteractiveDocumentElement cell) =>
        cell.Contents.Contains("#!import setup.dib", StringComparison.Ordinal) || cell.Contents.Contains("Lab.Start(", StringComparison.Ordinal);

    static (string Html, int Charts, long ImageBytes) RenderNotebook(InteractiveDocument document, string stem, string images)
    {
        var html = new StringBuilder();
        var charts = 0;
        long imageBytes = 0;
        var imageCount = 0;
        foreach (var cell in document.Elements)
        {
            if (cell.KernelName == "markdown")
            {
                var section = Markdig.Markdown.ToHtml(cell.Contents, Markdown);
                // A ¶ link on every heading, so that a reader can link to a section.
                section = System.Text.RegularExpressions.Regex.Replace(section, "<h([23]) id=\"([^\"]+)\">(.*?)</h\\1>", "<h$1 id=\"$2\">$3 <a class=\"anchor\" href=\"#$2\" aria-label=\"link to this section\">¶</a></h$1>");
                html.Append("<section class=\"markdown\">").Append(section).Append("</section>\n");
                continue;
            }
            var cellHtml = new StringBuilder($"<pre class=\"code\"><code class=\"language-csharp\">{Encode(cell.Contents)}</code></pre>\n");
            foreach (var output in cell.Outputs)
                cellHtml.Append(RenderOutput(output, stem, images, ref charts, ref imageCount, ref imageBytes));
            if (IsSetup(cell))
                html.Append("<details class=\"setup\"><summary>Setup: build and load the helper library, then <code>Lab.Start</code> (what it did)</summary>\n").Append(cellHtml).Append("</details>\n");
            else
                html.Append(cellHtml);
        }
        return (html.ToString(), charts, imageBytes);
    }

    /// <summary>Writes a base64 PNG into assets/img and returns its path relative to the page.</summary>
    static string ImageFile(string base64, string stem, string images, string kind, int number, ref long imageBytes)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"notebooks/{stem}.ipynb: the PNG of {kind} {number} is not valid base64 ({e.Message}); rerun the notebook (main job) to redraw it.", e);
        }
        var name = $"{stem}-{kind}-{number}.png";
        AtomicFile.WriteAllBytes(Path.Combine(images, name), bytes);
        imageBytes += bytes.Length;
        return $"assets/img/{name}";
    }

    static string RenderOutput(InteractiveDocumentOutputElement output, string stem, string images, ref int charts, ref int imageCount, ref long imageBytes)
    {
        switch (output)
        {
            case ErrorElement error:
                return $"<pre class=\"error\">{Encode($"{error.ErrorName}: {error.ErrorValue}")}</pre>\n";
            case TextElement text:
                return $"<pre class=\"output\">{Encode(text.Text)}</pre>\n";
        }
        var data = output switch
        {
            DisplayElement d => d.Data,
            ReturnValueElement r => r.Data,
            _ => null,
        };
        if (data is null) return "";
        if (data.TryGetValue(Figure.PlotlyMimeType, out var figure))
        {
            charts++;
            var id = $"chart-{charts}";
            var json = figure is string s ? s : JsonSerializer.Serialize(figure);
            // The static PNG is the fallback without JavaScript, in a file of its own: it costs nothing when the chart draws.
            var fallback = data.TryGetValue("image/png", out var png)
                ? $"<noscript><img class=\"chart-fallback\" alt=\"chart (static copy)\" src=\"{ImageFile(NotebookCleaner.Text(png), stem, images, "chart", charts, ref imageBytes)}\"></noscript>" : "";
            // On the site the chart takes the column's width (the notebook's fixed width is for the notebook and the PNG).
            return $"<div class=\"chart\" id=\"{id}\" {ChartMarker}></div>{fallback}"
                 + $"<script>(function(){{var f={json};delete f.layout.width;f.layout.autosize=true;Plotly.newPlot('{id}',f.data,f.layout,{{displaylogo:false,responsive:true}});}})();</script>\n";
        }
        if (data.TryGetValue("image/png", out var image))
            return $"<img class=\"output\" alt=\"output image\" src=\"{ImageFile(NotebookCleaner.Text(image), stem, images, "image", ++imageCount, ref imageBytes)}\">\n";
        if (data.TryGetValue("text/html", out var markup))
            return $"<div class=\"output\">{NotebookCleaner.Text(markup)}</div>\n";
        if (data.TryGetValue("text/plain", out var plain))
            return $"<pre class=\"output\">{Encode(NotebookCleaner.Text(plain))}</pre>\n";
        return "";
    }

    static string Title(InteractiveDocument document, string stem)
    {
        var heading = document.Elements.Where(e => e.KernelName == "markdown")
            .SelectMany(e => e.Contents.Split('\n')).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal));
        return heading is null ? stem : heading[2..].Trim();
    }

    static string Nav((string Stem, string Title)? previous, (string Stem, string Title)? next) =>
        "<nav class=\"pages\"><a href=\"index.html\">TicketLab</a>"
        + (previous is { } p ? $" · <a href=\"{p.Stem}.html\">← {Encode(p.Title)}</a>" : "")
        + (next is { } n ? $" · <a href=\"{n.Stem}.html\">{Encode(n.Title)} →</a>" : "")
        + "</nav>\n";

    static string Page(string title, string body, string? plotlyScript)
    {
        var katex = $"assets/{VendorFolder("katex")}";
        var highlight = $"assets/{VendorFolder("highlight")}";
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Encode(title)}}</title>
            <link rel="stylesheet" href="{{katex}}/katex.min.css">
            <link rel="stylesheet" href="{{highlight}}/github.min.css">
            <link rel="stylesheet" href="assets/site.css">
            {{(plotlyScript is null ? "" : "<script src=\"" + plotlyScript + "\"></script>")}}
            </head>
            <body>
            <main>
            {{body}}
            </main>
            <script src="{{katex}}/katex.min.js"></script>
            <script src="{{katex}}/auto-render.min.js"></script>
            <script src="{{highlight}}/highlight.min.js"></script>
            <script>
            renderMathInElement(document.body, {delimiters: [{left: "\\[", right: "\\]", display: true}, {left: "\\(", right: "\\)", display: false}], ignoredClasses: ["code", "output"], throwOnError: false});
            document.querySelectorAll("pre.code code").forEach(function (e) { hljs.highlightElement(e); });
            </script>
            </body>
            </html>

            """;
    }

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    const string Css = """
        body { font-family: Arial, sans-serif; color: #222; background: #fff; margin: 0; }
        main { max-width: 980px; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.5; }
        nav.pages { font-size: 0.9rem; margin: 0.5rem 0 1rem; color: #666; }
        nav a, p.source a { color: #0072B2; }
        nav.toc { font-size: 0.9rem; background: #f6f8fa; padding: 0.5rem 1rem; margin: 1rem 0; }
        nav.toc ol { margin: 0.3rem 0 0; padding-left: 1.4rem; }
        h1, h2, h3 { line-height: 1.2; }
        a.anchor { color: #bbb; text-decoration: none; font-size: 0.8em; visibility: hidden; }
        h2:hover a.anchor, h3:hover a.anchor { visibility: visible; }
        pre { max-width: 100%; }
        pre.code { background: #f6f8fa; border-left: 3px solid #0072B2; padding: 0; overflow-x: auto; font-size: 0.85rem; }
        pre.code code.hljs, pre.code code { padding: 0.6rem 0.8rem; display: block; background: transparent; }
        pre.output { background: #fff; border-left: 3px solid #ccc; padding: 0.4rem 0.8rem; overflow-x: auto; font-size: 0.85rem; }
        pre.error { background: #fff0f0; border-left: 3px solid #D55E00; padding: 0.4rem 0.8rem; white-space: pre-wrap; }
        details.setup { margin: 0.5rem 0 1rem; border: 1px solid #e4e4e4; padding: 0.3rem 0.8rem; }
        details.setup summary { cursor: pointer; color: #555; font-size: 0.9rem; }
        div.output { overflow-x: auto; margin: 0.5rem 0; max-width: 100%; }
        div.output table, section.markdown table { border-collapse: collapse; font-size: 0.9rem; }
        div.output td, div.output th, section.markdown td, section.markdown th { border: 1px solid #ddd; padding: 0.25rem 0.6rem; vertical-align: top; }
        section.markdown { overflow-x: auto; }
        div.chart { margin: 0.5rem 0 1rem; width: 100%; min-height: 320px; }
        img.output, img.chart-fallback { max-width: 100%; height: auto; }
        .katex-display { overflow-x: auto; overflow-y: hidden; }
        ol.notebooks li { margin-bottom: 1rem; }
        p.question { margin: 0.2rem 0; font-style: italic; }
        p.numbers { font-family: monospace; font-size: 0.85rem; color: #444; margin: 0; overflow-wrap: anywhere; }
        p.source { font-size: 0.9rem; color: #666; margin-top: 2rem; }
        span.profile { color: #888; }
        """;
}
