using TicketLab.Cars;
using TicketLab.Detectors;
using TicketLab.Ntk;
using TicketLab.Pruning;
using TicketLab.Training;

namespace TicketLab.Verdict;

/// <summary>The results files of notebooks 00-04, loaded together for the verdict (notebook 05) and the README.</summary>
/// <param name="Debate">00-the-debate.</param>
/// <param name="Density">01-detector-density.</param>
/// <param name="Ntk">02-ntk-fixed-features.</param>
/// <param name="Pruning">03-pruning-as-optimization.</param>
/// <param name="Cars">04-car-detectors (null only where a test builds the suite without it: the verdict then judges claims 1 and 2 on Fashion-MNIST alone).</param>
public sealed record SuiteResults(DebateResults Debate, DensityResults Density, NtkResults Ntk, PruningResults Pruning, CarResults? Cars = null)
{
    /// <summary>The notebooks whose results the verdict reads, in reading order.</summary>
    public static readonly IReadOnlyList<string> Notebooks = [DebateResults.Notebook, DensityResults.Notebook, NtkResults.Notebook, PruningResults.Notebook, CarResults.Notebook];

    /// <summary>Every notebook's results file, the verdict's included, in reading order.</summary>
    public static readonly IReadOnlyList<string> AllNotebooks = [.. Notebooks, VerdictResults.Notebook];

    /// <summary>
    /// Loads all four results files. When some are missing, the error lists each one with the notebook that writes it and
    /// the command that runs it; a file of another schema or not valid JSON is reported with its path.
    /// </summary>
    /// <param name="folder">The results folder; by default notebooks/results (or TICKETLAB_RESULTS).</param>
    public static SuiteResults Load(string? folder = null)
    {
        var missing = Notebooks.Where(n => !File.Exists(TicketLab.Results.PathOf(n, folder))).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException("Missing results: " + string.Join("; ", missing.Select(n =>
                $"{n}.json is written by notebooks/{n}.ipynb (run it, or: dotnet run --project lib/TicketLab.Cli -c Release -- notebooks --only {n[..2]})")));
        return new SuiteResults(TicketLab.Results.Read<DebateResults>(folder), TicketLab.Results.Read<DensityResults>(folder),
            TicketLab.Results.Read<NtkResults>(folder), TicketLab.Results.Read<PruningResults>(folder), TicketLab.Results.Read<CarResults>(folder));
    }

    /// <summary>Reads one notebook's results file as its own record type (for the README and the site).</summary>
    public static INotebookResults Read(string notebook, string? folder = null) => notebook switch
    {
        "00-the-debate" => TicketLab.Results.Read<DebateResults>(folder),
        "01-detector-density" => TicketLab.Results.Read<DensityResults>(folder),
        "02-ntk-fixed-features" => TicketLab.Results.Read<NtkResults>(folder),
        "03-pruning-as-optimization" => TicketLab.Results.Read<PruningResults>(folder),
        "04-car-detectors" => TicketLab.Results.Read<CarResults>(folder),
        "05-verdict" => TicketLab.Results.Read<VerdictResults>(folder),
        _ => throw new ArgumentOutOfRangeException(nameof(notebook), notebook, $"accepted: {string.Join(", ", AllNotebooks)}"),
    };

    /// <summary>One row per results file: its profile and finding (what the verdict is built on).</summary>
    public IReadOnlyList<SourceRow> Sources() =>
    [
        new(Notebooks[0], Debate.Profile, Debate.Finding), new(Notebooks[1], Density.Profile, Density.Finding),
        new(Notebooks[2], Ntk.Profile, Ntk.Finding), new(Notebooks[3], Pruning.Profile, Pruning.Finding),
        .. Cars is null ? Array.Empty<SourceRow>() : [new(Notebooks[4], Cars.Profile, Cars.Finding)],
    ];

    /// <summary>The hidden-unit density curves of notebooks 01-03, checked for completeness.</summary>
    public IReadOnlyList<StoredDensityCurves> DensityCurves() =>
        [Density.HiddenDensity.Check(DensityResults.Notebook), Ntk.HiddenDensity.Check(NtkResults.Notebook), Pruning.HiddenDensity.Check(PruningResults.Notebook)];
}

/// <summary>One results file the verdict is built on.</summary>
/// <param name="Notebook">The notebook.</param>
/// <param name="Profile">quick or full.</param>
/// <param name="Finding">Its headline finding.</param>
public sealed record SourceRow(string Notebook, string Profile, string Finding);
