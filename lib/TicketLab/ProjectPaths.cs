namespace TicketLab;

/// <summary>Folders of the TicketLab checkout, found by walking up to the folder that holds <c>TicketLab.slnx</c>.</summary>
public static class ProjectPaths
{
    const string Marker = "TicketLab.slnx";

    /// <summary>The checkout's root: from the working directory upward, else from this assembly's folder upward.</summary>
    public static string Root => FindRoot() ?? throw new DirectoryNotFoundException(
        $"Cannot find the TicketLab checkout: no folder above '{Environment.CurrentDirectory}' or '{AppContext.BaseDirectory}' "
        + $"holds {Marker}. Run from inside the repository (notebooks are run from notebooks/).");

    /// <summary><c>data/</c>: dataset notes and the embedded subsets.</summary>
    public static string Data => Path.Combine(Root, "data");

    /// <summary><c>data/cache/</c>: downloads, trained weights and scratch output (ignored by git).</summary>
    public static string Cache => Environment.GetEnvironmentVariable("TICKETLAB_CACHE") is { Length: > 0 } dir ? dir : Path.Combine(Data, "cache");

    /// <summary><c>notebooks/</c>.</summary>
    public static string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>
    /// Where notebooks write (and notebook 05 reads) results files: <c>TICKETLAB_RESULTS</c> when set (the CLI sets it);
    /// otherwise, in the quick profile, <c>data/cache/executed/quick/results/</c>, where the CLI puts quick runs, so that a
    /// notebook run in the quick profile in VS Code or Jupyter never writes over the committed full-profile results; and in
    /// the full profile <c>notebooks/results/</c>.
    /// </summary>
    public static string Results => ResultsFor(Environment.GetEnvironmentVariable("TICKETLAB_RESULTS"), Profile.Current);

    /// <summary><see cref="Results"/> for a value of <c>TICKETLAB_RESULTS</c> (null when unset) and a profile.</summary>
    public static string ResultsFor(string? resultsVariable, Profile profile) => resultsVariable is { Length: > 0 } dir ? dir
        : profile.IsQuick ? Path.Combine(Cache, "executed", "quick", "results")
        : CommittedResults;

    /// <summary><c>notebooks/results/</c>: the committed full-profile results files.</summary>
    public static string CommittedResults => Path.Combine(Notebooks, "results");

    static string? FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory, Path.GetDirectoryName(typeof(ProjectPaths).Assembly.Location) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        }
        return null;
    }
}
