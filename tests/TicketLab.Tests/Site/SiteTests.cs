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
            await tab.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 900 });
            await tab.GoToAsync(new Uri(Path.Combine(temp.Path, page.File)).AbsoluteUri, WaitUntilNavigation.Load);
            var drawn = 0;
            for (var attempt = 0; attempt < 100 && drawn < page.Charts; attempt++)
            {
                drawn = await tab.EvaluateExpressionAsync<int>(
                    $"document.querySelectorAll('[{SiteBuilder.ChartAttribute}].js-plotly-plot svg.main-svg').length > 0 ? document.querySelectorAll('[{SiteBuilder.ChartAttribute}].js-plotly-plot').length : 0");
                if (drawn < page.Charts) await Task.Delay(100);
            }
            var containers = await tab.EvaluateExpressionAsync<int>($"document.querySelectorAll('[{SiteBuilder.ChartAttribute}]').length");
            await tab.ScreenshotAsync(Path.Combine(screenshots, Path.ChangeExtension(page.File, ".png")), new ScreenshotOptions { FullPage = true });
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
            Assert.Equal(page.Charts > 0 ? 1 : 0, scripts.Count);
            Assert.All(scripts, s => Assert.Matches(@"^assets/plotly-\d+\.\d+\.\d+\.min\.js$", s));
            Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
            Assert.True(html.Length < 3_000_000, $"{page.File} is {html.Length} bytes: plotly.js must not be inlined");
        }
        var index = File.ReadAllText(Path.Combine(temp.Path, "index.html"));
        foreach (var notebook in NotebookRunner.Discover())
            Assert.Contains($"href=\"{Path.GetFileNameWithoutExtension(notebook)}.html\"", index);
    }
}
