using System.Globalization;
using System.Text.Json.Nodes;
using TicketLab.Data;

namespace TicketLab.Tests.Notebooks;

/// <summary>
/// The quick profile's numbers against committed reference values (<c>quick-reference/*.json</c>, the results files of
/// one quick run), within tolerances taken from the numbers' own bands, not bit for bit: another CPU, or another
/// LibTorch thread count (<c>TICKETLAB_THREADS</c>), changes the last bits of every training, and a quoted number must
/// survive that.
/// <list type="bullet">
/// <item>Test accuracies: four binomial standard errors on the test images, √(p(1−p)/n), plus the spread between seeds where the file has seeds.</item>
/// <item>Detector densities (01): the two values closer than half of each run's 90% band added together.</item>
/// <item>Trained detector quality (01): the spread of the reference's per-seed qualities.</item>
/// </list>
/// To renew the reference after a deliberate change: run <c>dotnet run --project lib/TicketLab.Cli -c Release -- notebooks --profile quick</c>
/// and copy <c>data/cache/executed/quick/results/0[0-4]*.json</c> here, saying why in the commit.
/// </summary>
public static class QuickReference
{
    /// <summary>Where the reference files live.</summary>
    public static string Folder => Path.Combine(ProjectPaths.Root, "tests", "TicketLab.Tests", "Notebooks", "quick-reference");

    /// <summary>One compared number: its name, the reference, the new value and the tolerance, with where the tolerance comes from.</summary>
    public sealed record Check(string Name, double Reference, double Value, double Tolerance, string Basis)
    {
        /// <summary>Whether the new value is within the tolerance of the reference.</summary>
        public bool Holds => Math.Abs(Value - Reference) <= Tolerance;

        /// <inheritdoc/>
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Name}: {Value:0.####} against reference {Reference:0.####} (tolerance {Tolerance:0.####}, {Basis})");
    }

    /// <summary>The checks of <paramref name="notebook"/> (a file name without extension) between a reference and a new quick results file.</summary>
    public static IReadOnlyList<Check> Compare(string notebook, JsonNode reference, JsonNode current)
    {
        if (reference["profile"]?.GetValue<string>() != "quick" || current["profile"]?.GetValue<string>() != "quick")
            throw new ArgumentException($"{notebook}: both files must come from the quick profile.");
        var checks = new List<Check>();
        var testImages = Datasets.EmbeddedTestPerClass * 10;
        void Accuracy(string name, Func<JsonNode, double> read, int n, double seedSpread = 0)
        {
            var p = read(reference);
            checks.Add(new(name, p, read(current), 4 * Math.Sqrt(p * (1 - p) / n) + seedSpread,
                seedSpread > 0 ? $"4 binomial SE on {n} test images + the seeds' spread" : $"4 binomial SE on {n} test images"));
        }
        static double D(JsonNode? node) => node!.GetValue<double>();
        static double[] A(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        static double Spread(double[] values) => values.Length < 2 ? 0 : values.Max() - values.Min();
        switch (notebook[..2])
        {
            case "00":
                Accuracy("baseline_test_accuracy", r => D(r["baseline_test_accuracy"]), testImages);
                break;
            case "01":
                var classes = reference["headline_classes"]!.AsArray().OfType<JsonObject>().ToList();
                var now = current["headline_classes"]!.AsArray().OfType<JsonObject>().ToDictionary(c => c["class"]!.GetValue<string>());
                foreach (var c in classes)
                {
                    var name = c["class"]!.GetValue<string>();
                    if (!now.TryGetValue(name, out var n)) throw new InvalidDataException($"{notebook}: class {name} is missing from the new results.");
                    var (refBand, newBand) = (A(c["band_log2"]), A(n["band_log2"]));
                    // Half of each run's 90% band: two runs agree when their centres are closer than the bands' half-widths together.
                    var tolerance = (refBand[1] - refBand[0]) / 2 + (newBand[1] - newBand[0]) / 2;
                    checks.Add(new($"{name}: init_density_log2", D(c["init_density_log2"]), D(n["init_density_log2"]), tolerance, "half of each run's 90% band, added"));
                    var seeds = A(c["trained_quality_seeds"]);
                    checks.Add(new($"{name}: trained_quality", D(c["trained_quality"]), D(n["trained_quality"]), Math.Max(Spread(seeds), 0.005), "the reference seeds' spread"));
                }
                break;
            case "02":
                var kernelTest = reference["hyperparameters"]!["test_per_class"]!.GetValue<int>() * 10;
                Accuracy("kernel_regression_accuracy.ntk", r => D(r["kernel_regression_accuracy"]!["ntk"]), kernelTest);
                Accuracy("kernel_regression_accuracy.nngp", r => D(r["kernel_regression_accuracy"]!["nngp"]), kernelTest);
                Accuracy("lazy_rich.lazy_accuracy", r => D(r["lazy_rich"]!["lazy_accuracy"]), kernelTest);
                Accuracy("lazy_rich.rich_accuracy", r => D(r["lazy_rich"]!["rich_accuracy"]), kernelTest);
                var sweep = reference["regime_sweep"]!.AsArray();
                for (var p = 0; p < sweep.Count; p++)
                {
                    var point = p;
                    Accuracy($"regime_sweep[{p}] ({sweep[p]!["regime"]}, width {sweep[p]!["width"]}).test_accuracy (mean of seeds)",
                        r => A(r["regime_sweep"]![point]!["test_accuracy"]).Average(), kernelTest, Spread(A(sweep[p]!["test_accuracy"])));
                }
                break;
            case "03":
                var comparison = reference["comparison"]!;
                var n3 = comparison["test_images"]!.GetValue<int>();
                foreach (var key in new[] { "edge_popup", "random_features", "neuron_subset", "dense" })
                    Accuracy($"comparison.{key} (mean of seeds)", r => A(r["comparison"]![key]).Average(), n3, Spread(A(comparison[key])));
                var strong = reference["strong_lth"]!.AsArray().Count;
                for (var s = 0; s < strong; s++)
                {
                    var row = s;
                    Accuracy($"strong_lth[{s}].accuracy", r => D(r["strong_lth"]![row]!["accuracy"]), n3, 0);
                }
                var levels = reference["imp"]!.AsArray().Count;
                for (var l = 0; l < levels; l++)
                {
                    var level = l;
                    Accuracy($"imp[{l}].ticket", r => D(r["imp"]![level]!["ticket"]), n3, Spread(A(reference["imp"]![level]!["ticket_seeds"])));
                }
                break;
            case "04":
                var carImages = TicketLab.Data.Cifar10.EmbeddedTestPerClass * 10;
                Accuracy("test_accuracy.mean (mean of seeds)", r => D(r["test_accuracy"]!["mean"]), carImages, Spread(A(reference["test_accuracy"]!["seeds"])));
                foreach (var key in new[] { "layers", "pair_layers" })
                {
                    var rows = reference[key]!.AsArray().OfType<JsonObject>().ToList();
                    var newRows = current[key]!.AsArray().OfType<JsonObject>().ToList();
                    if (rows.Count != newRows.Count) throw new InvalidDataException($"{notebook}: {key} has {newRows.Count} rows; the reference has {rows.Count}.");
                    for (var i = 0; i < rows.Count; i++)
                    {
                        var (r, n) = (rows[i], newRows[i]);
                        var label = $"{r["class"]} block {r["layer"]}";
                        var (refBand, newBand) = (A(r["band_log2"]), A(n["band_log2"]));
                        checks.Add(new($"{label}: init_density_log2", D(r["init_density_log2"]), D(n["init_density_log2"]), (refBand[1] - refBand[0]) / 2 + (newBand[1] - newBand[0]) / 2,
                            "half of each run's 90% band, added"));
                        checks.Add(new($"{label}: trained_quality", D(r["trained_quality"]), D(n["trained_quality"]), Math.Max(Spread(A(r["trained_quality_seeds"])), 0.005), "the reference seeds' spread"));
                    }
                }
                break;
        }
        return checks;
    }

    /// <summary>The failed checks of a new quick results file against the committed reference of the same notebook (none when no reference is committed for it).</summary>
    public static IReadOnlyList<Check> Failures(string notebook, JsonNode current)
    {
        var path = Path.Combine(Folder, notebook + ".json");
        if (!File.Exists(path)) return [];
        return Compare(notebook, JsonNode.Parse(File.ReadAllText(path))!, current).Where(c => !c.Holds).ToList();
    }
}
