using System.Globalization;
using System.Text.Json;
using TicketLab.Verdict;

namespace TicketLab.Cli.Site;

/// <summary>The top-level numbers of a results file, for the main job's summary table and the site's index.</summary>
public static class Headline
{
    /// <summary>"key=value" for each top-level number of <paramref name="results"/> (the seed excluded).</summary>
    public static string Numbers(INotebookResults results) => string.Join(", ", JsonSerializer.SerializeToNode(results, results.GetType(), Results.Json)!.AsObject()
        .Where(kv => kv.Key != "seed" && kv.Value?.GetValueKind() == JsonValueKind.Number)
        .Select(kv => $"{kv.Key}={kv.Value!.GetValue<double>().ToString("0.####", CultureInfo.InvariantCulture)}"));

    /// <summary>The numbers of <paramref name="notebook"/>'s results file in <paramref name="folder"/>, or why there are none.</summary>
    public static string Of(string notebook, string folder)
    {
        if (!File.Exists(Results.PathOf(notebook, folder))) return "(no results file)";
        try { return Numbers(SuiteResults.Read(notebook, folder)); }
        catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException) { return $"(results file not readable: {e.Message})"; }
    }
}
