using System.Text.Json;

namespace TicketLab.Benchmarks;

/// <summary>How long one notebook took in the main job and how much memory its kernel used at most.</summary>
/// <param name="Notebook">File name without extension (e.g. "01-detector-density").</param>
/// <param name="Seconds">Wall-clock seconds from kernel start to exit.</param>
/// <param name="PeakMb">Largest resident memory of the kernel process (MiB), sampled while it ran.</param>
/// <param name="Cells">Seconds of each executed code cell.</param>
public sealed record NotebookRunRecord(string Notebook, double Seconds, double PeakMb, IReadOnlyList<CellTiming> Cells)
{
    /// <summary>The slowest code cell that is not a training cell, or cell 0 with 0 seconds when none was timed.</summary>
    public CellTiming SlowestCell => Cells.Where(c => !c.Training).MaxBy(c => c.Seconds) ?? new CellTiming(0, 0);

    /// <summary>Seconds of the training cells (tagged "training": they load or train cached nets, and are exempt from the 90 s a cell).</summary>
    public double TrainingSeconds => Math.Round(Cells.Where(c => c.Training).Sum(c => c.Seconds), 1);

    /// <summary>Average cores busy over the cells whose processor time was recorded (their processor over their wall-clock
    /// seconds), or null when none was: below the core count, some cell leaves a core idle.</summary>
    public double? CoresBusy
    {
        get
        {
            var timed = Cells.Where(c => c.CpuSeconds > 0).ToList();
            var seconds = timed.Sum(c => c.Seconds);
            return seconds >= 1 ? Math.Round(timed.Sum(c => c.CpuSeconds) / seconds, 2) : null;
        }
    }
}

/// <summary>How long one cell ran.</summary>
/// <param name="Cell">Position of the cell in the notebook, 1-based, counting Markdown cells (as editors number them).</param>
/// <param name="Seconds">Wall-clock seconds from the cell's start to its end.</param>
/// <param name="Training">Whether the cell is tagged "training" (it loads or trains cached nets; exempt from the 90 s a cell).</param>
/// <param name="CpuSeconds">Processor seconds the kernel's process spent during the cell, over all its threads (0 when not recorded).
/// Divided by <paramref name="Seconds"/>, how many cores the cell kept busy on average: <see cref="CoresBusy"/>.</param>
public sealed record CellTiming(int Cell, double Seconds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool Training = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] double CpuSeconds = 0)
{
    /// <summary>Average cores busy during the cell (processor over wall-clock seconds), or null when not recorded or too short to say.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? CoresBusy => CpuSeconds > 0 && Seconds >= 1 ? Math.Round(CpuSeconds / Seconds, 2) : null;
}

/// <summary>The file the main job writes after a run (<c>notebooks/results/notebook-runs.json</c>), read by the bench command and the README.</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Machine">Processor, cores and operating system of the run.</param>
/// <param name="Notebooks">One record per notebook, in reading order.</param>
public sealed record NotebookRuns(string Profile, string Machine, IReadOnlyList<NotebookRunRecord> Notebooks)
{
    /// <summary>The results-file name.</summary>
    public const string Name = "notebook-runs";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Seconds of the whole suite.</summary>
    public double TotalSeconds => Notebooks.Sum(n => n.Seconds);

    /// <summary>Merges <paramref name="runs"/> into the file (in <paramref name="resultsFolder"/>, default the results folder) (a run of some notebooks keeps the others' records) and writes it atomically.</summary>
    public static NotebookRuns Record(string profile, IEnumerable<NotebookRunRecord> runs, string? resultsFolder = null)
    {
        var path = Results.PathOf(Name, resultsFolder);
        var previous = File.Exists(path) ? Load(path) : null;
        var merged = (previous is not null && previous.Profile == profile ? previous.Notebooks : [])
            .Where(old => runs.All(r => r.Notebook != old.Notebook))
            .Concat(runs)
            .OrderBy(r => r.Notebook, StringComparer.Ordinal)
            .ToList();
        var record = new NotebookRuns(profile, MachineDescription.Current, merged);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, Json) + "\n");
        return record;
    }

    /// <summary>Reads the file; a missing one says how to produce it, a corrupt one is reported.</summary>
    public static NotebookRuns Read(string? resultsFolder = null)
    {
        var path = Results.PathOf(Name, resultsFolder);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No notebook timings at '{path}': run the main job (dotnet run --project lib/TicketLab.Cli -c Release -- notebooks).", path);
        return Load(path);
    }

    static NotebookRuns Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<NotebookRuns>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"'{path}' holds null instead of notebook timings.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid notebook-timings file ({e.Message}); delete it and rerun the main job.", e);
        }
    }
}
