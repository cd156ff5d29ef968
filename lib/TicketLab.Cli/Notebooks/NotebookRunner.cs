using TicketLab.Benchmarks;
using System.Diagnostics;

namespace TicketLab.Cli.Notebooks;

/// <summary>How the main job runs the notebooks.</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Only">Run only notebooks whose file name starts with this (e.g. "00"); null runs all.</param>
/// <param name="WriteBack">Write the executed notebooks and results files into notebooks/ (the committed copies).</param>
/// <param name="OutputFolder">Where executed notebooks, logs and (unless written back) results go.</param>
/// <param name="TimeoutMinutes">Longest a single notebook may run.</param>
public sealed record RunnerOptions(Profile Profile, string? Only, bool WriteBack, string OutputFolder, int TimeoutMinutes = 45);

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
    public CellTiming? SlowestCell => Cells.Count == 0 ? null : Cells.MaxBy(c => c.Seconds);

    /// <summary>The record the main job keeps in notebook-runs.json.</summary>
    public NotebookRunRecord Record => new(Path.GetFileNameWithoutExtension(Notebook), Math.Round(Seconds, 1), Math.Round(PeakMb), Cells);

    /// <summary>What went wrong, naming the notebook and the cell.</summary>
    public string Problem => Errors.Count > 0
        ? $"{Notebook}: {string.Join("; ", Errors)}"
        : $"{Notebook}: {Failure}";
}

/// <summary>Executes notebooks headlessly with dotnet-repl (one fresh kernel each), then cleans and checks them.</summary>
public static class NotebookRunner
{
    /// <summary>The notebooks of the suite in reading order (notebooks/NN-*.ipynb).</summary>
    public static IReadOnlyList<string> Discover(string? only = null) =>
        Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb")
            .Where(p => char.IsDigit(Path.GetFileName(p)[0]))
            .Where(p => only is null || Path.GetFileName(p).StartsWith(only, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Restores the local dotnet tools (dotnet-repl) and builds the library the notebooks load.</summary>
    public static void Prepare(TextWriter log)
    {
        Exec("dotnet", ["tool", "restore"], ProjectPaths.Root, log, TimeSpan.FromMinutes(10), null);
        Exec("dotnet", ["build", Path.Combine("lib", "TicketLab", "TicketLab.csproj"), "-c", "Release", "-nologo", "-v", "q"],
            ProjectPaths.Root, log, TimeSpan.FromMinutes(15), null);
    }

    /// <summary>Runs one notebook top to bottom in a fresh kernel and returns what happened.</summary>
    public static NotebookRun Run(string notebookPath, RunnerOptions options)
    {
        var name = Path.GetFileName(notebookPath);
        var stem = Path.GetFileNameWithoutExtension(notebookPath);
        Directory.CreateDirectory(options.OutputFolder);
        var resultsFolder = options.WriteBack ? ProjectPaths.Results : Path.Combine(options.OutputFolder, "results");
        Directory.CreateDirectory(resultsFolder);
        var rawOutput = Path.Combine(options.OutputFolder, stem + ".raw.ipynb");
        var logPath = Path.Combine(options.OutputFolder, stem + ".log");
        if (File.Exists(rawOutput)) File.Delete(rawOutput);
        var clock = Stopwatch.StartNew();
        int exitCode;
        MemoryMonitor? monitor = null;
        using (var log = new StreamWriter(logPath))
        {
            exitCode = Exec("dotnet", ["repl", "--run", Path.GetFullPath(notebookPath), "--exit-after-run", "--output-path", Path.GetFullPath(rawOutput)],
                ProjectPaths.Notebooks, log, TimeSpan.FromMinutes(options.TimeoutMinutes), new Dictionary<string, string>
                {
                    [Profile.Variable] = options.Profile.Name,
                    ["TICKETLAB_RESULTS"] = Path.GetFullPath(resultsFolder),
                    ["DOTNET_NOLOGO"] = "1",
                    ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                    ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
                }, throwOnFailure: false, onStarted: p => monitor = new MemoryMonitor(p));
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
        var executed = options.WriteBack ? notebookPath : Path.Combine(options.OutputFolder, name);
        NotebookCleaner.Write(document, executed);
        File.Delete(rawOutput);
        var failure = errors.Count == 0 && exitCode != 0 ? $"the runner exited with code {exitCode}; see {Path.GetRelativePath(ProjectPaths.Root, logPath)}: {Tail(logPath)}" : null;
        return new NotebookRun(name, errors.Count == 0 && exitCode == 0, seconds, errors, executed, Site.Headline.Of(stem, resultsFolder), failure,
            timings.Select(t => new CellTiming(t.Cell, Math.Round(t.Seconds, 1))).ToList(), peakMb);
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
