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

    /// <summary>A whole-number power: the exponent of 2^-43 or 2^{9}, which the decimal pattern does not see.</summary>
    [GeneratedRegex(@"(?<=\^\{?)[-−]?\d+(?![\d.,]\d|\d)")]
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

    /// <summary>The quoted numbers of <paramref name="document"/>'s Markdown that neither its outputs nor <paramref name="results"/> hold.</summary>
    internal static List<string> Stale(JsonNode document, JsonNode? results)
    {
        var pool = new List<double>();
        var cells = document["cells"]!.AsArray().OfType<JsonObject>().ToList();
        foreach (var output in cells.Where(c => c["cell_type"]?.GetValue<string>() == "code").SelectMany(c => c["outputs"]?.AsArray().OfType<JsonObject>() ?? []))
        {
            foreach (var (mime, value) in output["data"]?.AsObject() ?? [])
                if (!mime.StartsWith("image/", StringComparison.Ordinal)) Collect(value, pool, html: mime == "text/html");
            if (output["text"] is { } text) Collect(text, pool, html: false);
        }
        if (results is not null) Collect(results, pool, html: false);
        pool.Sort();
        // Whole-number powers are checked against what a reader can see or the results file hold, not against chart data.
        var visible = new List<double>();
        foreach (var output in cells.Where(c => c["cell_type"]?.GetValue<string>() == "code").SelectMany(c => c["outputs"]?.AsArray().OfType<JsonObject>() ?? []))
        {
            foreach (var (mime, value) in output["data"]?.AsObject() ?? [])
                if (mime is "text/plain" or "text/html" or "text/markdown") Collect(value, visible, html: mime == "text/html", integers: true);
            if (output["text"] is { } text) Collect(text, visible, html: false, integers: true);
        }
        if (results is not null) Collect(results, visible, html: false, integers: true);
        visible.Sort();
        var stale = new List<string>();
        foreach (var cell in cells.Where(c => c["cell_type"]?.GetValue<string>() == "markdown"))
        {
            var source = Source(cell["source"]);
            foreach (Match m in NumberPattern().Matches(source))
            {
                var quoted = m.Value.Replace('−', '-');
                var mantissa = quoted.Split('e', 'E')[0];
                var decimals = mantissa.Length - mantissa.IndexOf('.') - 1;
                // Two decimals or more, and every power (2^-31.1): one-decimal constants ("keep 0.5") are not measurements.
                var power = m.Index > 0 && source[m.Index - 1] == '^' || m.Index > 1 && source.AsSpan(m.Index - 2, 2).SequenceEqual("^{");
                if (decimals < 2 && !power || VersionPrefix().IsMatch(source.AsSpan(Math.Max(0, m.Index - 12), Math.Min(12, m.Index)))) continue;
                var value = Math.Abs(double.Parse(quoted, CultureInfo.InvariantCulture));
                var exponent = quoted.Contains('e', StringComparison.OrdinalIgnoreCase) ? Math.Pow(10, int.Parse(quoted.Split('e', 'E')[1], CultureInfo.InvariantCulture)) : 1;
                var tolerance = 0.5 * Math.Pow(10, -decimals) * exponent + 1e-12;
                if (!Holds(pool, value, tolerance) && !(value > 1 && Holds(pool, value / 100, tolerance / 100))) stale.Add(m.Value);
            }
            foreach (Match m in IntegerPowerPattern().Matches(source))
            {
                // 2^-43 stands for any measured exponent that rounds to 43; "2^n", "2^{50}" in a formula with no digits are skipped by the pattern.
                var value = Math.Abs(double.Parse(m.Value.Replace('−', '-'), CultureInfo.InvariantCulture));
                if (IsDebateConstant(source, m.Index)) continue;
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

    static void Collect(JsonNode? node, List<double> pool, bool html, bool integers = false)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o) Collect(v, pool, html, integers);
                break;
            case JsonArray a when html || a.All(e => e is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String):
                Numbers(string.Concat(a.Select(e => e?.GetValue<string>())), pool, html, integers);
                break;
            case JsonArray a:
                foreach (var e in a) Collect(e, pool, html, integers);
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                pool.Add(Math.Abs(v.GetValue<double>()));
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                Numbers(v.GetValue<string>(), pool, html, integers);
                break;
        }
    }

    static void Numbers(string text, List<double> pool, bool html, bool integers)
    {
        if (html) text = TagPattern().Replace(text, " ");
        foreach (Match m in (integers ? AnyNumberPattern() : NumberPattern()).Matches(text))
            pool.Add(Math.Abs(double.Parse(m.Value.Replace('−', '-'), CultureInfo.InvariantCulture)));
    }
}
