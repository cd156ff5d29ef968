using Spectre.Console;
using TicketLab.Cli.Notebooks;
using TicketLab.Cli.Programs;
using TicketLab.Cli.Site;
using TicketLab.Benchmarks;
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
                        [--set Name=expression ...] [--set-file overrides.json]
                  The main job: restores tools, builds the library, executes every notebook top to bottom in a
                  fresh kernel, cleans the outputs and prints a summary. The full profile (default) writes the
                  executed notebooks and results back into notebooks/; the quick profile writes them to
                  data/cache/executed/quick/ and leaves notebooks/ untouched. Then it renders the static site:
                  docs/ for the full profile, data/cache/executed/quick/site/ for the quick one.
                  --set overrides a knob of one notebook's hyperparameter cell (the cell tagged "parameters"):
                  a cell injected after it rebinds the options record, e.g. --only 02 --set Widths="new[] { 64, 128, 256 }";
                  a dotted name reaches a nested record (--only 00 --set Training.LearningRate=3e-4). --set-file reads
                  the same from a JSON object. Such a run needs --only, writes to data/cache/executed/<profile>-set/ (never
                  into notebooks/) and its results file records the overrides.

              bench [--rounds N] [--no-install] [--only scaling]
                  BenchmarkDotNet benchmarks printed as ratios measured within one run and written to
                  notebooks/results/benchmarks.json: a training step against PyTorch (Debian's python3-torch,
                  installed with apt-get when missing and run as root, unless --no-install) and against the
                  machine's float32 matrix product; the detector sampler, the fast empirical NTK and an
                  edge-popup epoch; the notebooks' times and peak memory from the last full main-job run; and
                  the scaling of the main costs (sampler units, NTK inputs, kernel regression training size,
                  trainings side by side), each at 4 sizes with its fitted exponent. --only scaling runs
                  the scaling benchmarks alone (about a minute and a half) and replaces only their part of the file.

              kernel [--dataset FashionMnist|Mnist] [--train-per-class N] [--test-per-class N] [--kernels ntk,nngp] [--ridge R] [--tolerance T]
                     [--max-iterations N] [--block N] [--landmarks N] [--output DIR]
                  Infinite-width NTK and NNGP regression of notebook 02's ReLU MLP on all 60,000 Fashion-MNIST (or MNIST)
                  training images, evaluated on all 10,000 test images, in bounded memory: the train kernel is held as float32 blocks
                  of its lower triangle (7.2 GB) and solved by conjugate gradients with a Nyström preconditioner of
                  --landmarks images (0: Jacobi only), one kernel at a time. Prints test
                  accuracy, time and peak memory; the default configuration writes notebooks/results/full-data-kernel.json
                  and the README's section (about 20 minutes on 2 cores), any other data/cache/kernel/.

              recipes [--output DIR]
                  How notebook 04's dense recipe was chosen, on the training set alone: the 6-epoch reference and four
                  4-epoch candidates trained on 45,000 CIFAR-10 training images and scored on the other 5,000, two side by
                  side; the rule (the best candidate if it reaches 0.715) picks one. Writes notebooks/results/car-recipe-choice.json
                  (or DIR), which the notebook shows. About 7 minutes on 2 cores.

              readme [--check]
                  Rewrites the README's generated sections (findings, verdict, timings, benchmarks) from
                  notebooks/results/; --check only compares and exits 1 when one is stale.

              site [--output DIR]
                  Regenerates the static site (docs/ by default) from the executed notebooks as they are.

              clean NOTEBOOK.ipynb ...
                  Makes a notebook saved from VS Code or Jupyter fit to commit, as the main job's runs are: drops the
                  Jupyter kernel's bootstrap script (it lists the machine's network addresses) and package-restore
                  chatter, replaces machine paths, writes Plotly figures (JSON text in a live Jupyter session) as JSON
                  objects, gives every cell an id and keeps the cells' tags. Rewrites each file in place, atomically.

              programs [--only NN] [--check]
                  Writes every notebook as a plain C# program, notebooks/programs/NN-title.cs, generated from its code cells
                  (the notebook stays the one source: never edit a program by hand). Run one with
                  'dotnet run -c Release notebooks/programs/NN-title.cs' (TICKETLAB_PROFILE=quick for the quick profile): tables
                  and progress on the console, charts as HTML and PNG in data/cache/programs/NN-title/, results to the same
                  results file as the notebook. --check writes nothing and exits 1 naming each program that is stale.

              embed-data [--dataset FashionMnist|Mnist]
                  Rewrites the committed embedded subset (data/embedded/) from the full dataset.
            """);
        return 0;
    }

    /// <summary>The main job.</summary>
    public static int Notebooks(string[] args)
    {
        // --set may be given several times; it is taken out before the other options are parsed.
        var overrides = new List<KeyValuePair<string, string>>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--set" or "--set-file")
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value, e.g. --set Widths=\"new[] {{ 64, 128 }}\".");
                if (args[i] == "--set") overrides.Add(ParameterOverrides.Parse(args[++i]));
                else overrides.AddRange(ParameterOverrides.FromFile(args[++i]));
            }
            else rest.Add(args[i]);
        }
        var duplicate = overrides.GroupBy(o => o.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"--set {duplicate.Key} is given {duplicate.Count()} times; accepted: each name once.");
        var options = ParseOptions(rest.ToArray(), ["--profile", "--only", "--output"], ["--no-write-back"]);
        var profile = options.TryGetValue("--profile", out var p) ? Profile.Parse(p) : Profile.Current;
        if (overrides.Count > 0 && !options.ContainsKey("--only"))
            throw new ArgumentException("--set overrides the hyperparameters of one notebook; accepted with --only NN (for example --only 02).");
        // A run of another configuration never writes back: the main job writes back only the committed configuration.
        var writeBack = !profile.IsQuick && !options.ContainsKey("--no-write-back") && overrides.Count == 0;
        // A run with overrides gets its own folder, so that notebook 05 run on the default folder never reads overridden results unawares.
        var output = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o)
            : Path.Combine(ProjectPaths.Cache, "executed", overrides.Count > 0 ? profile.Name + "-set" : profile.Name);
        try
        {
            AtomicFile.ProbeWritable(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--output '{output}' cannot be written ({e.Message}); accepted: a folder this user can create and write in.", e);
        }
        if (options.TryGetValue("--only", out var only) && string.IsNullOrWhiteSpace(only))
            throw new ArgumentException("--only '' names no notebook; accepted: the start of a notebook's file name, e.g. --only 02 (leave --only out to run all).");
        var runner = new RunnerOptions(profile, options.GetValueOrDefault("--only"), writeBack, output, Overrides: overrides);
        var notebooks = NotebookRunner.Discover(runner.Only);
        if (notebooks.Count == 0)
            throw new ArgumentException($"no notebook in notebooks/ matches --only '{runner.Only}'.");
        if (overrides.Count > 0 && notebooks.Count > 1)
            throw new ArgumentException($"--only '{runner.Only}' matches {notebooks.Count} notebooks; --set overrides the hyperparameters of one (for example --only 02).");
        if (overrides.Count > 0)
        {
            // Refused here, before any build or run, when the notebook has no parameters cell or does not set a name.
            ParameterOverrides.Inject(File.ReadAllText(notebooks[0]), Path.GetFileName(notebooks[0]), overrides);
            AnsiConsole.MarkupLineInterpolated($"Overrides, injected after the parameters cell of {Path.GetFileName(notebooks[0])}: {string.Join("; ", overrides.Select(o => $"{o.Key} = {o.Value}"))}");
        }
        AnsiConsole.MarkupLineInterpolated($"[bold]TicketLab[/]: {notebooks.Count} notebook(s), profile [bold]{profile}[/], executed copies to {(writeBack ? "notebooks/" : Path.GetRelativePath(ProjectPaths.Root, output))}");
        AnsiConsole.MarkupLine("Building the notebook host and the library...");
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
        var table = new Table().AddColumns("notebook", "status", "seconds", "peak MB", "slowest cell", "headline numbers");
        foreach (var run in runs)
            table.AddRow(Markup.Escape(run.Notebook), run.Succeeded ? "[green]ok[/]" : "[red]failed[/]", $"{run.Seconds:0.0}", $"{run.PeakMb:0}",
                run.SlowestCell is { } slow ? $"cell {slow.Cell}: {slow.Seconds:0.0} s" : "", Markup.Escape(run.Headline));
        AnsiConsole.Write(table);
        var succeeded = runs.Where(r => r.Succeeded).Select(r => r.Record).ToList();
        if (succeeded.Count > 0)
        {
            var record = NotebookRuns.Record(profile.Name, succeeded, writeBack ? null : Path.Combine(output, "results"));
            AnsiConsole.MarkupLineInterpolated($"Timings and peak memory recorded ({record.Notebooks.Count} notebooks, {record.TotalSeconds:0} s in all).");
        }
        if (writeBack && runner.Only is null && runs.All(r => r.Succeeded))
        {
            UpdateReadme();
        }
        if (writeBack)
        {
            // The plain C# programs follow the notebooks' code (one source of truth): those of the notebooks written back.
            var written = NotebookPrograms.Update(runner.Only, check: false).Where(f => f.State == "written").ToList();
            AnsiConsole.MarkupLineInterpolated($"Programs: {(written.Count == 0 ? "up to date" : "regenerated " + string.Join(", ", written.Select(f => Path.GetFileName(f.Path))))}");
        }
        var siteFolder = writeBack ? Path.Combine(ProjectPaths.Root, "docs") : Path.Combine(output, "site");
        // The site shows only successful runs: when writing back, the committed notebooks (a failed run replaced none of them).
        var executed = writeBack ? NotebookRunner.Discover() : runs.Where(r => r.Succeeded).Select(r => r.ExecutedPath!).ToList();
        if (runner.Only is null && executed.Count > 0)
        {
            var pages = SiteBuilder.Build(executed, writeBack ? ProjectPaths.CommittedResults : Path.Combine(output, "results"), siteFolder);
            AnsiConsole.MarkupLineInterpolated($"Site: {pages.Count} pages, {pages.Sum(p => p.Charts)} interactive charts, in {Path.GetRelativePath(ProjectPaths.Root, siteFolder)}/");
        }
        var failed = runs.Where(r => !r.Succeeded).ToList();
        foreach (var run in failed) Console.Error.WriteLine($"FAILED {run.Problem}");
        if (failed.Count == 0) Directory.Delete(runner.ScratchFolder, recursive: true);
        else Console.Error.WriteLine($"This run's outputs and logs: {Path.GetRelativePath(ProjectPaths.Root, runner.ScratchFolder)}");
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Benchmarks that print ratios measured within one run and write notebooks/results/benchmarks.json.</summary>
    public static int Bench(string[] args)
    {
        var options = ParseOptions(args, ["--rounds", "--only"], ["--no-install"]);
        var bench = new TicketLab.Benchmarks.BenchOptions(
            Rounds: options.TryGetValue("--rounds", out var r) ? ParseInt("--rounds", r) : 5,
            InstallPeer: !options.ContainsKey("--no-install"),
            Only: options.GetValueOrDefault("--only")).Validate();
        AnsiConsole.MarkupLineInterpolated($"Benchmarks on {MachineDescription.Current}");
        var report = TicketLab.Benchmarks.BenchmarkSuite.Run(bench, line => AnsiConsole.WriteLine(line));
        var table = new Table().AddColumns("ratio", "value", "target", "measured as");
        foreach (var row in report.Rows)
            table.AddRow(Markup.Escape(row.Key), row.Value is { } v ? $"[bold]{v:0.###}[/]" : "-",
                row.Met switch { true => $"[green]{Markup.Escape(row.Target)}[/]", false => $"[red]{Markup.Escape(row.Target)} (missed)[/]", _ => Markup.Escape(row.Target) },
                Markup.Escape(row.Detail));
        AnsiConsole.Write(table);
        if (!report.Written) return 0;
        AnsiConsole.MarkupLineInterpolated($"Written to {Path.GetRelativePath(ProjectPaths.Root, Results.PathOf("benchmarks"))}");
        if (ProjectPaths.Results == ProjectPaths.CommittedResults)
        {
            UpdateReadme();
        }
        return 0;
    }

    /// <summary>
    /// Infinite-width NTK and NNGP regression on the whole Fashion-MNIST training set, evaluated on the whole test set
    /// (<see cref="TicketLab.Ntk.FullDataKernel"/>). The committed configuration writes notebooks/results/full-data-kernel.json
    /// and the README's section; any other writes to data/cache/kernel/ only.
    /// </summary>
    public static int Kernel(string[] args)
    {
        var options = ParseOptions(args, ["--dataset", "--train-per-class", "--test-per-class", "--kernels", "--ridge", "--tolerance", "--max-iterations", "--block", "--landmarks", "--output"], []);
        var defaults = new TicketLab.Ntk.FullKernelOptions();
        var kernels = options.TryGetValue("--kernels", out var k)
            ? k.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name =>
                Enum.TryParse<TicketLab.Ntk.InfiniteKernel>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed : throw new ArgumentException($"--kernels '{k}' names '{name}'; accepted: ntk, nngp, or both separated by a comma.")).ToArray()
            : null;
        var kernel = new TicketLab.Ntk.FullKernelOptions(
            Dataset: options.TryGetValue("--dataset", out var ds)
                ? Enum.TryParse<DatasetName>(ds, ignoreCase: true, out var named) && Enum.IsDefined(named) ? named : throw new ArgumentException($"--dataset '{ds}' is not known; accepted: FashionMnist, Mnist")
                : defaults.Dataset,
            TrainPerClass: options.TryGetValue("--train-per-class", out var tr) ? ParseInt("--train-per-class", tr) : null,
            TestPerClass: options.TryGetValue("--test-per-class", out var te) ? ParseInt("--test-per-class", te) : null,
            RelativeRidge: options.TryGetValue("--ridge", out var ri) ? ParseDouble("--ridge", ri) : defaults.RelativeRidge,
            Tolerance: options.TryGetValue("--tolerance", out var to) ? ParseDouble("--tolerance", to) : defaults.Tolerance,
            MaxIterations: options.TryGetValue("--max-iterations", out var mi) ? ParseInt("--max-iterations", mi) : defaults.MaxIterations,
            BlockSize: options.TryGetValue("--block", out var bl) ? ParseInt("--block", bl) : defaults.BlockSize,
            NystromRank: options.TryGetValue("--landmarks", out var lm) ? ParseInt("--landmarks", lm) : defaults.NystromRank,
            Kernels: kernels).Validate();
        // Only the committed configuration (all images, default knobs but the block size, both kernels) replaces the committed results.
        var committed = kernel with { BlockSize = defaults.BlockSize } == defaults;
        var folder = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o)
            : committed ? ProjectPaths.CommittedResults : Path.Combine(ProjectPaths.Cache, "kernel");
        AtomicFile.ProbeWritable(folder);
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(kernel.Dataset, Source: DataSource.Full, TrainPerClass: kernel.TrainPerClass, TestPerClass: kernel.TestPerClass));
        AnsiConsole.MarkupLineInterpolated($"Kernel regression on {data.Train.Count:N0} training and {data.Test.Count:N0} test images ({data.Origin}), {TorchSharp.torch.get_num_threads()} threads, on {MachineDescription.Current}");
        TicketLab.Ntk.FullKernelResults results;
        try
        {
            results = TicketLab.Ntk.FullDataKernel.Run(data, kernel, line => AnsiConsole.WriteLine(line));
        }
        catch (InvalidOperationException e)
        {
            // A solve that loses positive definiteness or diverges: say where and what to change; nothing is written.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message} (--ridge sets the ridge relative to the mean diagonal, now {kernel.RelativeRidge:g2}); no results written.");
            return 1;
        }
        var table = new Table().AddColumns("kernel", "test accuracy", "95% band", "iterations", "residual", "train kernel s", "test kernel s", "solve s", "kernels GB");
        foreach (var s in results.Solves)
            table.AddRow(s.Kernel, $"{s.TestAccuracy:0.0000}", $"{s.TestAccuracyBand[0]:0.0000} to {s.TestAccuracyBand[1]:0.0000}", $"{s.Iterations}",
                $"{s.RecursionResidual:g2} ({s.RelativeResidual:g2} true)" + (s.Converged ? "" : " [red](not converged)[/]"), $"{s.TrainKernelSeconds:0}", $"{s.TestKernelSeconds:0}", $"{s.SolveSeconds:0}", $"{s.KernelGigabytes:0.0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{results.TotalSeconds:0} s in all; peak memory {(results.PeakMemoryGigabytes is { } peak ? $"{peak:0.0} GB" : "not reported by this system")}");
        var written = Results.Write(results, folder);
        AnsiConsole.MarkupLineInterpolated($"Written to {written}");
        if (folder == ProjectPaths.CommittedResults) UpdateReadme();
        return results.Solves.All(s => s.Converged) ? 0 : 1;
    }

    /// <summary>
    /// Reruns notebook 04's recipe choice (<see cref="TicketLab.Cars.RecipeChoiceResults.Run"/>) and writes its results file:
    /// the committed one, or one in --output.
    /// </summary>
    public static int Recipes(string[] args)
    {
        var options = ParseOptions(args, ["--output"], []);
        var folder = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o) : ProjectPaths.CommittedResults;
        AtomicFile.ProbeWritable(folder);
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var choice = TicketLab.Cars.RecipeChoiceOptions.Committed;
        AnsiConsole.MarkupLineInterpolated($"Recipe choice: {choice.Candidates.Length} candidates and the reference, two side by side, on {MachineDescription.Current}");
        var last = DateTime.MinValue;
        var results = TicketLab.Cars.RecipeChoiceResults.Run(choice, lines =>
        {
            if (DateTime.UtcNow - last < TimeSpan.FromSeconds(30)) return;
            last = DateTime.UtcNow;
            foreach (var line in lines) AnsiConsole.WriteLine("  " + line);
        });
        var table = new Table().AddColumns("recipe", "role", "validation accuracy", "by epoch", "seconds");
        foreach (var c in results.Candidates.Prepend(results.Reference))
            table.AddRow(c.Recipe, ReferenceEquals(c, results.Reference) ? "reference" : c.Chosen ? "chosen" : "candidate", $"{c.ValidationAccuracy:0.0000}",
                string.Join(" ", c.ValidationCurve.Skip(1).Select(v => v.ToString("0.0000"))), $"{c.Seconds:0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Rule: {results.Rule}. Chosen: {results.Chosen ?? "none"}. {results.TotalSeconds:0} s in all.");
        AnsiConsole.MarkupLineInterpolated($"Written to {Results.Write(results, folder)}");
        return 0;
    }

    /// <summary>Rewrites the README's generated sections from the results folder and says which changed or could not be written.</summary>
    static void UpdateReadme()
    {
        var skipped = new List<string>();
        var changed = ReadmeSections.Update(Path.Combine(ProjectPaths.Root, "README.md"), ProjectPaths.CommittedResults, skipped);
        AnsiConsole.MarkupLineInterpolated($"README: {(changed.Count == 0 ? "numbers unchanged" : "rewrote " + string.Join(", ", changed))}");
        foreach (var line in skipped) AnsiConsole.MarkupLineInterpolated($"[yellow]README section not updated[/] {line}");
    }

    static double ParseDouble(string option, string value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new ArgumentException($"{option} '{value}' is not a number.");

    static int ParseInt(string option, string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new ArgumentException($"{option} '{value}' is not a whole number.");

    /// <summary>Rewrites (or with --check, compares) the README's generated sections from the results files.</summary>
    public static int Readme(string[] args)
    {
        var options = ParseOptions(args, [], ["--check"]);
        var readme = Path.Combine(ProjectPaths.Root, "README.md");
        if (options.ContainsKey("--check"))
        {
            var current = ReadmeSections.Read(File.ReadAllText(readme));
            var stale = current.Where(kv => kv.Value != ReadmeSections.Render(kv.Key, ProjectPaths.CommittedResults)).Select(kv => kv.Key).ToList();
            Console.WriteLine(stale.Count == 0 ? $"README: {current.Count} generated sections match the results files." : $"README: stale sections: {string.Join(", ", stale)} (run: readme)");
            return stale.Count == 0 ? 0 : 1;
        }
        var changed = ReadmeSections.Update(readme, ProjectPaths.CommittedResults);
        Console.WriteLine(changed.Count == 0 ? "README: numbers unchanged" : $"README: rewrote {string.Join(", ", changed)}");
        return 0;
    }

    /// <summary>Regenerates the static site from the notebooks as they are (no execution).</summary>
    public static int Site(string[] args)
    {
        var options = ParseOptions(args, ["--output"], []);
        var output = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o) : Path.Combine(ProjectPaths.Root, "docs");
        var pages = SiteBuilder.Build(NotebookRunner.Discover(), ProjectPaths.CommittedResults, output);
        Console.WriteLine($"{pages.Count} pages, {pages.Sum(p => p.Charts)} interactive charts, in {output}");
        return 0;
    }

    /// <summary>Cleans notebooks saved by an editor or a Jupyter client in place (see <see cref="NotebookCleaner.CleanSaved"/>).</summary>
    public static int Clean(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("clean needs at least one notebook; accepted: paths of .ipynb files, e.g. clean notebooks/00-the-debate.ipynb");
        foreach (var path in args)
        {
            if (!path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
                throw new ArgumentException($"clean: '{path}' is not an existing .ipynb file; accepted: paths of notebooks, e.g. notebooks/00-the-debate.ipynb");
            var dropped = NotebookCleaner.CleanSaved(path);
            Console.WriteLine($"{path}: cleaned ({dropped} output(s) dropped)");
        }
        return 0;
    }

    /// <summary>Writes (or with --check, compares) the notebooks' programs in notebooks/programs/.</summary>
    public static int Programs(string[] args)
    {
        var options = ParseOptions(args, ["--only"], ["--check"]);
        var check = options.ContainsKey("--check");
        var files = NotebookPrograms.Update(options.GetValueOrDefault("--only"), check);
        foreach (var file in files) Console.WriteLine($"{Path.GetRelativePath(ProjectPaths.Root, file.Path)}: {file.State}");
        var stale = files.Where(NotebookPrograms.IsStale).ToList();
        if (check && stale.Count > 0)
        {
            Console.WriteLine($"Stale programs: {string.Join(", ", stale.Select(f => Path.GetFileName(f.Path)))} (run: programs)");
            return 1;
        }
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
