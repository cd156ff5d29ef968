using System.Text.RegularExpressions;
using PuppeteerSharp;
using TicketLab.Cli.Notebooks;
using TicketLab.Cli.Site;
using TicketLab.Plots;

namespace TicketLab.Tests.Site;

/// <summary>The static site, opened from disk in headless Chromium as a reader would open it.</summary>
[Collection("notebooks")]
public class SiteTests
{
    [Fact]
    public async Task Every_page_draws_every_chart_and_logs_no_error()
    {
        using var temp = TestSetup.Temp();
        var pages = SiteBuilder.Build(NotebookRunner.Discover(), ProjectPaths.Results, temp.Path);
        Assert.True(StaticImages.BrowserPath is not null, $"the browser test needs Chromium: {StaticImages.Status}");
        var screenshots = Path.Combine(ProjectPaths.Cache, "site-screenshots");
        Directory.CreateDirectory(screenshots);
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = StaticImages.BrowserPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--allow-file-access-from-files"],
        });
        var problems = new List<string>();
        foreach (var page in pages)
        {
            await using var tab = await browser.NewPageAsync();
            var errors = new List<string>();
            tab.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) errors.Add(e.Message.Text); };
            tab.PageError += (_, e) => errors.Add(e.Message);
            tab.RequestFailed += (_, e) => errors.Add($"request failed: {e.Request.Url}");
            await tab.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
            await tab.GoToAsync(new Uri(Path.Combine(temp.Path, page.File)).AbsoluteUri, WaitUntilNavigation.Load);
            var drawn = 0;
            for (var attempt = 0; attempt < 100 && drawn < page.Charts; attempt++)
            {
                drawn = await tab.EvaluateExpressionAsync<int>(
                    $"document.querySelectorAll('[{SiteBuilder.ChartAttribute}].js-plotly-plot svg.main-svg').length > 0 ? document.querySelectorAll('[{SiteBuilder.ChartAttribute}].js-plotly-plot').length : 0");
                if (drawn < page.Charts) await Task.Delay(100);
            }
            var containers = await tab.EvaluateExpressionAsync<int>($"document.querySelectorAll('[{SiteBuilder.ChartAttribute}]').length");
            await tab.ScreenshotAsync(Path.Combine(screenshots, Path.ChangeExtension(page.File, ".1280.png")), new ScreenshotOptions { FullPage = true });
            // The text a reader sees: no LaTeX or power left raw, math typeset, code highlighted.
            var prose = await tab.EvaluateExpressionAsync<string>("Array.from(document.querySelectorAll('section.markdown')).map(e => e.innerText).join('\\n')");
            foreach (var raw in new[] { "\\(", "\\[", "$", "^" })
                if (prose.Contains(raw, StringComparison.Ordinal))
                    problems.Add($"{page.File}: raw '{raw}' in the text: …{prose.Substring(Math.Max(0, prose.IndexOf(raw, StringComparison.Ordinal) - 40), Math.Min(80, prose.Length - Math.Max(0, prose.IndexOf(raw, StringComparison.Ordinal) - 40)))}…");
            var math = await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('section.markdown .math').length");
            var typeset = await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('section.markdown .math .katex').length");
            if (typeset != math) problems.Add($"{page.File}: {typeset} of {math} formulas typeset");
            var code = await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('pre.code code').length");
            var highlighted = await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('pre.code code.hljs').length");
            if (highlighted != code) problems.Add($"{page.File}: {highlighted} of {code} code cells highlighted");
            // Nothing wider than the window, at a desktop width and at a phone's.
            foreach (var width in new[] { 1280, 400 })
            {
                await tab.SetViewportAsync(new ViewPortOptions { Width = width, Height = 900 });
                await Task.Delay(300); // responsive charts redraw on resize
                var widest = await tab.EvaluateExpressionAsync<int>("document.documentElement.scrollWidth");
                if (widest > width) problems.Add($"{page.File}: the page is {widest} px wide at {width} px");
            }
            await tab.ScreenshotAsync(Path.Combine(screenshots, Path.ChangeExtension(page.File, ".400.png")), new ScreenshotOptions { FullPage = true });
            if (containers != page.Charts) problems.Add($"{page.File}: {containers} chart containers, {page.Charts} charts written");
            if (drawn != page.Charts) problems.Add($"{page.File}: {drawn} of {page.Charts} charts drew");
            problems.AddRange(errors.Select(e => $"{page.File}: {e}"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(pages, p => p.Charts > 0);
    }

    [Fact]
    public void Pages_load_plotly_once_from_the_site_and_nothing_from_elsewhere()
    {
        using var temp = TestSetup.Temp();
        var pages = SiteBuilder.Build(NotebookRunner.Discover(), ProjectPaths.Results, temp.Path);
        foreach (var page in pages)
        {
            var html = File.ReadAllText(Path.Combine(temp.Path, page.File));
            var scripts = Regex.Matches(html, "<script src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            // plotly.js where there are charts, then KaTeX, its auto-render and highlight.js: all from assets/, each once.
            Assert.Equal(page.Charts > 0 ? 1 : 0, scripts.Count(s => Regex.IsMatch(s, @"^assets/plotly-\d+\.\d+\.\d+\.min\.js$")));
            Assert.Equal(["katex.min.js", "auto-render.min.js", "highlight.min.js"], scripts.Where(s => !s.Contains("plotly", StringComparison.Ordinal)).Select(Path.GetFileName));
            Assert.All(scripts, s => Assert.StartsWith("assets/", s));
            Assert.All(scripts, s => Assert.True(File.Exists(Path.Combine(temp.Path, s)), $"{page.File} loads {s}, which the site does not have"));
            Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
            Assert.True(html.Length < 3_000_000, $"{page.File} is {html.Length} bytes: plotly.js must not be inlined");
        }
        var index = File.ReadAllText(Path.Combine(temp.Path, "index.html"));
        foreach (var notebook in NotebookRunner.Discover())
            Assert.Contains($"href=\"{Path.GetFileNameWithoutExtension(notebook)}.html\"", index);
    }
}

public class NotebookJsonTests
{
    [Fact]
    public void Number_arrays_go_on_one_line_and_the_json_is_unchanged()
    {
        var json = "{\n  \"z\": [\n    [\n      1,\n      -2.5,\n      3e-05\n    ],\n    [\n      4,\n      5,\n      6\n    ]\n  ],\n  \"s\": \"[1,\\n2]\",\n  \"t\": [\n    \"a\",\n    1\n  ]\n}";
        var compact = TicketLab.Cli.Notebooks.NotebookCleaner.CompactNumberArrays(json);
        Assert.Contains("[1, -2.5, 3e-05]", compact);
        Assert.Contains("[4, 5, 6]", compact);
        Assert.Contains("\"s\": \"[1,\\n2]\"", compact); // text inside a string is left alone
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(json), System.Text.Json.Nodes.JsonNode.Parse(compact)));
        Assert.Equal(json.Split('\n').Length - 8, compact.Split('\n').Length); // each three-number array on one line instead of five
    }

    [Fact]
    public void Column_names_read_as_words_and_cells_align_and_say_n_a()
    {
        Assert.Equal("Units at least 0.95", TicketLab.Plots.Tables.DisplayName("UnitsAtLeast0_95"));
        Assert.Equal("Edge popup minus random features", TicketLab.Plots.Tables.DisplayName("EdgePopupMinusRandomFeatures"));
        Assert.Equal("Init density log₂", TicketLab.Plots.Tables.DisplayName("InitDensityLog2"));
        Assert.Equal("NTK relative error", TicketLab.Plots.Tables.DisplayName("NtkRelativeError"));
        Assert.Equal("n/a", TicketLab.Plots.Tables.Format(double.NaN));
        Assert.Contains("text-align:right", TicketLab.Plots.Tables.Cell("0.8931"));
        Assert.Contains("2<sup>-43</sup>", TicketLab.Plots.Tables.Cell("density 2^-43"));
        Assert.Contains("not applicable", TicketLab.Plots.Tables.Cell("n/a"));
    }
}
