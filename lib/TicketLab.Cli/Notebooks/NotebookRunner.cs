using TicketLab.Benchmarks;
using System.Diagnostics;

namespace TicketLab.Cli.Notebooks;

/// <summary>How the main job runs the notebooks.</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Only">Run only notebooks whose file name starts with this (e.g. "00"); null runs all.</param>
/// <param name="WriteBack">Write each notebook that ran without error, and its results file, back into notebooks/ (the committed copies).</param>
/// <param name="OutputFolder">Where executed notebooks and (unless written back) results go.</param>
/// <param name="TimeoutMinutes">Longest a single notebook may run.</param>
/// <param name="Scratch">This run's own folder (raw outputs, logs, and the executed copies and results before they are written back):
/// by default a new folder under <paramref name="OutputFolder"/>, so that two runs at once never share a file.</param>
/// <param name="Overrides">Hyperparameter overrides (<c>--set</c>): a cell injected after the notebook's parameters cell; such a run never writes back.</param>
public sealed record RunnerOptions(Profile Profile, string? Only, bool WriteBack, string OutputFolder, int TimeoutMinutes = 45, string? Scratch = null,
    IReadOnlyList<KeyValuePair<string, string>>? Overrides = null)
{
    /// <summary>This run's scratch folder.</summary>
    public string ScratchFolder { get; } = Scratch ?? Path.Combine(OutputFolder, "runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");

    /// <summary>Where the notebooks of this run write their results files: the scratch folder's copy when written back.</summary>
    public string ResultsFolder => WriteBack ? Path.Combine(ScratchFolder, "results") : Path.Combine(OutputFolder, "results");
}

/// <summary>The outcome of one notebook.</summary>
/// <param name="Notebook">File name.</param>
/// <param name="Succeeded">No cell failed and the runner exited cleanly.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="Errors">The failing cells.</param>
/// <param name="ExecutedPath">The executed, cleaned notebook.</param>
/// <param name="Headline">The numeric fields of its results file.</param>
/// <param name="Failure">Why it failed, when no cell error explains it.</param>
/// <param name="Cells">Seconds of each executed code cell.</param>
/// <param name="PeakMb">Largest resident memory of the runner and its kernel (MiB).</param>
public sealed record NotebookRun(string Notebook, bool Succeeded, double Seconds, IReadOnlyList<CellError> Errors, string? ExecutedPath, string Headline, string? Failure,
    IReadOnlyList<CellTiming> Cells, double PeakMb)
{
    /// <summary>The code cell that took longest, if any was timed.</summary>
    public CellTiming? SlowestCell => Cells.Where(c => !c.Training).MaxBy(c => c.Seconds);

    /// <summary>The record the main job keeps in notebook-runs.json.</summary>
    public NotebookRunRecord Record => new(Path.GetFileNameWithoutExtension(Notebook), Math.Round(Seconds, 1), Math.Round(PeakMb), Cells);

    /// <summary>What went wrong, naming the notebook and the cell.</summary>
    public string Problem => Errors.Count > 0
        ? $"{Notebook}: {string.Join("; ", Errors)}" + (Failure is null ? "" : $" ({Failure})")
        : $"{Notebook}: {Failure}";
}

/// <summary>
/// Executes notebooks headlessly, each in a fresh process of lib/TicketLab.NotebookHost (a .NET Interactive C# kernel hosted
/// in process, from the pinned packages), then cleans and checks them.
/// </summary>
public static class NotebookRunner
{
    /// <summary>The notebooks of the suite in reading order (notebooks/NN-*.ipynb).</summary>
    public static IReadOnlyList<string> Discover(string? only = null) =>
        Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb")
            .Where(p => char.IsDigit(Path.GetFileName(p)[0]))
            .Where(p => only is null || Path.GetFileName(p).StartsWith(only, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The notebook host's program (built by <see cref="Prepare"/>).</summary>
    public static string HostPath => Path.Combine(ProjectPaths.Root, "lib", "TicketLab.NotebookHost", "bin", "Release", "net10.0", "TicketLab.NotebookHost.dll");

    /// <summary>Builds the notebook host and the library the notebooks load.</summary>
    public static void Prepare(TextWriter log)
    {
        foreach (var project in new[] { Path.Combine("lib", "TicketLab.NotebookHost", "TicketLab.NotebookHost.csproj"), Path.Combine("lib", "TicketLab", "TicketLab.csproj") })
            Exec("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"], ProjectPaths.Root, log, TimeSpan.FromMinutes(15), null);
        libraryBuilt = true;
    }

    /// <summary>Environment variable that tells setup.dib the library is built and current, so a notebook need not build it.</summary>
    public const string LibraryBuiltVariable = "TICKETLAB_LIBRARY_BUILT";

    /// <summary>Whether <see cref="Prepare"/> built the library in this process (then every notebook run skips its own build, about 2 s).</summary>
    static volatile bool libraryBuilt;

    /// <summary>
    /// Creates the run's scratch folder; when writing back, seeds its results folder with the committed results files, so
    /// that a notebook reading earlier ones (04) sees this run's where they succeeded and the committed ones otherwise.
    /// </summary>
    public static void PrepareScratch(RunnerOptions options)
    {
        Directory.CreateDirectory(options.ScratchFolder);
        Directory.CreateDirectory(options.OutputFolder);
        Directory.CreateDirectory(options.ResultsFolder);
        if (!options.WriteBack) return;
        foreach (var file in Directory.GetFiles(ProjectPaths.CommittedResults, "*.json"))
            File.Copy(file, Path.Combine(options.ResultsFolder, Path.GetFileName(file)), overwrite: true);
    }

    /// <summary>
    /// Runs one notebook top to bottom in a fresh kernel, into the scratch folder, and returns what happened. When writing
    /// back, the committed notebook and its results file are replaced (atomically) only if every cell succeeded: a failed
    /// run never replaces a good committed output.
    /// </summary>
    public static NotebookRun Run(string notebookPath, RunnerOptions options)
    {
        var name = Path.GetFileName(notebookPath);
        var stem = Path.GetFileNameWithoutExtension(notebookPath);
        PrepareScratch(options);
        var resultsFolder = options.ResultsFolder;
        var rawOutput = Path.Combine(options.ScratchFolder, stem + ".raw.ipynb");
        var logPath = Path.Combine(options.ScratchFolder, stem + ".log");
        if (File.Exists(rawOutput)) File.Delete(rawOutput);
        var overrides = options.Overrides ?? [];
        if (overrides.Count > 0 && options.WriteBack)
            throw new ArgumentException("a run with --set overrides never writes back: it would put another configuration in notebooks/ (run it with --no-write-back).", nameof(options));
        var runPath = notebookPath;
        if (overrides.Count > 0)
        {
            // A copy with the injected cell, in the scratch folder (setup.dib is imported relative to notebooks/, the working directory).
            runPath = Path.Combine(options.ScratchFolder, name);
            AtomicFile.WriteAllText(runPath, ParameterOverrides.Inject(File.ReadAllText(notebookPath), name, overrides));
        }
        var environment = new Dictionary<string, string>
        {
            [Profile.Variable] = options.Profile.Name,
            ["TICKETLAB_RESULTS"] = Path.GetFullPath(resultsFolder),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        // Set either way: a value inherited from the caller's environment must not skip a build that Prepare did not do.
        environment[LibraryBuiltVariable] = libraryBuilt ? "1" : "0";
        if (overrides.Count > 0)
            environment[Results.OverridesVariable] = new System.Text.Json.Nodes.JsonObject(overrides.Select(o => KeyValuePair.Create(o.Key, (System.Text.Json.Nodes.JsonNode?)o.Value))).ToJsonString();
        var clock = Stopwatch.StartNew();
        int exitCode;
        MemoryMonitor? monitor = null;
        using (var log = new StreamWriter(logPath))
        {
            exitCode = Exec("dotnet", [HostPath, Path.GetFullPath(runPath), Path.GetFullPath(rawOutput)],
                ProjectPaths.Notebooks, log, TimeSpan.FromMinutes(options.TimeoutMinutes), environment, throwOnFailure: false, onStarted: p => monitor = new MemoryMonitor(p));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        monitor?.Dispose();
        var peakMb = monitor?.PeakMb ?? 0;
        if (!File.Exists(rawOutput))
            return new NotebookRun(name, false, seconds, [], null, "",
                $"the runner wrote no executed notebook (exit code {exitCode}); see {Path.GetRelativePath(ProjectPaths.Root, logPath)}: {Tail(logPath)}", [], peakMb);
        var document = NotebookCleaner.Read(rawOutput);
        var timings = NotebookCleaner.TakeCellTimings(document);
        NotebookCleaner.Clean(document, MachinePaths());
        var errors = NotebookCleaner.Errors(document);
        var executed = Path.Combine(options.WriteBack ? options.ScratchFolder : options.OutputFolder, name);
        NotebookCleaner.Write(document, executed);
        // The document writer drops cell tags; the parameters tag (and the injected cell's) are carried over from the source.
        AtomicFile.WriteAllText(executed, ParameterOverrides.RestoreTags(File.ReadAllText(notebookPath), File.ReadAllText(executed), overrides.Count > 0));
        File.Delete(rawOutput);
        if (runPath != notebookPath) File.Delete(runPath);
        var succeeded = errors.Count == 0 && exitCode == 0;
        if (succeeded && options.WriteBack)
        {
            var results = Path.Combine(resultsFolder, stem + ".json");
            if (File.Exists(results)) AtomicFile.WriteAllBytes(Results.PathOf(stem, ProjectPaths.CommittedResults), File.ReadAllBytes(results));
            AtomicFile.WriteAllBytes(notebookPath, File.ReadAllBytes(executed));
            executed = notebookPath;
        }
        var failure = errors.Count == 0 && exitCode != 0 ? $"the runner exited with code {exitCode}; see {Path.GetRelativePath(ProjectPaths.Root, logPath)}: {Tail(logPath)}"
            : !succeeded && options.WriteBack ? $"the committed notebook and results were left as they were; this run's copy is {Path.GetRelativePath(ProjectPaths.Root, executed)}" : null;
        return new NotebookRun(name, succeeded, seconds, errors, executed, Site.Headline.Of(stem, resultsFolder), failure,
            timings.Select(t => new CellTiming(t.Cell, Math.Round(t.Seconds, 1), t.Training, Math.Round(t.CpuSeconds, 1))).ToList(), peakMb);
    }

    /// <summary>The paths of this machine that must not appear in committed outputs, with their stand-ins.</summary>
    public static IReadOnlyList<(string Path, string StandIn)> MachinePaths()
    {
        var list = new List<(string, string)>
        {
            (ProjectPaths.Notebooks + Path.DirectorySeparatorChar, ""),
            (ProjectPaths.Root + Path.DirectorySeparatorChar, "../"),
            (ProjectPaths.Root, ".."),
        };
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 1) list.Add((home, "~"));
        var temp = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);
        if (temp.Length > 1) list.Add((temp, "<tmp>"));
        return list;
    }

    static string Tail(string logPath)
    {
        var lines = File.Exists(logPath) ? File.ReadAllLines(logPath) : [];
        return string.Join(" | ", lines.Where(l => l.Trim().Length > 0).TakeLast(5));
    }

    static int Exec(string file, IEnumerable<string> args, string workingDirectory, TextWriter log, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment, bool throwOnFailure = true, Action<Process>? onStarted = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start '{file}'.");
        onStarted?.Invoke(process);
        process.StandardInput.Close();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', info.ArgumentList)}' ran longer than {timeout.TotalMinutes:0} minutes and was stopped.");
        }
        process.WaitForExit();
        log.Flush();
        if (throwOnFailure && process.ExitCode != 0)
            throw new InvalidOperationException($"'{file} {string.Join(' ', info.ArgumentList)}' failed with exit code {process.ExitCode} (in {workingDirectory}).");
        return process.ExitCode;
    }
}
