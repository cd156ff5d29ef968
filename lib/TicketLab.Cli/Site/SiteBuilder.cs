using System.Net;
using System.Text;
using System.Text.Json;
using Markdig;
using Microsoft.DotNet.Interactive.Documents;
using TicketLab.Cli.Notebooks;
using TicketLab.Plots;

namespace TicketLab.Cli.Site;

/// <summary>One page of the site: its file name, title and the number of interactive charts on it.</summary>
public sealed record SitePage(string File, string Title, int Charts);

/// <summary>
/// Renders the executed notebooks as a static site: an index and one page per notebook (Markdown through Markdig,
/// code, text and table outputs, and interactive Plotly charts). plotly.js is written once, from the copy inside
/// Plotly.NET, and each page with charts loads it once; no page refers to a CDN.
/// </summary>
public static class SiteBuilder
{
    const string ChartMarker = "data-ticketlab-chart";
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>The attribute every chart container carries; the browser test counts them.</summary>
    public static string ChartAttribute => ChartMarker;

    /// <summary>Writes the site for <paramref name="notebooks"/> (in reading order) into <paramref name="output"/>; returns its pages, index first.</summary>
    /// <remarks>A notebook with an error output is refused before anything is written: the site shows only successful runs.</remarks>
    public static IReadOnlyList<SitePage> Build(IReadOnlyList<string> notebooks, string resultsFolder, string output)
    {
        var entries = notebooks.Select(path => (Path: path, Stem: Path.GetFileNameWithoutExtension(path), Document: NotebookCleaner.Read(path))).ToList();
        var failed = entries.Select(e => (e.Path, Errors: NotebookCleaner.Errors(e.Document))).Where(e => e.Errors.Count > 0).ToList();
        if (failed.Count > 0)
            throw new InvalidDataException("The site is built only from notebooks that ran without error; these hold error outputs: "
                + string.Join("; ", failed.Select(f => $"{Path.GetFileName(f.Path)}: {string.Join(", ", f.Errors)}")) + ". Rerun them (main job) first.");
        Directory.CreateDirectory(Path.Combine(output, "assets"));
        var plotly = $"assets/plotly-{PlotlyJs.Version}.min.js";
        AtomicFile.WriteAllText(Path.Combine(output, plotly), PlotlyJs.Source);
        AtomicFile.WriteAllText(Path.Combine(output, "assets", "site.css"), Css);
        foreach (var stale in Directory.GetFiles(Path.Combine(output, "assets"), "plotly-*.min.js").Where(f => !f.EndsWith(Path.GetFileName(plotly))))
            File.Delete(stale);

        var pages = new List<SitePage>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (_, stem, document) = entries[i];
            var title = Title(document, stem);
            var (body, charts) = RenderNotebook(document);
            var nav = Nav(i > 0 ? entries[i - 1].Stem : null, i + 1 < entries.Count ? entries[i + 1].Stem : null);
            var html = Page(title, nav + body + nav, charts > 0 ? plotly : null);
            AtomicFile.WriteAllText(Path.Combine(output, stem + ".html"), html);
            pages.Add(new SitePage(stem + ".html", title, charts));
        }
        var index = Index(entries.Select(e => (e.Stem, Title(e.Document, e.Stem))).ToList(), resultsFolder);
        AtomicFile.WriteAllText(Path.Combine(output, "index.html"), index);
        pages.Insert(0, new SitePage("index.html", "TicketLab", 0));
        return pages;
    }

    static string Index(List<(string Stem, string Title)> notebooks, string resultsFolder)
    {
        var body = new StringBuilder("""
            <h1>TicketLab</h1>
            <p>Are good "detectors" astronomically rare in a random network, does a network trained in the NTK regime only fit
            a linear model on fixed random features, and is pruning a random network really a way of optimizing it? These C#
            notebooks settle three claims from a debate about the Lottery Ticket Hypothesis with measurements. Each page below
            is an executed notebook; its numbers come from its own run.</p>
            <ol class="notebooks">
            """);
        foreach (var (stem, title) in notebooks)
        {
            var results = File.Exists(Results.PathOf(stem, resultsFolder)) ? Verdict.SuiteResults.Read(stem, resultsFolder) : null;
            var finding = results?.Finding ?? "(no results file yet: run the notebook)";
            var numbers = results is null ? "" : Headline.Numbers(results);
            var profile = results?.Profile;
            body.Append($"<li><a href=\"{stem}.html\">{Encode(title)}</a><p>{Encode(finding)}</p>");
            if (numbers.Length > 0) body.Append($"<p class=\"numbers\">{Encode(numbers)}{(profile is null ? "" : $" <span class=\"profile\">({Encode(profile)} profile)</span>")}</p>");
            body.Append("</li>\n");
        }
        body.Append("</ol>");
        return Page("TicketLab", body.ToString(), null);
    }

    static (string Html, int Charts) RenderNotebook(InteractiveDocument document)
    {
        var html = new StringBuilder();
        var charts = 0;
        foreach (var cell in document.Elements)
        {
            if (cell.KernelName == "markdown")
            {
                html.Append("<section class=\"markdown\">").Append(Markdig.Markdown.ToHtml(cell.Contents, Markdown)).Append("</section>\n");
                continue;
            }
            html.Append($"<pre class=\"code\"><code class=\"language-csharp\">{Encode(cell.Contents)}</code></pre>\n");
            foreach (var output in cell.Outputs)
                html.Append(RenderOutput(output, ref charts));
        }
        return (html.ToString(), charts);
    }

    static string RenderOutput(InteractiveDocumentOutputElement output, ref int charts)
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
            var fallback = data.TryGetValue("image/png", out var png) ? $"<noscript><img alt=\"chart\" src=\"data:image/png;base64,{NotebookCleaner.Text(png).Trim()}\"></noscript>" : "";
            return $"<div class=\"chart\" id=\"{id}\" {ChartMarker}></div>{fallback}"
                 + $"<script>(function(){{var f={json};Plotly.newPlot('{id}',f.data,f.layout,{{displaylogo:false,responsive:true}});}})();</script>\n";
        }
        if (data.TryGetValue("image/png", out var image))
            return $"<img class=\"output\" alt=\"output image\" src=\"data:image/png;base64,{NotebookCleaner.Text(image).Trim()}\">\n";
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

    static string Nav(string? previous, string? next) =>
        "<nav><a href=\"index.html\">TicketLab</a>"
        + (previous is null ? "" : $" · <a href=\"{previous}.html\">← {Encode(previous)}</a>")
        + (next is null ? "" : $" · <a href=\"{next}.html\">{Encode(next)} →</a>")
        + "</nav>\n";

    static string Page(string title, string body, string? plotlyScript) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Encode(title)}}</title>
        <link rel="stylesheet" href="assets/site.css">
        {{(plotlyScript is null ? "" : $"<script src=\"{plotlyScript}\"></script>")}}
        </head>
        <body>
        <main>
        {{body}}
        </main>
        </body>
        </html>

        """;

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    const string Css = """
        body { font-family: Arial, sans-serif; color: #222; background: #fff; margin: 0; }
        main { max-width: 980px; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.5; }
        nav { font-size: 0.9rem; margin: 0.5rem 0 1rem; color: #666; }
        nav a { color: #0072B2; }
        h1, h2, h3 { line-height: 1.2; }
        pre.code { background: #f6f8fa; border-left: 3px solid #0072B2; padding: 0.6rem 0.8rem; overflow-x: auto; font-size: 0.85rem; }
        pre.output { background: #fff; border-left: 3px solid #ccc; padding: 0.4rem 0.8rem; overflow-x: auto; font-size: 0.85rem; }
        pre.error { background: #fff0f0; border-left: 3px solid #D55E00; padding: 0.4rem 0.8rem; white-space: pre-wrap; }
        div.output { overflow-x: auto; margin: 0.5rem 0; }
        div.output table, section.markdown table { border-collapse: collapse; font-size: 0.9rem; }
        div.output td, div.output th, section.markdown td, section.markdown th { border: 1px solid #ddd; padding: 0.25rem 0.6rem; vertical-align: top; }
        div.chart { margin: 0.5rem 0 1rem; max-width: 100%; overflow-x: auto; }
        img.output { max-width: 100%; }
        span.math, div.math { font-family: "Times New Roman", serif; font-style: italic; }
        ol.notebooks li { margin-bottom: 1rem; }
        p.numbers { font-family: monospace; font-size: 0.85rem; color: #444; margin: 0; }
        span.profile { color: #888; }
        """;
}
