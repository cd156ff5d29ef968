using TicketLab.Data;
using TicketLab.Detectors;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>One class at one width of the "pruned to yield" sweep.</summary>
/// <param name="Class">The class (one-vs-rest detector).</param>
/// <param name="Width">Hidden units of the 784-width-10 net.</param>
/// <param name="PrunedQuality">Median over seeds of the edge-popup net's best unit for the class, chosen on half A of the test images and scored on half B.</param>
/// <param name="PrunedQualitySeeds">That quality per seed.</param>
/// <param name="TrainedQuality">The trained baselines' layer-1 quality for the class (notebook 01, the same held-out protocol).</param>
/// <param name="ContainsProbability">Probability that a random layer of this width contains a unit of that quality: 1 − (1 − p)^width, p notebook 01's at-init density.</param>
/// <param name="ContainsBand">That probability at the two ends of notebook 01's 90% density band.</param>
public sealed record YieldRow(string Class, int Width, double PrunedQuality, double[] PrunedQualitySeeds, double TrainedQuality, double ContainsProbability, double[] ContainsBand);

/// <summary>Per class: the width at which pruning yields a trained-quality unit against the width at which one exists at random.</summary>
/// <param name="Class">The class.</param>
/// <param name="TrainedQuality">The trained layer-1 quality (notebook 01).</param>
/// <param name="PrunedWidth">The smallest width measured at which edge-popup's median held-out quality reaches it; null when none does.</param>
/// <param name="ContainsWidthLog2">log2 of the width at which a random layer contains such a unit with probability 1/2 (ln 2 / −ln(1 − p), about ln 2 / p).</param>
/// <param name="ContainsWidthBandLog2">That width at the ends of the density band, bits.</param>
/// <param name="RatioLog2">log2(contains width / pruned width): how many times fewer units pruning needs; null when pruning never reached the quality.</param>
/// <param name="RatioLowLog2">The same with the band's smaller contains width: the conservative ratio.</param>
public sealed record YieldWidth(string Class, double TrainedQuality, int? PrunedWidth, double ContainsWidthLog2, double[] ContainsWidthBandLog2, double? RatioLog2, double? RatioLowLog2);

/// <summary>"Can be pruned to yield a detector" against "exists somewhere in the random jumble", as widths (notebook 03).</summary>
public static class PruneToYield
{
    /// <summary>The best unit per class of a net's first hidden layer, chosen on <paramref name="select"/> and scored on <paramref name="report"/> in the direction chosen (notebook 01's protocol).</summary>
    public static double[] HeldOutBest(EdgePopupMlp net, EvaluationSet select, EvaluationSet report)
    {
        using var scope = NewDisposeScope();
        var onA = UnitScores.Score(net.Activations(select.Inputs)[0], select.Labels, select.Classes, withSelectivity: false);
        var onB = UnitScores.Score(net.Activations(report.Inputs)[0], report.Labels, report.Classes, withSelectivity: false);
        // As notebook 01 selects: the unit and its direction (fires for the class or against it) from A, its AUC on B in that direction.
        return Enumerable.Range(0, select.Classes).Select(c =>
        {
            var (unit, _, fires) = onA.Best(c);
            var aucB = (double)onB.Auc[c][unit];
            return fires ? aucB : 1 - aucB;
        }).ToArray();
    }

    /// <summary>Probability that <paramref name="width"/> independent random units include one of density 2^<paramref name="densityLog2"/>.</summary>
    public static double ContainsProbability(double densityLog2, double width)
    {
        var p = Math.Pow(2, densityLog2);
        return p >= 1 ? 1 : -ExpM1(width * Log1M(p));
    }

    /// <summary>log2 of the width at which random units include one of density 2^<paramref name="densityLog2"/> with probability 1/2.</summary>
    public static double ContainsWidthLog2(double densityLog2)
    {
        var p = Math.Pow(2, densityLog2);
        return p >= 0.5 ? 0 : Math.Log2(Math.Log(2) / -Log1M(p));
    }

    /// <summary>
    /// The rows of every (class, width) from each seed's held-out best qualities (<paramref name="qualities"/>[width][seed][class])
    /// and notebook 01's layer-1 rows (<paramref name="layer1"/>, one per class in class order).
    /// </summary>
    public static IReadOnlyList<YieldRow> Rows(IReadOnlyList<int> widths, IReadOnlyList<double[][]> qualities, IReadOnlyList<ClassDensity> layer1)
    {
        if (qualities.Count != widths.Count) throw new ArgumentException($"{qualities.Count} widths of qualities for {widths.Count} widths; accepted: one per width.", nameof(qualities));
        if (qualities.SelectMany(q => q).FirstOrDefault(q => q.Length != layer1.Count) is { } wrong)
            throw new ArgumentException($"a net's qualities hold {wrong.Length} classes and notebook 01's layer-1 rows {layer1.Count}; accepted: one quality per row, in the rows' class order.", nameof(qualities));
        var rows = new List<YieldRow>();
        for (var c = 0; c < layer1.Count; c++)
            for (var w = 0; w < widths.Count; w++)
            {
                var seeds = qualities[w].Select(q => Math.Round(q[c], 4)).ToArray();
                var d = layer1[c];
                rows.Add(new YieldRow(d.Class, widths[w], Math.Round(Median(seeds), 4), seeds, d.TrainedQuality, ContainsProbability(d.InitDensityLog2, widths[w]),
                    [ContainsProbability(d.BandLog2[0], widths[w]), ContainsProbability(d.BandLog2[1], widths[w])]));
            }
        return rows;
    }

    /// <summary>Per class, the pruned width against the contains width.</summary>
    public static IReadOnlyList<YieldWidth> Widths(IReadOnlyList<YieldRow> rows, IReadOnlyList<ClassDensity> layer1) =>
        layer1.Select(d =>
        {
            var reached = rows.Where(r => r.Class == d.Class && r.PrunedQuality >= d.TrainedQuality).OrderBy(r => r.Width).FirstOrDefault();
            var contains = ContainsWidthLog2(d.InitDensityLog2);
            // The band's denser end gives the smaller contains width.
            // Kept to 4 decimals (rounded once, from the unrounded values), so that claim 7's comparison with 3.32 bits is not moved by rounding.
            var (dense, sparse) = (ContainsWidthLog2(d.BandLog2[1]), ContainsWidthLog2(d.BandLog2[0]));
            double? ratio = reached is null ? null : Math.Round(contains - Math.Log2(reached.Width), 4);
            double? low = reached is null ? null : Math.Round(dense - Math.Log2(reached.Width), 4);
            return new YieldWidth(d.Class, d.TrainedQuality, reached?.Width, Math.Round(contains, 4), [Math.Round(dense, 4), Math.Round(sparse, 4)], ratio, low);
        }).ToList();

    /// <summary>ln(1 − p), accurate for tiny p (where 1 − p rounds to 1).</summary>
    static double Log1M(double p) => p < 1e-4 ? -p * (1 + p * (0.5 + p * (1 / 3.0 + p * 0.25))) : Math.Log(1 - p);

    /// <summary>e^y − 1, accurate for tiny y.</summary>
    static double ExpM1(double y) => Math.Abs(y) < 1e-4 ? y * (1 + y * (0.5 + y * (1 / 6.0 + y / 24.0))) : Math.Exp(y) - 1;

    static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
