using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using TicketLab.Plots;

namespace TicketLab.Cli.Notebooks;

/// <summary>A cell that failed: its position, its first line and the error.</summary>
/// <param name="Cell">1-based index among all cells (markdown included), as an editor shows it.</param>
/// <param name="FirstLine">The first line of the cell's code.</param>
/// <param name="Error">The error's name and message.</param>
public sealed record CellError(int Cell, string FirstLine, string Error)
{
    /// <summary>"cell 4 ('var run = ...'): System.Exception: ...".</summary>
    public override string ToString() => $"cell {Cell} ('{FirstLine}'): {Error}";
}

/// <summary>
/// Tidies an executed notebook for committing and publishing: drops package-restore chatter, replaces machine
/// paths, and lists the cells that failed. Reads and writes through Microsoft.DotNet.Interactive.Documents.
/// </summary>
public static partial class NotebookCleaner
{
    static readonly string[] Chatter = ["Installing package", "Installed Packages", "Restore sources", "Loading extensions from"];

    /// <summary>Parses an .ipynb file.</summary>
    public static InteractiveDocument Read(string path) => Notebook.Parse(File.ReadAllText(path));

    /// <summary>The failing cells of an executed notebook.</summary>
    public static IReadOnlyList<CellError> Errors(InteractiveDocument document)
    {
        var errors = new List<CellError>();
        for (var i = 0; i < document.Elements.Count; i++)
        {
            var cell = document.Elements[i];
            foreach (var error in cell.Outputs.OfType<ErrorElement>())
            {
                var message = $"{error.ErrorName}: {error.ErrorValue}".Trim();
                errors.Add(new CellError(i + 1, FirstLine(cell.Contents), FirstLine(message)));
            }
        }
        return errors;
    }

    /// <summary>The cell tag that marks a training cell (loads or trains cached nets): its time is reported apart from the other cells'.</summary>
    public const string TrainingTag = "training";

    /// <summary>
    /// Seconds each code cell took, and the processor seconds of the host during it (0 when not recorded), as the notebook
    /// host records them in the cell's metadata (1-based cell index), which are then removed: they change on every run and would make every committed notebook differ. Cells tagged
    /// <see cref="TrainingTag"/> are flagged.
    /// </summary>
    public static IReadOnlyList<(int Cell, double Seconds, double CpuSeconds, bool Training)> TakeCellTimings(InteractiveDocument document)
    {
        const string key = "ticketlab_cell_seconds", cpuKey = "ticketlab_cell_cpu_seconds";
        static double? Number(object? value) =>
            double.TryParse(value?.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x : null;
        var timings = new List<(int, double, double, bool)>();
        for (var i = 0; i < document.Elements.Count; i++)
        {
            var metadata = document.Elements[i].Metadata;
            if (metadata is null || !metadata.Remove(key, out var value)) continue;
            metadata.Remove(cpuKey, out var cpu);
            if (Number(value) is { } seconds)
                timings.Add((i + 1, seconds, Number(cpu) ?? 0, HasTag(metadata, TrainingTag)));
        }
        return timings;
    }

    /// <summary>Whether a cell's metadata lists <paramref name="tag"/> among its tags (however the reader represents the list).</summary>
    public static bool HasTag(IDictionary<string, object>? metadata, string tag)
    {
        if (metadata is null || !metadata.TryGetValue("tags", out var tags) || tags is null) return false;
        static bool Is(object? item, string tag) => item switch
        {
            string text => text == tag,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString() == tag,
            System.Text.Json.Nodes.JsonValue value => value.TryGetValue<string>(out var text) && text == tag,
            _ => false,
        };
        return tags switch
        {
            string text => text == tag,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } array => array.EnumerateArray().Any(t => Is(t, tag)),
            System.Collections.IEnumerable items => items.Cast<object?>().Any(t => Is(t, tag)),
            _ => false,
        };
    }

    /// <summary>Removes restore chatter and replaces each machine path (longest first) by its stand-in, in every output.</summary>
    public static void Clean(InteractiveDocument document, IReadOnlyList<(string Path, string StandIn)> machinePaths)
    {
        var ordered = machinePaths.Where(p => p.Path.Length > 1).OrderByDescending(p => p.Path.Length).ToList();
        foreach (var cell in document.Elements)
        {
            var kept = new List<InteractiveDocumentOutputElement>();
            // A progress line updated in place is recorded once per update; only its final state is kept.
            var lastProgress = cell.Outputs.LastOrDefault(IsProgress);
            foreach (var output in cell.Outputs)
            {
                if (IsChatter(output) || IsKernelBootstrap(output) || (IsProgress(output) && !ReferenceEquals(output, lastProgress))) continue;
                kept.Add(Replace(output, ordered));
            }
            cell.Outputs.Clear();
            foreach (var output in kept) cell.Outputs.Add(output);
        }
    }

    /// <summary>
    /// Makes a notebook saved by an editor or a Jupyter client fit to commit, as the main job's own runs are: drops the
    /// kernel's bootstrap script and restore chatter, keeps a progress line's last state, replaces machine paths, writes
    /// Plotly figures (which a live Jupyter session receives as JSON text) as JSON objects, gives every cell its id,
    /// drops the clients' execution timestamps, and keeps the cells' tags. Writes <paramref name="output"/> (by default
    /// the file itself) atomically; returns how many outputs it dropped.
    /// </summary>
    public static int CleanSaved(string path, string? output = null)
    {
        var original = File.ReadAllText(path);
        // The document writer takes JSON MIME values only as text (an editor may have saved them as objects); Write turns them back.
        var document = Notebook.Parse(JsonMimeValuesAsText(original));
        var before = document.Elements.Sum(e => e.Outputs.Count);
        foreach (var cell in document.Elements)
            foreach (var key in new[] { "execution", "ExecuteTime", "collapsed", "scrolled" }) cell.Metadata?.Remove(key);
        Clean(document, NotebookRunner.MachinePaths());
        var target = output ?? path;
        Write(document, target);
        AtomicFile.WriteAllText(target, ParameterOverrides.RestoreTags(original, File.ReadAllText(target), injected: false));
        return before - document.Elements.Sum(e => e.Outputs.Count);
    }

    /// <summary>The notebook with every JSON MIME value of every output (a Plotly figure) as JSON text instead of an object.</summary>
    static string JsonMimeValuesAsText(string notebookJson)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(notebookJson)!;
        foreach (var cell in root["cells"]?.AsArray() ?? [])
            foreach (var output in cell?["outputs"]?.AsArray() ?? [])
            {
                if (output?["data"] is not System.Text.Json.Nodes.JsonObject data) continue;
                foreach (var key in data.Select(kv => kv.Key).Where(IsJsonMimeType).ToList())
                    if (data[key] is System.Text.Json.Nodes.JsonObject value) data[key] = value.ToJsonString();
            }
        return root.ToJsonString();
    }

    /// <summary>Writes a document as .ipynb (C# default language), atomically.</summary>
    public static void Write(InteractiveDocument document, string path)
    {
        // Parse leaves the "polyglot_notebook" kernel list as a plain dictionary, which ToJupyterJson cannot cast back.
        if (document.Metadata.TryGetValue("polyglot_notebook", out var info) && info is not KernelInfoCollection)
        {
            // ToJupyterJson adds the C# kernel itself; only the default kernel's name is carried over.
            var kernels = new KernelInfoCollection
            {
                DefaultKernelName = info is IDictionary<string, object> d && d.TryGetValue("defaultKernelName", out var dn) && dn is string s ? s : "csharp",
            };
            document.Metadata["polyglot_notebook"] = kernels;
        }
        AtomicFile.WriteAllText(path, JsonOutputsAsJson(Notebook.ToJupyterJson(document, "csharp")));
    }

    /// <summary>
    /// Two repairs of the document writer's JSON, so that the file is valid nbformat 4.5: JSON MIME types (e.g. Plotly's
    /// figure), which kernels send and the writer keeps as lines of text, become JSON objects again; and every cell gets
    /// the <c>id</c> 4.5 requires ("cell-N" by position, so a rerun writes the same ids).
    /// </summary>
    static string JsonOutputsAsJson(string notebookJson)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(notebookJson)!;
        var cells = root["cells"]?.AsArray() ?? [];
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not System.Text.Json.Nodes.JsonObject cell || cell.ContainsKey("id")) continue;
            var withId = new System.Text.Json.Nodes.JsonObject { ["id"] = $"cell-{i}" };
            foreach (var (key, value) in cell.ToList())
            {
                cell.Remove(key);
                withId[key] = value;
            }
            cells[i] = withId;
        }
        foreach (var cell in cells)
            foreach (var output in cell?["outputs"]?.AsArray() ?? [])
            {
                if (output?["data"] is not System.Text.Json.Nodes.JsonObject data) continue;
                foreach (var key in data.Select(kv => kv.Key).Where(IsJsonMimeType).ToList())
                {
                    var text = data[key] switch
                    {
                        System.Text.Json.Nodes.JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
                        System.Text.Json.Nodes.JsonValue value when value.TryGetValue<string>(out var str) => str,
                        _ => null,
                    };
                    if (text is not null) data[key] = System.Text.Json.Nodes.JsonNode.Parse(text);
                }
            }
        var indented = root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return CompactNumberArrays(indented) + "\n";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(?:\s*-?\d[\d.]*(?:[eE][-+]?\d+)?\s*,)*\s*-?\d[\d.]*(?:[eE][-+]?\d+)?\s*\]")]
    private static partial System.Text.RegularExpressions.Regex NumberArray();

    /// <summary>
    /// Arrays of plain numbers (a chart's data, a heatmap's rows) on one line each instead of one number per line: the
    /// same JSON, a fraction of the lines, and diffs that show which series changed. Only arrays that span lines are
    /// touched, so no string content (where a line break is always escaped) can change.
    /// </summary>
    public static string CompactNumberArrays(string json) =>
        NumberArray().Replace(json, m => m.Value.Contains('\n')
            ? "[" + string.Join(", ", m.Value[1..^1].Split(',').Select(v => v.Trim())) + "]"
            : m.Value);

    /// <summary>Every string of every output, for checks (machine paths, CDNs, images).</summary>
    public static IEnumerable<string> OutputTexts(InteractiveDocument document) =>
        document.Elements.SelectMany(c => c.Outputs).SelectMany(Texts);

    static IEnumerable<string> Texts(InteractiveDocumentOutputElement output) => output switch
    {
        DisplayElement d => d.Data.Values.Select(Text),
        ReturnValueElement r => r.Data.Values.Select(Text),
        TextElement t => [t.Text],
        ErrorElement e => [e.ErrorName, e.ErrorValue, .. e.StackTrace],
        _ => [],
    };

    /// <summary>An output value as one string: .ipynb stores text either whole or as a list of lines.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        IEnumerable<object> lines => string.Concat(lines.Select(l => l?.ToString())),
        _ => value.ToString() ?? "",
    };

    static bool IsJsonMimeType(string mimeType) =>
        mimeType == "application/json" || mimeType.EndsWith("+json", StringComparison.Ordinal);

    static bool IsProgress(InteractiveDocumentOutputElement output) =>
        Texts(output).Any(t => t.Contains(ProgressLine.Marker, StringComparison.Ordinal));

    /// <summary>
    /// The script .NET Interactive's Jupyter kernel adds to the first cell it runs, to find its HTTP API: it lists the
    /// machine's network addresses and means nothing in a saved notebook.
    /// </summary>
    static bool IsKernelBootstrap(InteractiveDocumentOutputElement output) =>
        Texts(output).Any(t => t.Contains("dotnet-interactive-this-cell-", StringComparison.Ordinal));

    static bool IsChatter(InteractiveDocumentOutputElement output) =>
        Texts(output).Any(t => Chatter.Any(c => t.Contains(c, StringComparison.Ordinal)));

    static InteractiveDocumentOutputElement Replace(InteractiveDocumentOutputElement output, List<(string Path, string StandIn)> paths)
    {
        // A path starts where no base64 or word character runs into it: "/tmp" inside an image's base64 (which uses '/' as a
        // digit) is not a path, and rewriting it corrupted a chart's PNG.
        string Fix(string s) => paths.Aggregate(s, (acc, p) => Regex.Replace(acc, "(?<![A-Za-z0-9+])" + Regex.Escape(p.Path), p.StandIn.Replace("$", "$$", StringComparison.Ordinal)));
        void FixData(IDictionary<string, object> data)
        {
            foreach (var key in data.Keys.ToList())
            {
                if (key.StartsWith("image/", StringComparison.Ordinal) && key != "image/svg+xml") continue; // binary, base64-encoded: no paths inside
                if (data[key] is string s) data[key] = Fix(s);
                else if (data[key] is IEnumerable<object> lines) data[key] = lines.Select(l => l is string line ? Fix(line) : l).ToArray();
            }
        }
        switch (output)
        {
            case DisplayElement d:
                FixData(d.Data);
                return d;
            case ReturnValueElement r:
                FixData(r.Data);
                return r;
            case TextElement t:
                return new TextElement(Fix(t.Text), t.Name);
            case ErrorElement e:
                return new ErrorElement(Fix(e.ErrorName), Fix(e.ErrorValue), e.StackTrace.Select(Fix).ToArray());
            default:
                return output;
        }
    }

    static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Length > 120 ? line[..117] + "..." : line;
    }
}
