using TicketLab.Data;
using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>The knobs of notebook 01.</summary>
/// <param name="EvaluationPerClass">Test images per class on which every unit (trained, initial, random) is scored.</param>
/// <param name="RandomUnits">Random first-layer units the sampler scores.</param>
/// <param name="Layer2Units">Random second-layer units the sampler scores.</param>
/// <param name="PairUnits">Random first-layer units scored on the harder two-class concept.</param>
/// <param name="ExtraSeeds">Seeds of additional trained baselines, for the spread of the trained curves.</param>
/// <param name="ValidationUnits">Size of the small sample on which the tail fit is checked against the large one.</param>
/// <param name="Tail">Options of the tail fit and its band.</param>
/// <param name="Layer1Seed">Seed of the sampled random layer-1 units.</param>
/// <param name="Layer2Seed">Seed of the sampled random layer-2 units (and their random first layers).</param>
/// <param name="PairSeed">Seed of the random units of the two-class concept.</param>
/// <param name="PairPositive">The two-class concept's positive class (6: Shirt).</param>
/// <param name="PairNegative">Its negative class (0: T-shirt/top).</param>
public sealed record DetectorStudyOptions(int EvaluationPerClass, int RandomUnits, int Layer2Units, int PairUnits, long[] ExtraSeeds, int ValidationUnits, TailOptions Tail,
    long Layer1Seed, long Layer2Seed, long PairSeed, int PairPositive, int PairNegative);

/// <summary>The hidden units of one net, scored: layer 1 first.</summary>
public sealed record ScoredNet(string Condition, long Seed, IReadOnlyList<UnitScores> Layers);

/// <summary>One row of the layer table.</summary>
public sealed record LayerSummary(string Condition, string Layer, int Units, double MeanBestQuality, double MaxQuality, int UnitsAtLeast0_9, int UnitsAtLeast0_95, double MeanSelectivity);

/// <summary>One class: the trained net's best detector and how rare that quality is at initialization.</summary>
/// <param name="Class">Class name.</param>
/// <param name="TrainedBestQuality">Best quality of any hidden unit of the trained baseline (seed 0) for this class.</param>
/// <param name="TrainedBestLayer">The layer of that unit.</param>
/// <param name="OtherSeeds">Best quality of the other trained seeds (min-max).</param>
/// <param name="InitDensity">Fraction of random first-layer units at least that good.</param>
/// <param name="InitLog2">The same in bits.</param>
/// <param name="Band">90% band in bits.</param>
/// <param name="Method">measured or extrapolated.</param>
/// <param name="Layer2Log2">The same density among random second-layer units, in bits.</param>
/// <param name="Layer2Method">measured or extrapolated.</param>
public sealed record ClassDetectorRow(string Class, double TrainedBestQuality, int TrainedBestLayer, string OtherSeeds, double InitDensity, double InitLog2, string Band, string Method,
    double Layer2Log2, string Layer2Method);

/// <summary>A two-class concept (e.g. Shirt vs T-shirt/top): how good the trained net's best unit is and how rare that is at init.</summary>
/// <param name="Concept">"positive vs negative".</param>
/// <param name="TrainedBestQuality">Best quality of any hidden unit of the trained net for the concept.</param>
/// <param name="TrainedBestLayer">Its layer.</param>
/// <param name="InitBestQuality">Best quality among the sampled random units.</param>
/// <param name="InitDensity">Fraction of random first-layer units at least as good as the trained one.</param>
/// <param name="InitLog2">The same in bits.</param>
/// <param name="Band">90% band in bits.</param>
/// <param name="Method">measured or extrapolated.</param>
/// <param name="RandomUnits">Random units sampled.</param>
public sealed record PairConceptResult(string Concept, double TrainedBestQuality, int TrainedBestLayer, double InitBestQuality, double InitDensity, double InitLog2,
    string Band, string Method, int RandomUnits);

/// <summary>The analysis steps of notebook 01, so the notebook only calls and shows them.</summary>
public static class DetectorStudy
{
    /// <summary>Scores the hidden units of a net on the evaluation set.</summary>
    public static ScoredNet Score(string condition, long seed, Mlp net, EvaluationSet eval) =>
        new(condition, seed, UnitScores.ScoreHiddenLayers(net, eval.Inputs, eval.Labels, eval.Classes));

    /// <summary>A row per condition and layer: how good its units are as detectors.</summary>
    public static IReadOnlyList<LayerSummary> LayerTable(IEnumerable<ScoredNet> nets) =>
        nets.SelectMany(n => n.Layers.Select((s, l) => new LayerSummary($"{n.Condition} (seed {n.Seed})", $"layer {l + 1}", s.Count,
            s.BestQuality.Average(q => (double)q), s.BestQuality.Max(), s.BestQuality.Count(q => q >= 0.9), s.BestQuality.Count(q => q >= 0.95),
            s.Selectivity?.Average(v => (double)v) ?? double.NaN))).ToList();

    /// <summary>A density curve of unit sets pooled per seed (e.g. the trained nets' layer 1 over seeds).</summary>
    public static DensityCurve Curve(string label, IEnumerable<UnitScores> perSeed, double[] grid) =>
        Density.Curve(label, perSeed.Select(s => s.BestQuality).ToList(), grid);

    /// <summary>Best quality for each class over all hidden layers of a net, and the layer (1-based) it is in.</summary>
    public static (double Quality, int Layer)[] BestPerClass(ScoredNet net, int classes) =>
        Enumerable.Range(0, classes).Select(c => net.Layers.Select((s, l) => (s.Best(c).Quality, Layer: l + 1)).MaxBy(t => t.Quality)).ToArray();

    /// <summary>The per-class table: the trained best quality and the at-init density there (layer-1 and layer-2 random units).</summary>
    public static IReadOnlyList<ClassDetectorRow> PerClass(IReadOnlyList<ScoredNet> trained, UnitScores randomLayer1, UnitScores randomLayer2,
        IReadOnlyList<string> classNames, TailOptions tail, out IReadOnlyList<TailEstimate> estimates)
    {
        var rows = new List<ClassDetectorRow>();
        var list = new List<TailEstimate>();
        for (var c = 0; c < classNames.Count; c++)
        {
            var (quality, layer) = BestPerClass(trained[0], classNames.Count)[c];
            var others = trained.Skip(1).Select(t => BestPerClass(t, classNames.Count)[c].Quality).ToList();
            var e1 = TailModel.Estimate(randomLayer1.Quality(c), quality, tail);
            var e2 = TailModel.Estimate(randomLayer2.Quality(c), quality, tail);
            list.Add(e1);
            rows.Add(new ClassDetectorRow(classNames[c], quality, layer,
                others.Count == 0 ? "" : $"{others.Min():0.0000}-{others.Max():0.0000}",
                e1.Density, e1.Log2Density, $"[{e1.Log2Low:0.0}, {e1.Log2High:0.0}]", e1.Method, e2.Log2Density, e2.Method));
        }
        estimates = list;
        return rows;
    }

    /// <summary>
    /// The harder concept "<paramref name="positive"/> vs <paramref name="negative"/>" on the evaluation images of those two
    /// classes: the trained net's best unit, and the density of equally good random first-layer units.
    /// </summary>
    public static PairConceptResult PairConcept(Mlp trained, EvaluationSet eval, int positive, int negative, SamplerOptions sampler, TailOptions tail,
        Action<SamplerProgress>? onProgress = null)
    {
        var (x, y) = RandomUnitSampler.Pair(eval.Inputs, eval.Labels, positive, negative);
        using var pair = new EvaluationSet(x, y, 2, [eval.ClassNames[negative], eval.ClassNames[positive]]);
        var scored = Score("trained", 0, trained, pair);
        var (quality, layer) = BestPerClass(scored, 2)[1];
        var random = RandomUnitSampler.Layer1(pair.Inputs, pair.Labels, 2, sampler, onProgress).Scores;
        var qualities = random.Quality(1);
        var estimate = TailModel.Estimate(qualities, quality, tail);
        return new PairConceptResult($"{eval.ClassNames[positive]} vs {eval.ClassNames[negative]}", quality, layer, qualities.Max(), estimate.Density,
            estimate.Log2Density, $"[{estimate.Log2Low:0.0}, {estimate.Log2High:0.0}]", estimate.Method, random.Count);
    }

    /// <summary>The activations of one unit of one hidden layer (1-based) of a net on the evaluation set.</summary>
    public static float[] UnitActivations(Mlp net, int layer, int unit, EvaluationSet eval)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        net.eval();
        return net.Activations(eval.Inputs)[layer - 1][.., unit].contiguous().data<float>().ToArray();
    }

    /// <summary>The incoming weights of a first-layer unit (one value per pixel), as the forward pass uses them.</summary>
    public static float[] FirstLayerWeights(Mlp net, int unit) =>
        net.Weight(0)[unit].mul(net.WeightMultiplier(0)).detach().contiguous().data<float>().ToArray();
}
