using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketLab.Verdict;

/// <summary>The results files of notebooks 00-03, loaded together for the verdict (notebook 04) and the README.</summary>
/// <param name="Debate">00-the-debate.</param>
/// <param name="Density">01-detector-density.</param>
/// <param name="Ntk">02-ntk-fixed-features.</param>
/// <param name="Pruning">03-pruning-as-optimization.</param>
public sealed record SuiteResults(JsonObject Debate, JsonObject Density, JsonObject Ntk, JsonObject Pruning)
{
    /// <summary>The notebooks whose results the verdict reads, in reading order.</summary>
    public static readonly IReadOnlyList<string> Notebooks = ["00-the-debate", "01-detector-density", "02-ntk-fixed-features", "03-pruning-as-optimization"];

    /// <summary>
    /// Loads all four results files. When some are missing, the error lists each one with the notebook that writes it and
    /// the command that runs it; a file that is not valid JSON is reported with its path.
    /// </summary>
    /// <param name="folder">The results folder; by default notebooks/results (or TICKETLAB_RESULTS).</param>
    public static SuiteResults Load(string? folder = null)
    {
        folder ??= ProjectPaths.Results;
        string PathOf(string n) => Path.Combine(folder, n + ".json");
        var missing = Notebooks.Where(n => !File.Exists(PathOf(n))).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException("Missing results: " + string.Join("; ", missing.Select(n =>
                $"{n}.json is written by notebooks/{n}.ipynb (run it, or: dotnet run --project lib/TicketLab.Cli -c Release -- notebooks --only {n[..2]})")));
        var loaded = Notebooks.Select(n =>
        {
            JsonNode? node;
            try { node = JsonNode.Parse(File.ReadAllText(PathOf(n))); }
            catch (JsonException e) { throw new InvalidDataException($"{n}.json is not valid JSON ({e.Message}); rerun notebooks/{n}.ipynb.", e); }
            return node as JsonObject ?? throw new InvalidDataException($"{n}.json does not hold a JSON object; rerun notebooks/{n}.ipynb.");
        }).ToList();
        return new SuiteResults(loaded[0], loaded[1], loaded[2], loaded[3]);
    }

    /// <summary>One row per results file: its profile and finding (what the verdict is built on).</summary>
    public IReadOnlyList<(string Notebook, string Profile, string Finding)> Sources() =>
        Notebooks.Zip([Debate, Density, Ntk, Pruning], (n, r) => (n, r["profile"]?.GetValue<string>() ?? "?", r["finding"]?.GetValue<string>() ?? "")).ToList();

    /// <summary>A number at <paramref name="path"/> (keys separated by '.', list indices as numbers) of a results file, or an error naming both.</summary>
    public static double Number(JsonObject results, string notebook, string path)
    {
        JsonNode? node = results;
        foreach (var part in path.Split('.'))
            node = node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        return ToDouble(node) is { } d ? d
            : throw new InvalidDataException($"The results of {notebook} have no number at '{path}': rerun notebooks/{notebook}.ipynb with the current library.");
    }

    /// <summary>A JSON number as a double, whatever type backs it (parsed text or a value built in code); null otherwise.</summary>
    public static double? ToDouble(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The list at <paramref name="key"/> of a results file, or an error naming both.</summary>
    public static JsonArray List(JsonObject results, string notebook, string key) =>
        results[key] as JsonArray ?? throw new InvalidDataException($"The results of {notebook} have no list '{key}': rerun notebooks/{notebook}.ipynb with the current library.");
}
