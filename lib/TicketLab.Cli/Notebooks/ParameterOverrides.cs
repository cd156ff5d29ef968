using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TicketLab.Cli.Notebooks;

/// <summary>
/// Papermill-style parameters: each notebook's hyperparameter cell is tagged <c>parameters</c>; <c>notebooks --set Name=expr</c>
/// runs a copy of the notebook with a cell injected after it (tagged <c>injected-parameters</c>) that rebinds the cell's
/// options record with <c>with</c> expressions, so the rest of the notebook sees the overridden values. A dotted name
/// (<c>Training.LearningRate</c>) reaches into a nested record.
/// </summary>
public static partial class ParameterOverrides
{
    /// <summary>The tag of a notebook's hyperparameter cell.</summary>
    public const string Tag = "parameters";

    /// <summary>The tag of the injected cell.</summary>
    public const string InjectedTag = "injected-parameters";

    [GeneratedRegex(@"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\bvar\s+(\w+)\s*=\s*new\s+\w*Options\s*\(")]
    private static partial Regex OptionsDeclaration();

    [GeneratedRegex(@"\bvar\s+(\w+)\s*=")]
    private static partial Regex AnyDeclaration();

    // Named arguments ("Widths: ...") and with-initializers ("Net = ..."), capitalized as record properties are.
    [GeneratedRegex(@"\b([A-Z]\w*)\s*(?::(?!:)|=(?![=>]))")]
    private static partial Regex SetName();

    /// <summary>One <c>--set</c> value, <c>Name=C# expression</c>.</summary>
    public static KeyValuePair<string, string> Parse(string text)
    {
        var at = text.IndexOf('=');
        if (at <= 0 || at == text.Length - 1)
            throw new ArgumentException($"--set '{text}' is not Name=expression; accepted: a parameter of the notebook's hyperparameter cell and a C# expression, e.g. --set Widths=\"new[] {{ 64, 128, 256 }}\".");
        var name = text[..at].Trim();
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"--set '{text}': '{name}' is not a parameter name; accepted: a name such as Widths, or a dotted path such as Training.LearningRate.");
        return new(name, text[(at + 1)..].Trim());
    }

    /// <summary>
    /// Overrides from a JSON file: an object whose keys are parameter names (dotted for nested records) and whose values are
    /// C# expressions as strings, or JSON numbers, booleans and arrays of numbers, written as the matching C# literals.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--set-file '{path}' does not exist; accepted: a JSON file such as {{\"Widths\": \"new[] {{ 64, 128 }}\"}}.", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"--set-file '{path}' holds no JSON object; accepted: {{\"Name\": \"C# expression\", ...}}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"--set-file '{path}' is not valid JSON ({e.Message}); accepted: {{\"Name\": \"C# expression\", ...}}.", e);
        }
        return root.Select(p => Parse($"{p.Key}={Expression(p.Key, p.Value, path)}")).ToList();
    }

    static string Expression(string name, JsonNode? value, string path) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        // A collection expression, typed by the property it is assigned to: [1.0, 8.0] stays double[], [0, 1] becomes long[] for Seeds.
        JsonArray a when a.Count > 0 && a.All(x => x is JsonValue xv && xv.GetValueKind() == JsonValueKind.Number) =>
            $"[{string.Join(", ", a.Select(x => x!.ToJsonString()))}]",
        _ => throw new InvalidDataException($"--set-file '{path}': the value of {name} is neither a C# expression (a string) nor a number, a boolean or an array of numbers."),
    };

    /// <summary>The options variable a parameters cell declares: the one bound to <c>new …Options(…)</c>, else the first declared.</summary>
    public static string Variable(string source) =>
        OptionsDeclaration().Match(source) is { Success: true } m ? m.Groups[1].Value
        : AnyDeclaration().Match(source) is { Success: true } any ? any.Groups[1].Value
        : throw new InvalidDataException("the parameters cell declares no variable (var name = ...); --set rebinds that variable.");

    /// <summary>
    /// The names a parameters cell sets at the top level of its options record (named arguments of its constructor and
    /// with-initializers, one bracket deep), which --set accepts; deeper names are reached with a dotted path.
    /// </summary>
    public static IReadOnlyList<string> Names(string source)
    {
        var depth = new int[source.Length + 1];
        var inString = false;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '"' && (i == 0 || source[i - 1] != '\\')) inString = !inString;
            depth[i + 1] = depth[i] + (inString ? 0 : c is '(' or '{' or '[' ? 1 : c is ')' or '}' or ']' ? -1 : 0);
        }
        return SetName().Matches(source).Where(m => depth[m.Index] == 1).Select(m => m.Groups[1].Value).Distinct().ToList();
    }

    /// <summary>The C# of the injected cell.</summary>
    public static string Cell(string variable, IReadOnlyList<KeyValuePair<string, string>> overrides, bool validate = false)
    {
        static string Nest(string prefix, string[] path, string value) => path.Length == 1
            ? $"{{ {path[0]} = {value} }}"
            : $"{{ {path[0]} = {prefix}.{path[0]} with {Nest($"{prefix}.{path[0]}", path[1..], value)} }}";
        var lines = new List<string> { "// Injected by `notebooks --set`: these override the parameters cell above, and the results file records them." };
        lines.AddRange(overrides.Select(o => $"{variable} = {variable} with {Nest(variable, o.Key.Split('.'), o.Value)};"));
        // The cell validated its record; the overridden one is checked the same way, so a bad value is named here, not deep in the run.
        if (validate) lines.Add($"{variable} = {variable}.Validate();");
        lines.Add(variable);
        return string.Join("\n", lines);
    }

    /// <summary>
    /// The notebook (ipynb JSON) with the injected cell after its cell tagged <see cref="Tag"/>. Unknown names are refused with
    /// the names the cell sets.
    /// </summary>
    public static string Inject(string notebookJson, string notebookName, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var root = JsonNode.Parse(notebookJson)!.AsObject();
        var cells = root["cells"]!.AsArray();
        var index = Enumerable.Range(0, cells.Count).FirstOrDefault(i => HasTag(cells[i], Tag), -1);
        if (index < 0) throw new InvalidDataException($"{notebookName} has no cell tagged '{Tag}': --set needs its hyperparameter cell to carry that tag.");
        var source = Source(cells[index]!);
        var names = Names(source);
        foreach (var (name, _) in overrides)
        {
            var top = name.Split('.')[0];
            if (!names.Contains(top))
                throw new ArgumentException($"--set {name}: the parameters cell of {notebookName} sets no '{top}'; accepted: {string.Join(", ", names)}.");
        }
        var code = Cell(Variable(source), overrides, validate: source.Contains(".Validate()", StringComparison.Ordinal));
        var cell = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = InjectedTag,
            ["metadata"] = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                ["tags"] = new JsonArray(InjectedTag),
            },
            ["outputs"] = new JsonArray(),
            ["source"] = new JsonArray(code.Split('\n').Select(l => (JsonNode)JsonValue.Create(l + "\n")!).ToArray()),
        };
        cells.Insert(index + 1, cell);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// Copies the tags of <paramref name="sourceJson"/>'s cells onto the executed notebook's cells, by position (the executed
    /// notebook may hold the injected cell after the parameters cell). The runner writes cells without their tags.
    /// </summary>
    public static string RestoreTags(string sourceJson, string executedJson, bool injected)
    {
        var source = JsonNode.Parse(sourceJson)!["cells"]!.AsArray();
        var root = JsonNode.Parse(executedJson)!.AsObject();
        var cells = root["cells"]!.AsArray();
        var parameters = Enumerable.Range(0, source.Count).FirstOrDefault(i => HasTag(source[i], Tag), -1);
        var expected = source.Count + (injected ? 1 : 0);
        if (cells.Count != expected)
            throw new InvalidDataException($"the executed notebook has {cells.Count} cells, the source {source.Count}{(injected ? " and one injected" : "")}: cannot carry the tags over.");
        for (var i = 0; i < cells.Count; i++)
        {
            var from = injected && i > parameters ? i - 1 : i;
            var tags = injected && i == parameters + 1 ? new JsonArray(InjectedTag) : source[from]!["metadata"]?["tags"]?.DeepClone();
            if (tags is null) continue;
            var metadata = cells[i]!["metadata"] as JsonObject ?? new JsonObject();
            metadata["tags"] = tags;
            cells[i]!["metadata"] = metadata;
        }
        // Number arrays stay on one line each, as the cleaner writes them.
        return NotebookCleaner.CompactNumberArrays(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) + "\n";
    }

    static bool HasTag(JsonNode? cell, string tag) =>
        cell?["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t?.GetValue<string>() == tag);

    static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };
}
