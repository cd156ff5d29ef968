using System.Globalization;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>What is trained on a frozen random net (or, for <see cref="Dense"/>, instead of one).</summary>
public enum PruningMethod
{
    /// <summary>Edge-popup: a mask over the frozen weights (Ramanujan et al. 2020).</summary>
    EdgePopup,
    /// <summary>A subset of the frozen hidden neurons plus a trained readout (the weak baseline of Malach et al. 2020).</summary>
    NeuronSubset,
    /// <summary>The frozen hidden layers whole, only the readout trained: random features.</summary>
    RandomFeatures,
    /// <summary>The architecture trained densely from its own initialization.</summary>
    Dense,
}

/// <summary>One method with its frozen-weight initialization (Dense: "trained").</summary>
/// <param name="Method">What is trained.</param>
/// <param name="Init">The frozen weights' draw (ignored by Dense).</param>
public sealed record MethodKey(PruningMethod Method, FrozenInit Init)
{
    /// <summary>"EdgePopup, SignedKaimingConstant" and so on; "Dense".</summary>
    public override string ToString() => Method == PruningMethod.Dense ? "Dense" : $"{Method}, {Init}";

    /// <summary>The frozen-weight initialization as the results name it ("trained" for Dense).</summary>
    public string InitName => Method == PruningMethod.Dense ? "trained" : Init.ToString();

    /// <summary>Whether the method has a keep fraction (edge-popup of weights, neuron subsets of neurons).</summary>
    public bool Prunes => Method is PruningMethod.EdgePopup or PruningMethod.NeuronSubset;
}

/// <summary>One training of the sweep.</summary>
/// <param name="Method">What was trained.</param>
/// <param name="Init">Frozen-weight initialization ("trained" for dense).</param>
/// <param name="KeepFraction">Fraction of weights (edge-popup) or hidden neurons (neuron subset) kept; 1 for the others.</param>
/// <param name="Seed">Seed of the frozen net and of the batch order.</param>
/// <param name="LearningRate">The step size used.</param>
/// <param name="Accuracy">Test accuracy.</param>
/// <param name="ValidationAccuracy">Accuracy on the held-out training images.</param>
/// <param name="Seconds">Wall time of the training.</param>
public sealed record SweepRun(string Method, string Init, double KeepFraction, long Seed, double LearningRate, double Accuracy, double ValidationAccuracy, double Seconds);

/// <summary>One learning rate tried for one method on the held-out training images.</summary>
/// <param name="Method">The method and init, as <see cref="MethodKey.ToString"/> names them.</param>
/// <param name="LearningRate">The rate.</param>
/// <param name="ValidationAccuracy">Validation accuracy after the run, null when it diverged.</param>
/// <param name="DivergedIn">The sweep run in which this rate diverged after it was chosen, else empty.</param>
public sealed record RateTrial(string Method, double LearningRate, double? ValidationAccuracy, string DivergedIn);

/// <summary>The rate a method is given, and every rate tried.</summary>
/// <param name="Method">The method and init.</param>
/// <param name="LearningRate">The chosen rate.</param>
/// <param name="Trials">Every rate of the grid.</param>
public sealed record RateChoice(string Method, double LearningRate, RateTrial[] Trials);

/// <summary>A (method, keep fraction) of the sweep over seeds, as the results file keeps it.</summary>
/// <param name="Method">What was trained.</param>
/// <param name="Init">Frozen-weight initialization ("trained" for dense).</param>
/// <param name="Optimizer">The recipe, in words.</param>
/// <param name="KeepFraction">Fraction kept (1 when nothing is pruned).</param>
/// <param name="Seeds">Seeds (one frozen net and batch order each).</param>
/// <param name="Accuracy">Mean test accuracy over the seeds.</param>
/// <param name="Band">90% band of that mean from the seeds and the test images (<see cref="Fit.SeedAndSampleBand"/>).</param>
/// <param name="AccuracySeeds">Test accuracy per seed.</param>
/// <param name="ValidationSeeds">Validation accuracy per seed.</param>
/// <param name="LearningRate">The step size.</param>
public sealed record SweepRow(string Method, string Init, string Optimizer, double KeepFraction, long[] Seeds, double Accuracy, double[] Band,
    double[] AccuracySeeds, double[] ValidationSeeds, double LearningRate);

/// <summary>
/// The sweep of notebook 03: on the same frozen random nets (one per seed, <see cref="EdgePopupMlp.Draw"/>), edge-popup
/// and neuron-subset selection at every keep fraction, random features and dense training, all with one recipe and budget
/// (one TrainOptions: optimizer, schedule, epochs, batches), each method with its own step size chosen by one rule:
/// the best of a grid on held-out training images (<see cref="ChooseRates"/>). Runs go side by side, one LibTorch thread each.
/// </summary>
public static class PruningSweep
{
    /// <summary>A fresh net of the method for one seed and keep fraction.</summary>
    public static nn.Module<Tensor, Tensor> Build(MethodKey key, int[] sizes, double keep, long seed) => key.Method switch
    {
        PruningMethod.EdgePopup => new EdgePopupMlp(sizes, key.Init, keep, seed),
        PruningMethod.NeuronSubset => new NeuronSubsetMlp(sizes, key.Init, keep, seed),
        PruningMethod.RandomFeatures => new RandomFeaturesMlp(sizes, key.Init, seed),
        PruningMethod.Dense => new Mlp(new MlpOptions(sizes), seed),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key.Method, "accepted: EdgePopup, NeuronSubset, RandomFeatures, Dense"),
    };

    /// <summary>
    /// Step-size rule: every method (at <paramref name="keep"/> where it prunes, seed <paramref name="seed"/>) is trained once
    /// per rate of <paramref name="grid"/>, and gets the rate with the best accuracy on the held-out training images
    /// (<paramref name="validation"/>); rates that diverge are out.
    /// </summary>
    public static IReadOnlyList<RateChoice> ChooseRates(IReadOnlyList<MethodKey> methods, int[] sizes, double keep, long seed, IReadOnlyList<double> grid,
        TensorData data, EvaluationSet validation, TrainOptions training, int? sideBySide = null, Action<string>? progress = null)
    {
        if (grid.Count == 0) throw new ArgumentException("the learning-rate grid is empty; accepted: one rate or more.", nameof(grid));
        var jobs = (from m in methods from rate in grid select (Key: m, Rate: rate)).ToList();
        var results = Run(jobs.Select(j => (Func<double?>)(() =>
        {
            using var net = Build(j.Key, sizes, keep, seed);
            try
            {
                Trainer.Train(net, data, training with { LearningRate = j.Rate, Seed = seed });
                return Trainer.Evaluate(net, validation.Inputs, validation.Labels, training.Loss, data.Classes).Accuracy;
            }
            catch (TrainingDivergedException)
            {
                return null;
            }
        })).ToList(), sideBySide, (done, total) => progress?.Invoke($"learning rates: {done} of {total} trainings"));
        return methods.Select(m =>
        {
            var trials = jobs.Select((j, i) => (j, r: results[i])).Where(t => t.j.Key == m)
                .Select(t => new RateTrial(m.ToString(), t.j.Rate, t.r, "")).ToArray();
            var best = trials.Where(t => t.ValidationAccuracy is not null).OrderByDescending(t => t.ValidationAccuracy).ThenBy(t => t.LearningRate).FirstOrDefault()
                ?? throw new InvalidOperationException($"Every learning rate of the grid diverged for {m}: add smaller rates to LearningRateGrid.");
            return new RateChoice(m.ToString(), best.LearningRate, trials);
        }).ToList();
    }

    /// <summary>
    /// Every (method, keep fraction, seed) at its method's chosen rate. When a run of a method diverges, that method's next
    /// best rate is used for all its runs and the diverged rate's trial records where. Nets for which
    /// <paramref name="keepNet"/> says so are returned (the caller disposes them); the others are disposed.
    /// </summary>
    public static (IReadOnlyList<SweepRun> Runs, IReadOnlyList<RateChoice> Rates, IReadOnlyDictionary<SweepRun, nn.Module<Tensor, Tensor>> Nets) Run(
        IReadOnlyList<RateChoice> rates, IReadOnlyList<MethodKey> methods, int[] sizes, IReadOnlyList<double> keepFractions, IReadOnlyList<long> seeds,
        TensorData data, EvaluationSet validation, TrainOptions training, Func<MethodKey, double, long, bool>? keepNet = null, int? sideBySide = null, Action<string>? progress = null)
    {
        if (seeds.Count == 0) throw new ArgumentException("seeds is empty; accepted: one seed or more.", nameof(seeds));
        if (keepFractions.Count == 0) throw new ArgumentException("keepFractions is empty; accepted: one fraction or more.", nameof(keepFractions));
        var chosen = rates.ToDictionary(r => r.Method);
        var pending = methods.ToList();
        var runs = new List<SweepRun>();
        var nets = new Dictionary<SweepRun, nn.Module<Tensor, Tensor>>();
        while (pending.Count > 0)
        {
            var jobs = (from m in pending from keep in (m.Prunes ? keepFractions : [1.0]) from seed in seeds select (Key: m, Keep: keep, Seed: seed)).ToList();
            var results = Run(jobs.Select(j => (Func<(SweepRun? Run, nn.Module<Tensor, Tensor>? Net)>)(() =>
            {
                var rate = chosen[j.Key.ToString()].LearningRate;
                var net = Build(j.Key, sizes, j.Keep, j.Seed);
                try
                {
                    var result = Trainer.Train(net, data, training with { LearningRate = rate, Seed = j.Seed });
                    var validationAccuracy = Trainer.Evaluate(net, validation.Inputs, validation.Labels, training.Loss, data.Classes).Accuracy;
                    var run = new SweepRun(j.Key.Method.ToString(), j.Key.InitName, j.Keep, j.Seed, rate, result.FinalTestAccuracy, validationAccuracy, Math.Round(result.Seconds, 2));
                    if (keepNet?.Invoke(j.Key, j.Keep, j.Seed) == true) return (run, net);
                    net.Dispose();
                    return (run, null);
                }
                catch (TrainingDivergedException)
                {
                    net.Dispose();
                    return (null, null);
                }
            })).ToList(), sideBySide, (done, total) => progress?.Invoke($"sweep: {done} of {total} trainings"));
            var retry = new List<MethodKey>();
            foreach (var m in pending)
            {
                var mine = jobs.Select((j, i) => (j, r: results[i])).Where(t => t.j.Key == m).ToList();
                var failed = mine.FirstOrDefault(t => t.r.Run is null);
                if (failed.r.Run is null && mine.Any(t => t.r.Run is null))
                {
                    foreach (var t in mine) t.r.Net?.Dispose();
                    var choice = chosen[m.ToString()];
                    var trials = choice.Trials.Select(t => t.LearningRate == choice.LearningRate
                        ? t with { DivergedIn = $"keep {failed.j.Keep.ToString(CultureInfo.InvariantCulture)}, seed {failed.j.Seed}" } : t).ToArray();
                    var next = trials.Where(t => t.ValidationAccuracy is not null && t.DivergedIn.Length == 0).OrderByDescending(t => t.ValidationAccuracy).ThenBy(t => t.LearningRate).FirstOrDefault()
                        ?? throw new InvalidOperationException($"No learning rate of the grid trains every {m} run of the sweep without diverging: add smaller rates to LearningRateGrid.");
                    chosen[m.ToString()] = new RateChoice(choice.Method, next.LearningRate, trials);
                    retry.Add(m);
                    continue;
                }
                foreach (var t in mine)
                {
                    runs.Add(t.r.Run!);
                    if (t.r.Net is { } net) nets[t.r.Run!] = net;
                }
            }
            pending = retry;
        }
        return (runs, methods.Select(m => chosen[m.ToString()]).ToList(), nets);
    }

    /// <summary>The sweep's runs grouped into one row per (method, init, keep fraction), seeds in order, with the band of the mean.</summary>
    public static IReadOnlyList<SweepRow> Rows(IReadOnlyList<SweepRun> runs, string optimizer, int testImages) =>
        runs.GroupBy(r => (r.Method, r.Init, r.KeepFraction)).Select(g =>
        {
            var ordered = g.OrderBy(r => r.Seed).ToList();
            var accuracies = ordered.Select(r => r.Accuracy).ToArray();
            var (_, low, high) = Fit.SeedAndSampleBand(accuracies, testImages);
            return new SweepRow(g.Key.Method, g.Key.Init, optimizer, g.Key.KeepFraction, ordered.Select(r => r.Seed).ToArray(), accuracies.Average(),
                [Math.Round(low, 4), Math.Round(high, 4)], accuracies, ordered.Select(r => r.ValidationAccuracy).ToArray(), ordered[0].LearningRate);
        }).OrderBy(r => r.Method).ThenBy(r => r.Init).ThenBy(r => r.KeepFraction).ToList();

    /// <summary>
    /// Runs <paramref name="jobs"/> with up to <paramref name="sideBySide"/> at a time (default one per core), each on its
    /// own thread held at one LibTorch thread (<see cref="SideBySide.Run"/>), and returns their results in order; every job
    /// has its own seeds, so the results do not depend on the schedule or on how many run at once. Twice the cores at once
    /// made notebook 03's sweeps of many short trainings slower (10-15% more processor time, a run), so the default is one
    /// per core; a caller with a few long jobs puts the longest first, so that none runs alone at the end.
    /// <paramref name="progress"/> hears (done, total) from the caller's thread about once a second.
    /// </summary>
    public static IReadOnlyList<T> Run<T>(IReadOnlyList<Func<T>> jobs, int? sideBySide = null, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (sideBySide < 1) throw new ArgumentOutOfRangeException(nameof(sideBySide), sideBySide, "accepted: 1 or more trainings at a time, or null for one per core");
        var results = new T[jobs.Count];
        var done = 0;
        SideBySide.Run(Enumerable.Range(0, jobs.Count).ToList(), Math.Max(1, sideBySide ?? Environment.ProcessorCount), i =>
        {
            results[i] = jobs[i]();
            Interlocked.Increment(ref done);
        }, () => progress?.Invoke(Volatile.Read(ref done), jobs.Count));
        return results;
    }
}
