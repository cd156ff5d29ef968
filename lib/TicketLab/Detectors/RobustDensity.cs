using TicketLab.Data;
using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>
/// A concept a unit can detect: "label is <paramref name="Class"/>" on two fixed halves of the evaluation images
/// (select on <paramref name="A"/>, report on <paramref name="B"/>). Class-vs-rest uses all classes; a two-class concept
/// uses the images of its two classes relabelled 0/1.
/// </summary>
public sealed record Concept(string Name, EvaluationSet A, EvaluationSet B, int Class);

/// <summary>Options of the robust density measurement.</summary>
/// <param name="RareEvent">Subset-simulation options (samples per level, level probability, how deep).</param>
/// <param name="Layer1Runs">Independent estimator runs per concept for random layer-1 units.</param>
/// <param name="Layer2FirstLayers">Random first layers per concept for random layer-2 units (one run each; the density is their mean).</param>
/// <param name="HiddenWidth">Width of those random first layers (the baseline's 300).</param>
/// <param name="WeightStd">σw of the initialization (He: √2).</param>
/// <param name="Replicates">Joint replicates (seeds resampled, evaluation images bootstrapped, estimator runs resampled) for bands and robustness.</param>
/// <param name="Seed">Seed of the estimator runs, the random first layers and the replicates.</param>
public sealed record RobustDensityOptions(RareEventOptions RareEvent, int Layer1Runs = 4, int Layer2FirstLayers = 4, int HiddenWidth = 300,
    double WeightStd = 1.4142135623730951, int Replicates = 200, long Seed = 1)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public RobustDensityOptions Validate()
    {
        RareEvent.Validate();
        if (Layer1Runs is < 2 or > 100) throw new ArgumentOutOfRangeException(nameof(Layer1Runs), Layer1Runs, "accepted: 2 to 100 (an error bar needs repeats)");
        if (Layer2FirstLayers is < 2 or > 100) throw new ArgumentOutOfRangeException(nameof(Layer2FirstLayers), Layer2FirstLayers, "accepted: 2 to 100");
        if (HiddenWidth < 1) throw new ArgumentOutOfRangeException(nameof(HiddenWidth), HiddenWidth, "accepted: at least 1");
        if (!(WeightStd > 0)) throw new ArgumentOutOfRangeException(nameof(WeightStd), WeightStd, "accepted: > 0");
        if (Replicates is < 20 or > 100_000) throw new ArgumentOutOfRangeException(nameof(Replicates), Replicates, "accepted: 20 to 100000");
        return this;
    }
}

/// <summary>One trained net's best unit for a concept in one layer: chosen on half A, scored on half B.</summary>
/// <param name="Seed">The net's seed.</param>
/// <param name="Layer">Hidden layer, 1-based.</param>
/// <param name="Unit">Unit index in the layer.</param>
/// <param name="FiresForClass">Direction chosen on A: true if it fires for the class (AUC ≥ 0.5 on A).</param>
/// <param name="QualityA">Its quality on A (where it was the best: optimistic).</param>
/// <param name="QualityB">Its quality on B, in the direction chosen on A (the reported one).</param>
/// <param name="LayerQualitiesB">max(AUC, 1 − AUC) on B of every unit of that layer (the trained net's own density).</param>
public sealed record SelectedDetector(long Seed, int Layer, int Unit, bool FiresForClass, double QualityA, double QualityB, float[] LayerQualitiesB);

/// <summary>One concept in one layer: trained quality over seeds, and the at-init density of random units of the same layer there.</summary>
/// <param name="Concept">Class name or two-class concept.</param>
/// <param name="Layer">Hidden layer, 1-based: trained layer-k units against random layer-k units.</param>
/// <param name="TrainedQuality">Median over seeds of the held-out quality of each seed's best unit.</param>
/// <param name="TrainedQualitySeeds">That quality per seed.</param>
/// <param name="SelectionQualitySeeds">The same units' quality on half A, where they were chosen (the winner's curse is the gap).</param>
/// <param name="TrainedDensityLog2">The trained nets' own density at that quality in that layer (median over seeds), bits.</param>
/// <param name="InitDensityLog2">log2 of the fraction of random units of that layer at least as good (mean over estimator runs).</param>
/// <param name="EstimatorSeLog2">Standard error in bits of that mean from the independent runs (or random first layers).</param>
/// <param name="BandLog2">90% band in bits over joint replicates: seeds, evaluation images and estimator runs together.</param>
/// <param name="BandSourcesLog2">Width in bits of the 90% band with one source varied at a time: seeds, images, estimator.</param>
/// <param name="Estimator">"monte-carlo" when the estimator's first level (plain Monte Carlo) holds at least 10 such units, else "rare-event".</param>
/// <param name="Resolved">False when some run never reached that quality: the density is then only bounded by ReachedLog2.</param>
/// <param name="ReachedLog2">The smallest density the runs resolve (largest over runs), bits.</param>
/// <param name="ReplicatesLog2">The joint replicates' densities, bits (for the verdict's robustness).</param>
/// <param name="TrainedQualityReplicates">The joint replicates' trained qualities.</param>
public sealed record LayerDensity(string Concept, int Layer, double TrainedQuality, double[] TrainedQualitySeeds, double[] SelectionQualitySeeds,
    double TrainedDensityLog2, double InitDensityLog2, double EstimatorSeLog2, double[] BandLog2, double[] BandSourcesLog2, string Estimator, bool Resolved,
    double ReachedLog2, double[] ReplicatesLog2, double[] TrainedQualityReplicates);

/// <summary>The estimator runs of one concept and layer, with the density they give at any quality.</summary>
public sealed record RareEventCurve(string Concept, int Layer, IReadOnlyList<RareEventRun> Runs)
{
    /// <summary>log2 of the mean over runs of P(quality ≥ q); a run that never reached q contributes its bound.</summary>
    public double Log2Density(double q, IReadOnlyList<int>? runs = null)
    {
        var use = runs ?? Enumerable.Range(0, Runs.Count).ToList();
        return Math.Log2(use.Average(r => Runs[r].DensityOrBound(q)));
    }

    /// <summary>Standard error in bits of <see cref="Log2Density"/> from the spread of the runs (delta method).</summary>
    public double StandardErrorLog2(double q)
    {
        var p = Runs.Select(r => r.DensityOrBound(q)).ToArray();
        var mean = p.Average();
        var sd = Math.Sqrt(p.Sum(v => (v - mean) * (v - mean)) / (p.Length - 1));
        return sd / mean / Math.Sqrt(p.Length) / Math.Log(2);
    }

    /// <summary>Whether every run reached q.</summary>
    public bool Resolved(double q) => Runs.All(r => r.Log2Density(q) is not null);

    /// <summary>The smallest density every run resolves, bits.</summary>
    public double ReachedLog2 => Runs.Max(r => r.ReachedLog2);

    /// <summary>Units scored over all runs.</summary>
    public long Evaluations => Runs.Sum(r => r.Evaluations);

    /// <summary>Seconds over all runs.</summary>
    public double Seconds => Runs.Sum(r => r.Seconds);

    /// <summary>Whether the first level (plain Monte Carlo) of every run holds at least <paramref name="count"/> units at or above q.</summary>
    public bool MonteCarloSuffices(double q, int count = 10) =>
        Runs.All(r => r.Levels[0].Scores.Count(s => s >= q) >= count);
}

/// <summary>
/// The robust answer of notebook 01: for each concept and hidden layer, the trained nets' best unit chosen on one half
/// of the test images and scored on the other, its median over seeds, and the at-init density of random units of the
/// same layer at that quality from the rare-event estimator, with a band from seeds, images and estimator together.
/// </summary>
public static class RobustDensity
{
    /// <summary>Each trained net's best unit for the concept in every hidden layer (selected on A, scored on B).</summary>
    public static IReadOnlyList<SelectedDetector> Select(IReadOnlyList<(long Seed, Mlp Net)> nets, Concept concept)
    {
        var list = new List<SelectedDetector>();
        foreach (var (seed, net) in nets)
        {
            var classes = concept.A.Classes;
            var onA = UnitScores.ScoreHiddenLayers(net, concept.A.Inputs, concept.A.Labels, classes);
            var onB = UnitScores.ScoreHiddenLayers(net, concept.B.Inputs, concept.B.Labels, classes);
            for (var l = 0; l < onA.Count; l++)
            {
                var (unit, qualityA, fires) = onA[l].Best(concept.Class);
                var aucB = onB[l].Auc[concept.Class][unit];
                list.Add(new SelectedDetector(seed, l + 1, unit, fires, qualityA, fires ? aucB : 1 - aucB, onB[l].Quality(concept.Class)));
            }
        }
        return list;
    }

    /// <summary>
    /// Runs the estimator for random units of one layer (1 or 2) on half B of the concept: <see cref="RobustDensityOptions.Layer1Runs"/>
    /// independent runs for layer 1, one run on each of <see cref="RobustDensityOptions.Layer2FirstLayers"/> random first layers for layer 2.
    /// The runs are independent, so they run side by side, up to twice as many as cores at once, each on one LibTorch thread (<see cref="Training.SideBySide.Run"/>):
    /// a run's numbers do not depend on the machine's core count, and the ranking of each batch of units (single-threaded C#)
    /// of one run overlaps the products of another. <paramref name="onProgress"/> is called from the calling thread.
    /// </summary>
    public static RareEventCurve Estimate(Concept concept, int layer, RobustDensityOptions options, Action<string>? onProgress = null)
    {
        options.Validate();
        if (layer is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(layer), layer, "accepted: 1 or 2 (the baseline's hidden layers)");
        var count = layer == 1 ? options.Layer1Runs : options.Layer2FirstLayers;
        var runs = new RareEventRun?[count];
        var labels = concept.B.Labels;
        var finished = 0;
        string? line = null, shown = null;
        Training.SideBySide.Run(Enumerable.Range(0, count).ToList(), Math.Min(count, 2 * Environment.ProcessorCount), k =>
        {
            using var scope = NewDisposeScope();
            Tensor features;
            if (layer == 1) features = concept.B.Inputs;
            else
            {
                using var generator = new Generator((ulong)RunSeed(options.Seed, "first layer", 2, k));
                var fanIn = concept.B.Inputs.shape[1];
                var first = Draws.Normal([fanIn, options.HiddenWidth], generator).TimesInPlace(options.WeightStd / Math.Sqrt(fanIn));
                features = nn.functional.relu(concept.B.Inputs.mm(first));
            }
            using var quality = new RandomUnitQuality(features, labels, concept.Class, options.WeightStd);
            var run = SubsetSimulation.Run(quality.Score, quality.Dimension, options.RareEvent, RunSeed(options.Seed, concept.Name, layer, k));
            lock (runs)
            {
                runs[k] = run;
                finished++;
                line = layer == 1
                    ? $"{concept.Name}, layer 1: {finished} of {count} runs done (run {k + 1} reached 2^{run.ReachedLog2:0.0})"
                    : $"{concept.Name}, layer 2: {finished} of {count} random first layers done (layer {k + 1} reached 2^{run.ReachedLog2:0.0})";
            }
        }, () =>
        {
            string? now;
            lock (runs) now = line;
            if (now is not null && now != shown) onProgress?.Invoke(shown = now);
        });
        return new RareEventCurve(concept.Name, layer, runs.Select(r => r!).ToList());
    }

    /// <summary>
    /// The row of one concept and layer, with its joint replicates: replicate r resamples the seeds, bootstraps the B images
    /// and resamples the estimator runs, all from (seed, r), so replicate r is the same draw for every concept.
    /// </summary>
    public static LayerDensity Row(Concept concept, int layer, IReadOnlyList<SelectedDetector> selected, IReadOnlyList<Mlp> nets, RareEventCurve curve,
        RobustDensityOptions options)
    {
        var units = selected.Where(s => s.Layer == layer).ToList();
        if (units.Count != nets.Count) throw new ArgumentException($"expected one selected unit per net in layer {layer}, got {units.Count}.", nameof(selected));
        return Row(concept, layer, selected, units.Select((u, i) => UnitActivations(nets[i], layer, u.Unit, concept.B)).ToArray(), curve, options);
    }

    /// <summary>
    /// <see cref="Row(Concept, int, IReadOnlyList{SelectedDetector}, IReadOnlyList{Mlp}, RareEventCurve, RobustDensityOptions)"/>
    /// for any kind of net: <paramref name="activations"/>[i] holds the selected unit of the i-th net of that layer on the B images.
    /// </summary>
    public static LayerDensity Row(Concept concept, int layer, IReadOnlyList<SelectedDetector> selected, float[][] activations, RareEventCurve curve,
        RobustDensityOptions options)
    {
        var units = selected.Where(s => s.Layer == layer).ToList();
        if (units.Count != activations.Length) throw new ArgumentException($"expected one selected unit per activation row in layer {layer}, got {units.Count} units and {activations.Length} rows.", nameof(selected));
        var seedQualities = units.Select(u => u.QualityB).ToArray();
        var quality = Median(seedQualities);
        var trainedDensity = Math.Log2(Median(units.Select(u => u.LayerQualitiesB.Count(v => v >= quality) / (double)u.LayerQualitiesB.Length).ToArray()));
        var labels = concept.B.Labels.to(ScalarType.Int64).data<long>().Select(l => l == concept.Class ? 1 : 0).ToArray();
        var all = Enumerable.Range(0, curve.Runs.Count).ToList();
        var seedsAll = Enumerable.Range(0, units.Count).ToArray();
        var imagesAll = Enumerable.Range(0, labels.Length).ToArray();

        double[] Replicates(bool seeds, bool images, bool estimator, out double[] qualities)
        {
            var densities = new double[options.Replicates];
            qualities = new double[options.Replicates];
            for (var r = 0; r < options.Replicates; r++)
            {
                var random = new Random(Mix(options.Seed, r));
                var seedDraw = seeds ? seedsAll.Select(_ => random.Next(units.Count)).ToArray() : seedsAll;
                var imageDraw = images ? imagesAll.Select(_ => random.Next(labels.Length)).ToArray() : imagesAll;
                var runRandom = new Random(Mix(options.Seed, r, StringKey(concept.Name), layer));
                var runDraw = estimator ? all.Select(_ => runRandom.Next(all.Count)).ToList() : all;
                var q = images ? Median(seedDraw.Select(s => DirectedAuc(activations[s], labels, imageDraw, units[s].FiresForClass)).ToArray())
                    : Median(seedDraw.Select(s => seedQualities[s]).ToArray());
                qualities[r] = q;
                densities[r] = curve.Log2Density(q, runDraw);
            }
            return densities;
        }

        var joint = Replicates(true, true, true, out var jointQualities);
        var sources = new[] { Replicates(true, false, false, out _), Replicates(false, true, false, out _), Replicates(false, false, true, out _) }
            .Select(d => Quantile(d, 0.95) - Quantile(d, 0.05)).ToArray();
        var estimator = curve.MonteCarloSuffices(quality) ? "monte-carlo" : "rare-event";
        return new LayerDensity(concept.Name, layer, quality, seedQualities, units.Select(u => u.QualityA).ToArray(), trainedDensity,
            curve.Log2Density(quality), curve.StandardErrorLog2(quality), [Quantile(joint, 0.05), Quantile(joint, 0.95)], sources, estimator,
            curve.Resolved(quality), curve.ReachedLog2, joint, jointQualities);
    }

    /// <summary>
    /// Plain Monte Carlo against the rare-event estimator on the same problem: at the qualities where the Monte Carlo
    /// sample's density is 2^-2, 2^-4, ... (while at least <paramref name="minimumCount"/> units reach it).
    /// </summary>
    public static IReadOnlyList<EstimatorCheck> Validate(string concept, float[] monteCarloQualities, RareEventCurve curve, int minimumCount = 4)
    {
        var sorted = (float[])monteCarloQualities.Clone();
        Array.Sort(sorted);
        var n = sorted.Length;
        var rows = new List<EstimatorCheck>();
        for (var bits = 2; ; bits += 2)
        {
            var count = (int)Math.Round(n * Math.Pow(2, -bits));
            if (count < minimumCount) break;
            var q = sorted[n - count];
            var measured = sorted.Count(v => v >= q);
            if (!curve.Resolved(q)) break;
            rows.Add(new EstimatorCheck(concept, curve.Layer, Math.Round(q, 5), measured, n, Math.Log2(measured / (double)n),
                1 / Math.Sqrt(measured) / Math.Log(2), curve.Log2Density(q), curve.StandardErrorLog2(q)));
        }
        return rows;
    }

    /// <summary>The activations of one hidden unit on the images of <paramref name="set"/>.</summary>
    static float[] UnitActivations(Mlp net, int layer, int unit, EvaluationSet set)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        net.eval();
        return net.Activations(set.Inputs)[layer - 1][.., unit].contiguous().data<float>().ToArray();
    }

    /// <summary>AUC of a unit on the drawn images in the chosen direction (ties count half).</summary>
    static double DirectedAuc(float[] activations, int[] labels, int[] draw, bool firesForClass)
    {
        var rows = draw.Select(i => activations[i]).ToArray();
        var drawnLabels = draw.Select(i => labels[i]).ToArray();
        if (drawnLabels.All(l => l == drawnLabels[0])) return 0.5;
        var auc = RadixAuc.ClassVsRest(rows, 1, rows.Length, drawnLabels, 2)[1, 0];
        return firesForClass ? auc : 1 - auc;
    }

    internal static long RunSeed(long seed, string concept, int layer, int run) => Mix(seed, StringKey(concept), layer, run) & 0x7FFF_FFFF;

    /// <summary>A process-independent key of a string (string.GetHashCode is randomized per process).</summary>
    internal static long StringKey(string text) => text.Aggregate(17L, (h, c) => unchecked(h * 31 + c));

    /// <summary>A deterministic seed from parts (splitmix64 steps), so replicate r is the same draw in every process.</summary>
    internal static int Mix(params long[] parts)
    {
        var h = 0x9E37_79B9_7F4A_7C15UL;
        foreach (var part in parts)
        {
            h = unchecked((h ^ (ulong)part) * 0xBF58_476D_1CE4_E5B9UL);
            h ^= h >> 31;
        }
        return (int)(h & 0x7FFF_FFFF);
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>The p-quantile by linear interpolation between order statistics.</summary>
    public static double Quantile(double[] values, double p) => Fit.Quantile(values, p);
}

/// <summary>One row of the estimator check: plain Monte Carlo and the rare-event estimator at the same quality.</summary>
/// <param name="Concept">Class.</param>
/// <param name="Layer">Layer of the random units.</param>
/// <param name="Q">Quality.</param>
/// <param name="MonteCarloCount">Monte Carlo units at or above q.</param>
/// <param name="MonteCarloUnits">Monte Carlo units scored.</param>
/// <param name="MonteCarloLog2">Their fraction, bits.</param>
/// <param name="MonteCarloSeLog2">Its standard error in bits (Poisson).</param>
/// <param name="RareEventLog2">The rare-event estimate, bits.</param>
/// <param name="RareEventSeLog2">Its standard error in bits from independent runs.</param>
public sealed record EstimatorCheck(string Concept, int Layer, double Q, long MonteCarloCount, long MonteCarloUnits, double MonteCarloLog2, double MonteCarloSeLog2,
    double RareEventLog2, double RareEventSeLog2)
{
    /// <summary>Difference rare-event minus Monte Carlo, bits.</summary>
    public double DifferenceLog2 => RareEventLog2 - MonteCarloLog2;

    /// <summary>The difference in units of the combined standard error.</summary>
    public double Z => DifferenceLog2 / Math.Sqrt(MonteCarloSeLog2 * MonteCarloSeLog2 + RareEventSeLog2 * RareEventSeLog2);
}
