using System.Diagnostics;
using System.Text.Json.Nodes;
using TicketLab.Cli.Programs;
using TicketLab.Plots;
using TicketLab.Setup;
using TicketLab.Tests.Notebooks;
using Xunit.Abstractions;

namespace TicketLab.Tests.Programs;

/// <summary>
/// A notebook run as a plain C# program, as a user runs it: <c>dotnet run -c Release notebooks/programs/00-the-debate.cs</c> in
/// the quick profile, started from a folder outside the checkout.
/// </summary>
[Collection("notebooks")]
public class ProgramRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Notebook_00_runs_as_a_program_and_writes_its_results_and_charts()
    {
        const string notebook = "00-the-debate";
        var program = NotebookPrograms.PathOf(Path.Combine(ProjectPaths.Notebooks, notebook + ".ipynb"));
        var results = Path.Combine(ProjectPaths.ResultsFor(null, Profile.Quick), notebook + ".json");
        var figures = NotebookProgram.FiguresFolder(notebook);
        var started = DateTime.UtcNow;
        using var temp = TestSetup.Temp();
        var info = new ProcessStartInfo("dotnet", ["run", "-c", "Release", program])
        {
            WorkingDirectory = temp.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment[Profile.Variable] = "quick";
        // The quick profile's own results folder, as a user's run has it (the CLI and other tests point it elsewhere).
        info.Environment.Remove("TICKETLAB_RESULTS");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine($"dotnet run {Path.GetRelativePath(ProjectPaths.Root, program)}: exit {process.ExitCode} in {clock.Elapsed.TotalSeconds:0.0} s (build included)");
        output.WriteLine(stdout);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");

        Assert.True(File.GetLastWriteTimeUtc(results) >= started, $"{results} was not written by this run");
        var json = JsonNode.Parse(File.ReadAllText(results))!;
        Assert.Equal("quick", json["profile"]!.GetValue<string>());
        // The same numbers as the notebook's own quick run, within the tolerances the notebook tests use.
        var drift = QuickReference.Failures(notebook, json);
        Assert.True(drift.Count == 0, string.Join("\n", drift));
        Assert.Contains(Path.GetRelativePath(ProjectPaths.Root, results), stdout);
        Assert.Contains("Training the baseline", stdout);
        Assert.Contains("Test accuracy", stdout);

        // Three charts: the sample grid, the learning curve and the chart of your own; each a page that loads plotly.js from beside it.
        var pages = Directory.GetFiles(figures, "figure-*.html").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, pages.Count);
        Assert.All(pages, page => Assert.Contains($"<script src=\"{FigureFiles.PlotlyJsName}\"></script>", File.ReadAllText(page)));
        Assert.True(File.Exists(Path.Combine(figures, FigureFiles.PlotlyJsName)));
        Assert.All(pages, page => Assert.True(File.GetLastWriteTimeUtc(page) >= started));
        if (StaticImages.BrowserPath is not null)
            Assert.All(pages, page => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.ChangeExtension(page, ".png"))[..4]));
        else Assert.Contains("no PNG copies", stdout);
    }
}
