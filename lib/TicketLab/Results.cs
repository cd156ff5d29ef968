using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TicketLab;

/// <summary>
/// A results file (<c>notebooks/results/NAME.json</c>) as one typed record: its numbers and, for a notebook's, the
/// hyperparameters that produced it (saved with the results, as nanoGPT saves its config with a checkpoint).
/// </summary>
public interface IResultsFile
{
    /// <summary>The file name without ".json", e.g. "01-detector-density".</summary>
    static abstract string FileName { get; }

    /// <summary>The layout version of the file: raised whenever a field changes, so an older file is refused by name.</summary>
    static abstract int Schema { get; }

    /// <summary>What to run to write the file, for error messages (e.g. "rerun notebooks/01-detector-density.ipynb").</summary>
    static abstract string Producer { get; }
}

/// <summary>A notebook's results file: also its profile and its headline finding (quoted by the README and the site).</summary>
public interface INotebookResults : IResultsFile
{
    /// <summary>quick or full.</summary>
    string Profile { get; }

    /// <summary>The notebook's headline finding in one sentence.</summary>
    string Finding { get; }
}

/// <summary>Writes and reads the results files: snake_case JSON, atomically, with the record's schema checked on reading.</summary>
public static class Results
{
    /// <summary>The key that holds "notebook/schema" at the top of every results file.</summary>
    public const string SchemaKey = "schema";

    /// <summary>snake_case keys and enum names, indented, non-ASCII kept as is; a NaN or infinity is refused (a results file holds numbers or null).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The key, after the schema, of the hyperparameter overrides a run was given (<c>notebooks --set</c>); absent for the committed configuration.</summary>
    public const string OverridesKey = "overrides";

    /// <summary>The environment variable through which the CLI hands a notebook its overrides: a JSON object of parameter paths and C# expressions.</summary>
    public const string OverridesVariable = "TICKETLAB_OVERRIDES";

    /// <summary>The overrides of this run (from <see cref="OverridesVariable"/>), or null when it runs the committed configuration.</summary>
    public static JsonObject? Overrides()
    {
        var text = Environment.GetEnvironmentVariable(OverridesVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new ArgumentException($"{OverridesVariable} holds no JSON object; accepted: {{\"Name\": \"C# expression\", ...}}.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{OverridesVariable} is not valid JSON ({e.Message}); accepted: {{\"Name\": \"C# expression\", ...}}.", e);
        }
    }

    /// <summary>The schema tag of <typeparamref name="T"/>, e.g. "01-detector-density/2".</summary>
    public static string SchemaOf<T>() where T : IResultsFile => $"{T.FileName}/{T.Schema}";

    /// <summary>The advice for a notebook's results file: rerun the notebook, or the main job for just that one.</summary>
    public static string RerunNotebook(string notebook) =>
        $"rerun notebooks/{notebook}.ipynb (or: dotnet run --project lib/TicketLab.Cli -c Release -- notebooks --only {notebook[..2]})";

    /// <summary>Writes <paramref name="results"/> atomically to its file (in <paramref name="folder"/>, by default the results folder); returns the path relative to the checkout.</summary>
    public static string Write<T>(T results, string? folder = null) where T : IResultsFile
    {
        var body = JsonSerializer.SerializeToNode(results, Json)!.AsObject();
        var file = new JsonObject { [SchemaKey] = SchemaOf<T>() };
        if (Overrides() is { } overrides) file[OverridesKey] = overrides;
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            file[key] = value;
        }
        var path = PathOf(T.FileName, folder);
        AtomicFile.WriteAllText(path, file.ToJsonString(Json) + "\n");
        return Path.GetRelativePath(ProjectPaths.Root, path);
    }

    /// <summary>
    /// Reads <typeparamref name="T"/>'s file. A missing file says which notebook to run; a file of another schema (written by
    /// another version of the library), malformed JSON or a missing field is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static T Read<T>(string? folder = null) where T : IResultsFile
    {
        var path = PathOf(T.FileName, folder);
        var rerun = T.Producer;
        if (!File.Exists(path))
            throw new FileNotFoundException($"No results file '{path}': {rerun}.", path);
        JsonObject file;
        try
        {
            file = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"Results file '{path}' does not hold a JSON object: {rerun}.");
        }
        catch (JsonException e) { throw new InvalidDataException($"Results file '{path}' is not valid JSON ({e.Message}): {rerun}.", e); }
        var schema = file[SchemaKey] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (schema != SchemaOf<T>())
            throw new InvalidDataException($"Results file '{path}' has schema '{schema ?? "(none)"}', this library reads '{SchemaOf<T>()}': it was written by another version; {rerun}.");
        file.Remove(SchemaKey);
        file.Remove(OverridesKey);
        try
        {
            return file.Deserialize<T>(Json) ?? throw new InvalidDataException($"Results file '{path}' is empty: {rerun}.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"Results file '{path}' does not match {typeof(T).Name} ({e.Message}): {rerun}.", e);
        }
    }

    /// <summary>The path of the results file named <paramref name="name"/> (a notebook, "benchmarks", "notebook-runs").</summary>
    public static string PathOf(string name, string? folder = null) => Path.Combine(folder ?? ProjectPaths.Results, name + ".json");
}
