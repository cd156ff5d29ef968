using TicketLab.Data;
using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>The knobs of notebook 01.</summary>
/// <param name="EvaluationPerClass">Test images per class of the descriptive tables and curves (the first ones of half A).</param>
/// <param name="HalfPerClass">Test images per class in each of the two halves (500: all 10,000 test images); select on A, report on B.</param>
/// <param name="ExtraSeeds">Seeds of the baselines trained besides seed 0 (the trained quality is the median over all seeds).</param>
/// <param name="Density">The rare-event estimator, its repeats and the joint replicates of the bands.</param>
/// <param name="ProbitUnits">Random layer-1 units scored by plain Monte Carlo on half B, for the probit-tail cross-check.</param>
/// <param name="ValidationPerClass">Images per class of the estimator check (the first of half B): small, so that Monte Carlo reaches deep.</param>
/// <param name="ValidationUnits">Monte Carlo units of the estimator check.</param>
/// <param name="ValidationClasses">Classes of the estimator check.</param>
/// <param name="Tail">Options of the probit tail fit (the cross-check).</param>
/// <param name="SamplerSeed">Seed of the Monte Carlo samples.</param>
/// <param name="PairPositive">The two-class concept's positive class (6: Shirt).</param>
/// <param name="PairNegative">Its negative class (0: T-shirt/top).</param>
public sealed record DetectorStudyOptions(int EvaluationPerClass, int HalfPerClass, long[] ExtraSeeds, RobustDensityOptions Density, int ProbitUnits,
    int ValidationPerClass, int ValidationUnits, int[] ValidationClasses, TailOptions Tail, long SamplerSeed, int PairPositive, int PairNegative);

/// <summary>Everything measured for one concept: the selected trained units, the estimator's curves (layers 1 and 2) and the rows.</summary>
public sealed record ConceptMeasurement(Concept Concept, IReadOnlyList<SelectedDetector> Selected, IReadOnlyList<RareEventCurve> Curves, IReadOnlyList<LayerDensity> Rows)
{
    /// <summary>The layer whose trained quality is highest: the trained net's best detector and random units of that same layer.</summary>
    public int HeadlineLayer => Rows.MaxBy(r => r.TrainedQuality)!.Layer;
}

/// <summary>The hidden units of one net, scored: layer 1 first.</summary>
public sealed record ScoredNet(string Condition, long Seed, IReadOnlyList<UnitScores> Layers);

/// <summary>One row of the layer table.</summary>
public sealed record LayerSummary(string Condition, string Layer, int Units, double MeanBestQuality, double MaxQuality, int UnitsAtLeast0_9, int UnitsAtLeast0_95, double MeanSelectivity);

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

    /// <summary>
    /// Measures one concept: each trained net's best unit per layer chosen on A and scored on B, the rare-event estimator for
    /// random units of layers 1 and 2 on B, and the row (with its joint replicates) of each layer.
    /// </summary>
    public static ConceptMeasurement Measure(Concept concept, IReadOnlyList<(long Seed, Mlp Net)> nets, RobustDensityOptions options, Action<string>? onProgress = null)
    {
        var selected = RobustDensity.Select(nets, concept);
        var curves = new[] { 1, 2 }.Select(layer => RobustDensity.Estimate(concept, layer, options, onProgress)).ToList();
        var rows = curves.Select(c => RobustDensity.Row(concept, c.Layer, selected, nets.Select(n => n.Net).ToList(), c, options)).ToList();
        return new ConceptMeasurement(concept, selected, curves, rows);
    }

    /// <summary>The results rows of measured concepts, the headline layer marked, with the probit cross-check for layer 1 where given.</summary>
    public static IReadOnlyList<ClassDensity> ResultRows(IEnumerable<ConceptMeasurement> measured, Func<ConceptMeasurement, double, double?> probitLog2) =>
        measured.SelectMany(m => m.Rows.Select(r => DensityResults.Row(r, r.Layer == m.HeadlineLayer, r.Layer == 1 ? probitLog2(m, r.TrainedQuality) : null))).ToList();

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
        net.Weight(0)[unit].Times(net.WeightMultiplier(0)).detach().contiguous().data<float>().ToArray();
}
