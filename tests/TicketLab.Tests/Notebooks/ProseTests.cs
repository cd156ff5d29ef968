using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TicketLab.Tests.Notebooks;

/// <summary>
/// Numbers in a notebook's Markdown are data: each one quoted with two or more decimals, and every power such as 2^-31.1, must be found, at the precision it is
/// quoted to, among that notebook's outputs or its results file (percentages against fractions too). A number typed by
/// hand that a rerun no longer produces fails here, naming the notebook and the number.
/// </summary>
public partial class ProseTests
{
    [GeneratedRegex(@"(?<![\w.])[-−]?\d+\.\d+(?:[eE][-+]?\d+)?")]
    private static partial Regex NumberPattern();

    /// <summary>A whole-number power of 2, the suite's densities in bits: the exponent of 2^-43 or 2^{9}, which the decimal pattern does not see (powers of 10 are constants such as a learning rate of 10^{-3}).</summary>
    [GeneratedRegex(@"(?<=(?<![\d.])2\^\{?)[-−]?\d+(?![\d.,]\d|\d|\{,\})")]
    private static partial Regex IntegerPowerPattern();

    /// <summary>Any number a reader sees in an output, whole numbers included (a table's "2^-43").</summary>
    [GeneratedRegex(@"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")]
    private static partial Regex AnyNumberPattern();

    /// <summary>Version numbers are names, not measurements ("Ubuntu 22.04", "PyTorch 1.13").</summary>
    [GeneratedRegex(@"(Ubuntu|Debian|version|Python|PyTorch|TorchSharp|LibTorch|SDK|Plotly\.NET|v)\s?$")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();

    public static TheoryData<string> Notebooks() => [.. Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order().OfType<string>()];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_number_in_the_prose_is_one_the_notebook_measured(string notebook)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, notebook + ".ipynb")))!;
        var results = Path.Combine(ProjectPaths.Notebooks, "results", notebook + ".json");
        var stale = Stale(document, File.Exists(results) ? JsonNode.Parse(File.ReadAllText(results)) : null);
        Assert.True(stale.Count == 0, $"{notebook}: numbers in Markdown that no output or results value holds at the quoted precision: {string.Join(", ", stale)}");
    }

    /// <summary>
    /// The robustness check: the committed prose against the outputs of another run (another machine or thread count,
    /// executed with <c>--no-write-back --output DIR</c>), named by <c>TICKETLAB_OTHER_RUN=DIR</c>. Every number quoted in
    /// the prose must be what that run measured too, at the precision it is quoted to. Without the variable there is
    /// nothing to compare and the test says so in its output.
    /// </summary>
    [Fact]
    public void Every_number_in_the_prose_holds_in_another_run_when_one_is_named()
    {
        var other = Environment.GetEnvironmentVariable("TICKETLAB_OTHER_RUN");
        if (string.IsNullOrWhiteSpace(other)) return;
        var problems = new List<string>();
        foreach (var notebook in Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order().OfType<string>())
        {
            var executed = Path.Combine(other, notebook + ".ipynb");
            if (!File.Exists(executed)) { problems.Add($"{notebook}: not in {other}"); continue; }
            // The committed Markdown, with the other run's outputs and results.
            var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, notebook + ".ipynb")))!;
            var run = JsonNode.Parse(File.ReadAllText(executed))!;
            var cells = new JsonArray(committed["cells"]!.AsArray().Where(c => c?["cell_type"]?.GetValue<string>() == "markdown").Select(c => c!.DeepClone())
                .Concat(run["cells"]!.AsArray().Where(c => c?["cell_type"]?.GetValue<string>() == "code").Select(c => c!.DeepClone())).ToArray());
            var results = Path.Combine(other, "results", notebook + ".json");
            var stale = Stale(new JsonObject { ["cells"] = cells }, File.Exists(results) ? JsonNode.Parse(File.ReadAllText(results)) : null, skipBanded: true);
            if (stale.Count > 0) problems.Add($"{notebook}: {string.Join(", ", stale)}");
        }
        Assert.True(problems.Count == 0, "numbers in the committed prose that the other run did not reproduce at their quoted precision:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// The other half of the robustness check (<c>TICKETLAB_OTHER_RUN</c>, as above): every headline density of the other
    /// run inside the committed 90% band of its class, and every verdict of notebook 05 the same.
    /// </summary>
    [Fact]
    public void Another_run_lands_inside_the_committed_bands_with_the_same_verdicts_when_one_is_named()
    {
        var other = Environment.GetEnvironmentVariable("TICKETLAB_OTHER_RUN");
        if (string.IsNullOrWhiteSpace(other)) return;
        JsonNode Read(string folder, string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, name + ".json")))!;
        var committed = Read(Path.Combine(ProjectPaths.Notebooks, "results"), "01-detector-density")["headline_classes"]!.AsArray();
        var rerun = Read(Path.Combine(other, "results"), "01-detector-density")["headline_classes"]!.AsArray()
            .ToDictionary(c => c!["class"]!.GetValue<string>(), c => c!["init_density_log2"]!.GetValue<double>());
        var outside = committed.Select(c => (Class: c!["class"]!.GetValue<string>(), Band: c["band_log2"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray()))
            .Where(c => !(rerun[c.Class] >= c.Band[0] && rerun[c.Class] <= c.Band[1]))
            .Select(c => $"{c.Class}: 2^{rerun[c.Class]} outside 2^{c.Band[0]} to 2^{c.Band[1]}").ToList();
        Assert.True(outside.Count == 0, "densities of the other run outside the committed bands: " + string.Join("; ", outside));
        var verdicts = Read(Path.Combine(ProjectPaths.Notebooks, "results"), "05-verdict")["claims"]!.AsArray().Select(c => c!["verdict"]!.GetValue<string>()).ToList();
        var again = Read(Path.Combine(other, "results"), "05-verdict")["claims"]!.AsArray().Select(c => c!["verdict"]!.GetValue<string>()).ToList();
        Assert.Equal(verdicts, again);
    }

    [Fact]
    public void A_stale_number_is_found_and_a_rounded_or_percent_quote_is_not()
    {
        var document = JsonNode.Parse("""
            {"cells": [
              {"cell_type": "code", "source": [], "outputs": [{"output_type": "execute_result", "data": {"text/plain": ["accuracy 0.88874, share 0.2134"]}}]},
              {"cell_type": "markdown", "source": ["It reaches 0.889 (0.8887), 21.3% of it; not 0.8931, nor 2^-19.2, on Ubuntu 22.04; about 2^-19, not 2^-23 nor 2^{-17}; the debate's 2^-50."]}
            ]}
            """)!;
        var results = JsonNode.Parse("""{"init_density_log2": -19.24}""");
        Assert.Equal(["0.8931", "-23", "-17"], Stale(document, results));
        Assert.Equal(["0.8931", "-19.2", "-19", "-23", "-17"], Stale(document, null));
    }

    /// <summary>A power quoted with its band, "2^-43 (Sandal, band 2^-73 to 2^-20)": another run is judged by the band, not the digits.</summary>
    [GeneratedRegex(@"2\^\{?[-−]?\d+(?:\.\d+)?\}?\$?\s*\([^()]*?\bband \$?2\^\{?[-−]?\d+(?:\.\d+)?\}?\$? to \$?2\^\{?[-−]?\d+(?:\.\d+)?\}?\$?\)")]
    private static partial Regex BandedPowerPattern();

    /// <summary>
    /// The quoted numbers of <paramref name="document"/>'s Markdown that neither its outputs nor <paramref name="results"/> hold.
    /// With <paramref name="skipBanded"/>, powers quoted with their band are left out (another run's value is compared with the band instead).
    /// </summary>
    internal static List<string> Stale(JsonNode document, JsonNode? results, bool skipBanded = false)
    {
        // What a reader can see (tables and text outputs, not chart data) and the results file's values, without its long
        // series (density curves, replicates): a quoted number must be one of those, not a coincidence among thousands.
        var visible = new List<double>();
        var cells = document["cells"]!.AsArray().OfType<JsonObject>().ToList();
        foreach (var output in cells.Where(c => c["cell_type"]?.GetValue<string>() == "code").SelectMany(c => c["outputs"]?.AsArray().OfType<JsonObject>() ?? []))
        {
            foreach (var (mime, value) in output["data"]?.AsObject() ?? [])
                if (mime is "text/plain" or "text/html" or "text/markdown") Collect(value, visible, html: mime == "text/html");
            if (output["text"] is { } text) Collect(text, visible, html: false);
        }
        if (results is not null) Collect(results, visible, html: false);
        visible.Sort();
        var stale = new List<string>();
        foreach (var cell in cells.Where(c => c["cell_type"]?.GetValue<string>() == "markdown"))
        {
            var source = Source(cell["source"]);
            var banded = skipBanded ? BandedPowerPattern().Matches(source).Select(b => (b.Index, End: b.Index + b.Length)).ToList() : [];
            bool InBand(int index) => banded.Any(b => index >= b.Index && index < b.End);
            foreach (Match m in NumberPattern().Matches(source))
            {
                var quoted = m.Value.Replace('−', '-');
                var mantissa = quoted.Split('e', 'E')[0];
                var decimals = mantissa.Length - mantissa.IndexOf('.') - 1;
                // Two decimals or more, and every power (2^-31.1): one-decimal constants ("keep 0.5") are not measurements.
                var power = m.Index > 0 && source[m.Index - 1] == '^' || m.Index > 1 && source.AsSpan(m.Index - 2, 2).SequenceEqual("^{");
                if (InBand(m.Index)) continue;
                if (decimals < 2 && !power || VersionPrefix().IsMatch(source.AsSpan(Math.Max(0, m.Index - 12), Math.Min(12, m.Index)))) continue;
                var value = Math.Abs(double.Parse(quoted, CultureInfo.InvariantCulture));
                var exponent = quoted.Contains('e', StringComparison.OrdinalIgnoreCase) ? Math.Pow(10, int.Parse(quoted.Split('e', 'E')[1], CultureInfo.InvariantCulture)) : 1;
                var tolerance = 0.5 * Math.Pow(10, -decimals) * exponent + 1e-12;
                if (!Holds(visible, value, tolerance) && !(value > 1 && Holds(visible, value / 100, tolerance / 100))) stale.Add(m.Value);
            }
            foreach (Match m in IntegerPowerPattern().Matches(source))
            {
                // 2^-43 stands for any measured exponent that rounds to 43; "2^n", "2^{50}" in a formula with no digits are skipped by the pattern.
                var value = Math.Abs(double.Parse(m.Value.Replace('−', '-'), CultureInfo.InvariantCulture));
                if (IsDebateConstant(source, m.Index) || InBand(m.Index)) continue;
                if (!Holds(visible, value, 0.5)) stale.Add(m.Value);
            }
        }
        return stale;
    }

    /// <summary>The debate's own yardsticks and the estimator's reach are quoted, not measured: 2^-50 (and 1/2^50), 2^-60, 2^400 subsets of 400 neurons.</summary>
    static bool IsDebateConstant(string source, int index)
    {
        var digits = new string(source.AsSpan(index).ToString().TakeWhile(ch => ch is '-' or '−' || char.IsDigit(ch)).ToArray()).Replace('−', '-');
        return digits is "-50" or "50" or "-60" or "60";
    }

    static bool Holds(List<double> sorted, double value, double tolerance)
    {
        var index = sorted.BinarySearch(value - tolerance);
        if (index < 0) index = ~index;
        return index < sorted.Count && sorted[index] <= value + tolerance;
    }

    static string Source(JsonNode? source) => source switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    /// <summary>Numeric arrays longer than this are series (curves, replicates), not quoted values.</summary>
    const int LongestQuotedArray = 12;

    static void Collect(JsonNode? node, List<double> pool, bool html)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o) Collect(v, pool, html);
                break;
            case JsonArray a when html || a.All(e => e is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String):
                Numbers(string.Concat(a.Select(e => e?.GetValue<string>())), pool, html);
                break;
            case JsonArray a when a.Count > LongestQuotedArray && a.All(e => e is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number):
                break;
            case JsonArray a:
                foreach (var e in a) Collect(e, pool, html);
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                pool.Add(Math.Abs(v.GetValue<double>()));
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                Numbers(v.GetValue<string>(), pool, html);
                break;
        }
    }

    static void Numbers(string text, List<double> pool, bool html)
    {
        if (html) text = TagPattern().Replace(text, " ");
        foreach (Match m in AnyNumberPattern().Matches(text))
            pool.Add(Math.Abs(double.Parse(m.Value.Replace('−', '-'), CultureInfo.InvariantCulture)));
    }
}
