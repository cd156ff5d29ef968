using Spectre.Console;
using TicketLab.Cli.Notebooks;
using TicketLab.Cli.Site;
using TicketLab.Data;

namespace TicketLab.Cli;

/// <summary>The commands of the TicketLab command-line program.</summary>
public static class Commands
{
    /// <summary>Prints usage.</summary>
    public static int Help()
    {
        Console.WriteLine("""
            TicketLab command-line program

              notebooks [--profile quick|full] [--only NN] [--output DIR] [--no-write-back]
                  The main job: restores tools, builds the library, executes every notebook top to bottom in a
                  fresh kernel, cleans the outputs and prints a summary. The full profile (default) writes the
                  executed notebooks and results back into notebooks/; the quick profile writes them to
                  data/cache/executed/quick/ and leaves notebooks/ untouched. Then it renders the static site:
                  docs/ for the full profile, data/cache/executed/quick/site/ for the quick one.

              bench [--rounds N]
                  Benchmarks printed as ratios measured within one run (the detector sampler against the
                  machine's float32 matrix product).

              site [--output DIR]
                  Regenerates the static site (docs/ by default) from the executed notebooks as they are.

              embed-data [--dataset FashionMnist|Mnist]
                  Rewrites the committed embedded subset (data/embedded/) from the full dataset.
            """);
        return 0;
    }

    /// <summary>The main job.</summary>
    public static int Notebooks(string[] args)
    {
        var options = ParseOptions(args, ["--profile", "--only", "--output"], ["--no-write-back"]);
        var profile = options.TryGetValue("--profile", out var p) ? Profile.Parse(p) : Profile.Current;
        var writeBack = !profile.IsQuick && !options.ContainsKey("--no-write-back");
        var output = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o) : Path.Combine(ProjectPaths.Cache, "executed", profile.Name);
        var runner = new RunnerOptions(profile, options.GetValueOrDefault("--only"), writeBack, output);
        var notebooks = NotebookRunner.Discover(runner.Only);
        if (notebooks.Count == 0)
            throw new ArgumentException($"no notebook in notebooks/ matches --only '{runner.Only}'.");
        AnsiConsole.MarkupLineInterpolated($"[bold]TicketLab[/]: {notebooks.Count} notebook(s), profile [bold]{profile}[/], executed copies to {(writeBack ? "notebooks/" : Path.GetRelativePath(ProjectPaths.Root, output))}");
        AnsiConsole.MarkupLine("Restoring tools and building the library...");
        NotebookRunner.Prepare(Console.Out);
        var runs = new List<NotebookRun>();
        foreach (var notebook in notebooks)
        {
            AnsiConsole.MarkupLineInterpolated($"Running [bold]{Path.GetFileName(notebook)}[/]...");
            var run = NotebookRunner.Run(notebook, runner);
            runs.Add(run);
            AnsiConsole.MarkupLine((run.Succeeded ? "  [green]ok[/]" : "  [red]FAILED[/]") + $" in {run.Seconds:0.0} s");
            if (!run.Succeeded) AnsiConsole.MarkupLineInterpolated($"  [red]{run.Problem}[/]");
        }
        var table = new Table().AddColumns("notebook", "status", "seconds", "slowest cell", "headline numbers");
        foreach (var run in runs)
            table.AddRow(Markup.Escape(run.Notebook), run.Succeeded ? "[green]ok[/]" : "[red]failed[/]", $"{run.Seconds:0.0}",
                run.SlowestCell is { } slow ? $"{slow.Cell}: {slow.Seconds:0.0} s" : "", Markup.Escape(run.Headline));
        AnsiConsole.Write(table);
        var siteFolder = writeBack ? Path.Combine(ProjectPaths.Root, "docs") : Path.Combine(output, "site");
        var executed = runs.Where(r => r.ExecutedPath is not null).Select(r => r.ExecutedPath!).ToList();
        if (runner.Only is null && executed.Count > 0)
        {
            var pages = SiteBuilder.Build(executed, writeBack ? ProjectPaths.Results : Path.Combine(output, "results"), siteFolder);
            AnsiConsole.MarkupLineInterpolated($"Site: {pages.Count} pages, {pages.Sum(p => p.Charts)} interactive charts, in {Path.GetRelativePath(ProjectPaths.Root, siteFolder)}/");
        }
        var failed = runs.Where(r => !r.Succeeded).ToList();
        foreach (var run in failed) Console.Error.WriteLine($"FAILED {run.Problem}");
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Benchmarks that print ratios measured within one run.</summary>
    public static int Bench(string[] args)
    {
        var options = ParseOptions(args, ["--rounds"], []);
        var rounds = options.TryGetValue("--rounds", out var r) ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 5;
        if (rounds < 1) throw new ArgumentException($"--rounds {rounds}: accepted 1 or more");
        AnsiConsole.MarkupLine("Random-unit sampler against a plain float32 matrix product of the same shape (interleaved rounds)...");
        var result = Benchmarks.SamplerBenchmark.Run(rounds);
        var table = new Table().AddColumns("measure", "value");
        table.AddRow("float32 matmul (same shapes)", $"{result.MatmulGflops:0.0} GFLOP/s");
        table.AddRow("sampler, products only", $"{result.SamplerGflops:0.0} GFLOP/s");
        table.AddRow("[bold]detector_sampler_fraction_of_matmul_peak[/]", $"[bold]{result.Ratio:0.00}[/] (target >= 0.30)");
        table.AddRow("sampler throughput", $"{result.UnitsPerSecond:N0} units/s on {result.Examples} images ({1e6 / result.UnitsPerSecond:0} s per 10^6 units)");
        AnsiConsole.MarkupLine("Empirical NTK, width 512, 500 examples: layer-wise against per-example autograd...");
        var ntk = Benchmarks.NtkBenchmark.Run();
        table.AddRow("empirical NTK, layer-wise", $"{ntk.FastSeconds:0.000} s");
        table.AddRow("empirical NTK, autograd reference", $"{ntk.AutogradSeconds:0.0} s (max relative difference {ntk.MaxRelativeDifference:g2})");
        table.AddRow("[bold]ntk_fast_vs_autograd_speedup[/]", $"[bold]{ntk.Speedup:0}x[/] (target >= 20)");
        AnsiConsole.MarkupLine("One edge-popup epoch against one dense epoch of the baseline net...");
        var pruning = Benchmarks.PruningBenchmark.Run(rounds);
        table.AddRow("dense epoch (784-300-100-10, batch 128)", $"{pruning.DenseSeconds:0.00} s for {pruning.Images:N0} images");
        table.AddRow("edge-popup epoch (keep 0.5)", $"{pruning.EdgePopupSeconds:0.00} s");
        table.AddRow("[bold]edge_popup_vs_dense_epoch_ratio[/]", $"[bold]{pruning.Ratio:0.00}[/] (target <= 2)");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>Regenerates the static site from the notebooks as they are (no execution).</summary>
    public static int Site(string[] args)
    {
        var options = ParseOptions(args, ["--output"], []);
        var output = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o) : Path.Combine(ProjectPaths.Root, "docs");
        var pages = SiteBuilder.Build(NotebookRunner.Discover(), ProjectPaths.Results, output);
        Console.WriteLine($"{pages.Count} pages, {pages.Sum(p => p.Charts)} interactive charts, in {output}");
        return 0;
    }

    /// <summary>Rewrites data/embedded/ from the full dataset.</summary>
    public static int EmbedData(string[] args)
    {
        var options = ParseOptions(args, ["--dataset"], []);
        var name = options.TryGetValue("--dataset", out var d)
            ? Enum.TryParse<DatasetName>(d, ignoreCase: true, out var parsed) ? parsed : throw new ArgumentException($"--dataset '{d}' is not known; accepted: FashionMnist, Mnist")
            : DatasetName.FashionMnist;
        var full = Datasets.Load(new DataOptions(name));
        var folder = Datasets.WriteEmbedded(full);
        foreach (var file in Directory.GetFiles(folder).Order())
            Console.WriteLine($"{Path.GetFileName(file)}  {new FileInfo(file).Length} bytes  sha256(content) {Datasets.Sha256OfContent(file)}");
        return 0;
    }

    static Dictionary<string, string> ParseOptions(string[] args, string[] valued, string[] flags)
    {
        var result = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (flags.Contains(args[i])) result[args[i]] = "";
            else if (valued.Contains(args[i]))
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value.");
                result[args[i]] = args[++i];
            }
            else throw new ArgumentException($"unknown option '{args[i]}'; accepted: {string.Join(", ", valued.Concat(flags))}");
        }
        return result;
    }
}
