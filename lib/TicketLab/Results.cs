using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketLab;

/// <summary>The results files of the notebooks (<c>notebooks/results/NN-title.json</c>): what the README, the site and notebook 04 quote.</summary>
public static class Results
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="payload"/> (its property names are the file's keys) atomically; returns the path relative to the checkout.</summary>
    public static string Write(string notebook, object payload)
    {
        var path = PathOf(notebook);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(payload, Json) + "\n");
        return Path.GetRelativePath(ProjectPaths.Root, path);
    }

    /// <summary>Reads a results file; a missing one is an error that says which notebook to run.</summary>
    public static JsonObject Read(string notebook)
    {
        var path = PathOf(notebook);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No results file '{path}': run notebooks/{notebook}.ipynb first.", path);
        return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"Results file '{path}' does not hold a JSON object.");
    }

    /// <summary>"key=value" for each top-level number of a results file (the seed excluded), for summaries and the site.</summary>
    public static string HeadlineNumbers(JsonObject results) => string.Join(", ", results
        .Where(kv => kv.Key != "seed" && kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        .Select(kv => $"{kv.Key}={kv.Value!.GetValue<double>().ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>The path of notebook <paramref name="notebook"/>'s results file.</summary>
    public static string PathOf(string notebook) => Path.Combine(ProjectPaths.Results, notebook + ".json");
}
