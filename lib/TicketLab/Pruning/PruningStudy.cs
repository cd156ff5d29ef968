using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>One edge-popup run: the frozen random net pruned to a keep fraction, and a random mask of the same net.</summary>
public sealed record EdgePopupPoint(string Init, double KeepFraction, double Accuracy, double RandomMaskAccuracy, double Seconds);

/// <summary>The steps of notebook 03.</summary>
public static class PruningStudy
{
    /// <summary>Trains the scores of a frozen random net at one keep fraction; returns the point and the net.</summary>
    public static (EdgePopupPoint Point, EdgePopupMlp Net) EdgePopup(int[] sizes, FrozenInit init, double keep, long seed, TensorData data, TrainOptions training,
        Action<TrainProgress>? onProgress = null)
    {
        var net = new EdgePopupMlp(sizes, init, keep, seed);
        var result = Trainer.Train(net, data, training, onProgress);
        var control = net.RandomMaskAccuracy(data.TestX, data.TestY, seed + 17);
        return (new EdgePopupPoint(init.ToString(), keep, result.FinalTestAccuracy, control, result.Seconds), net);
    }

    /// <summary>
    /// Random features: the frozen net <see cref="EdgePopup"/> would prune for this seed, with only its readout trained
    /// (every weight kept); returns the test accuracy.
    /// </summary>
    public static double RandomFeatures(int[] sizes, FrozenInit init, long seed, TensorData data, TrainOptions training)
    {
        using var net = new RandomFeaturesMlp(sizes, init, seed);
        return Trainer.Train(net, data, training).FinalTestAccuracy;
    }

    /// <summary>The same architecture trained densely from its own initialization (seed <paramref name="seed"/>); returns the test accuracy.</summary>
    public static double Dense(int[] sizes, long seed, TensorData data, TrainOptions training)
    {
        using var net = new Nets.Mlp(new Nets.MlpOptions(sizes), seed);
        return Trainer.Train(net, data, training).FinalTestAccuracy;
    }

    /// <summary>Scores of the hidden units of an edge-popup net (layer 1 first), as notebook 01 scores any net.</summary>
    public static IReadOnlyList<UnitScores> ScoreHidden(EdgePopupMlp net, EvaluationSet eval)
    {
        using var scope = NewDisposeScope();
        var activations = net.Activations(eval.Inputs);
        return activations.Take(activations.Count - 1).Select(a => UnitScores.Score(a, eval.Labels, eval.Classes)).ToList();
    }

    /// <summary>Mean SubsetSum error of approximating uniform targets in [−1, 1] with n uniform random values, for each n.</summary>
    public static IReadOnlyList<(int N, double Error)> SubsetSumErrors(IEnumerable<int> sizes, int trials, int seed) =>
        SubsetSumTrials(sizes, trials, seed).Select(t => (t.N, t.Errors.Average())).ToList();

    /// <summary>Every trial's SubsetSum error (uniform target and n uniform values in [−1, 1]), for each n.</summary>
    public static IReadOnlyList<(int N, double[] Errors)> SubsetSumTrials(IEnumerable<int> sizes, int trials, int seed)
    {
        // Draw every problem first, in a fixed order, then solve them on all cores: the same numbers at any core count.
        var random = new Random(seed);
        var problems = sizes.SelectMany(n => Enumerable.Range(0, trials).Select(_ =>
            (N: n, Target: StrongLottery.Uniform53(random) * 2 - 1, Values: Enumerable.Range(0, n).Select(_ => StrongLottery.Uniform53(random) * 2 - 1).ToArray()))).ToList();
        var errors = new double[problems.Count];
        Parallel.For(0, problems.Count, i => errors[i] = SubsetSum.Best(problems[i].Target, problems[i].Values).Error);
        return problems.Select((p, i) => (p.N, Error: errors[i])).GroupBy(p => p.N).Select(g => (g.Key, g.Select(p => p.Error).ToArray())).ToList();
    }

    /// <summary>
    /// Bits of precision per extra random value: the least-squares slope of −log2(mean error) against n, over means above
    /// <paramref name="floor"/> (below it the error is double-precision rounding); 0 with fewer than two such points.
    /// </summary>
    public static double BitsPerWeight(IEnumerable<(int N, double Error)> curve, double floor)
    {
        var resolved = curve.Where(s => s.Error > floor).Select(s => ((double)s.N, -Math.Log2(s.Error))).ToList();
        return resolved.Count < 2 ? 0 : Fit.Slope(resolved);
    }

    /// <summary>The bits per weight of <paramref name="replicates"/> bootstrap resamples of each n's trials (the targets and values drawn again from those measured).</summary>
    public static double[] BitsPerWeightBootstrap(IReadOnlyList<(int N, double[] Errors)> trials, double floor, int replicates, int seed)
    {
        if (replicates < 1) throw new ArgumentOutOfRangeException(nameof(replicates), replicates, "accepted: 1 or more");
        var random = new Random(seed);
        return Enumerable.Range(0, replicates).Select(_ => BitsPerWeight(trials.Select(t =>
            (t.N, Enumerable.Range(0, t.Errors.Length).Select(_ => t.Errors[random.Next(t.Errors.Length)]).Average())), floor)).ToArray();
    }
}
