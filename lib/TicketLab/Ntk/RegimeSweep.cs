using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// The three training regimes of notebook 02's matched comparison. They share the data, the number of full-batch gradient
/// steps, the optimizer (plain SGD), the loss (squared error, trained as f − f₀) and the learning-rate rule; they differ
/// only in how weights are scaled at initialization, in the forward pass and in the learning rate of each tensor.
/// </summary>
public enum Regime
{
    /// <summary>NTK parametrization (Jacot et al. 2018): lazy as width grows.</summary>
    Lazy,
    /// <summary>Mean-field / μP (Yang &amp; Hu 2021): features keep moving at any width.</summary>
    Rich,
    /// <summary>Standard (PyTorch-style) parametrization, as nets are usually trained.</summary>
    Standard,
}

/// <summary>Names, nets and colours of the regimes.</summary>
public static class Regimes
{
    /// <summary>Every regime, lazy first.</summary>
    public static IReadOnlyList<Regime> All { get; } = [Regime.Lazy, Regime.Rich, Regime.Standard];

    /// <summary>The name used in tables, charts and results.</summary>
    public static string Name(Regime regime) => regime switch
    {
        Regime.Lazy => "lazy (NTK parametrization)",
        Regime.Rich => "rich (mean-field / μP)",
        _ => "standard parametrization",
    };

    /// <summary>The suite's condition (and so colour) of a regime.</summary>
    public static Condition Condition(Regime regime) => regime switch
    {
        Regime.Lazy => TicketLab.Condition.Lazy,
        Regime.Rich => TicketLab.Condition.Rich,
        _ => TicketLab.Condition.Trained,
    };

    /// <summary>The net of a regime: same layer sizes and bias scale, the regime's parametrization.</summary>
    public static MlpOptions Net(Regime regime, int[] layers, double biasStd) => new(layers, regime switch
    {
        Regime.Lazy => Parametrization.Ntk,
        Regime.Rich => Parametrization.MeanField,
        _ => Parametrization.Standard,
    }, BiasStd: biasStd);
}

/// <summary>One learning rate tried on held-out training images.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Width">Hidden width it was tried at.</param>
/// <param name="LearningRate">The rate.</param>
/// <param name="ValidationAccuracy">Accuracy on the held-out training images after the run (null when it diverged).</param>
/// <param name="Diverged">Whether the trainer stopped the run as diverging.</param>
/// <param name="DivergedIn">The training of the notebook in which the rate diverged (net or width, and seed), empty when it passed every check or was not yet checked, "not checked" for rates below the chosen one.</param>
public sealed record LearningRateTrial(string Regime, int Width, double LearningRate, double? ValidationAccuracy, bool Diverged, string DivergedIn);

/// <summary>The learning rate a regime is given: the grid's best on held-out training images.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Width">Hidden width the choice was made at.</param>
/// <param name="LearningRate">The chosen rate.</param>
/// <param name="ValidationAccuracy">Its accuracy on the held-out training images.</param>
/// <param name="Trials">Every rate tried.</param>
public sealed record LearningRateChoice(string Regime, int Width, double LearningRate, double ValidationAccuracy, LearningRateTrial[] Trials);

/// <summary>How far training moved the nearly-good random detectors, paired unit by unit.</summary>
/// <param name="Deltas">Per (unit, class) pair: the quality after training minus before, on the report images, for the top units of each class at init (selected on other images).</param>
/// <param name="MeanDelta">Mean of <paramref name="Deltas"/>.</param>
/// <param name="MeanAbsDelta">Mean of their absolute values.</param>
/// <param name="QualityBefore">Mean quality of those units at init on the report images.</param>
/// <param name="AllUnitsMeanDelta">Mean over every hidden unit of the change of its best quality over classes (the paired shift of the density curve).</param>
public sealed record TweakMeasure(double[] Deltas, double MeanDelta, double MeanAbsDelta, double QualityBefore, double AllUnitsMeanDelta);

/// <summary>One training of the matched sweep.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Seed">Initialization seed.</param>
/// <param name="LearningRate">The regime's chosen rate.</param>
/// <param name="Point">How far it moved (weights per layer, features, kernel, linearization for the lazy regime).</param>
/// <param name="Tweak">What happened to its best random detectors.</param>
public sealed record RegimeRun(string Regime, int Width, long Seed, double LearningRate, MovementPoint Point, TweakMeasure Tweak);

/// <summary>The matched sweep's runs of one regime at one width, one value per seed.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Seeds">Seeds, in the order of every array.</param>
/// <param name="LearningRate">The regime's rate.</param>
/// <param name="FeatureChange">Relative change of the last hidden layer's features, per seed.</param>
/// <param name="KernelChange">Relative change of the empirical NTK, per seed.</param>
/// <param name="LinearizationRmse">Net minus its trained linearization, RMS, per seed (lazy regime only; null otherwise).</param>
/// <param name="NtkRelativeError">Initial empirical NTK against the analytic one, per seed (lazy regime only; null otherwise).</param>
/// <param name="LayerWeightChange">Per weight matrix (input first), the relative weight change per seed.</param>
/// <param name="TestAccuracy">Test accuracy per seed.</param>
public sealed record RegimePoint(string Regime, int Width, long[] Seeds, double LearningRate, double[] FeatureChange, double[] KernelChange,
    double[]? LinearizationRmse, double[]? NtkRelativeError, double[][] LayerWeightChange, double[] TestAccuracy);

/// <summary>"Slight tweaks" of one regime at one width.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="MeanDeltaQuality">Mean paired quality change Δq of the top random detectors (all seeds, classes and units).</param>
/// <param name="Band">5% and 95% of a bootstrap over seeds, then units (a 90% band).</param>
/// <param name="MeanAbsDeltaQuality">Mean |Δq| of the same units.</param>
/// <param name="QualityBefore">Their mean quality at init on the report images.</param>
/// <param name="AllUnitsMeanDelta">Mean change of every hidden unit's best quality.</param>
/// <param name="AllUnitsBand">Its 90% band over seeds.</param>
/// <param name="SeedMeans">Mean Δq per seed.</param>
public sealed record TweakRow(string Regime, int Width, double MeanDeltaQuality, double[] Band, double MeanAbsDeltaQuality, double QualityBefore,
    double AllUnitsMeanDelta, double[] AllUnitsBand, double[] SeedMeans);

/// <summary>A power-law exponent against width, over seeds.</summary>
/// <param name="Regime">The regime's name.</param>
/// <param name="Quantity">What moves: a weight matrix, the hidden features, the kernel, or the distance to the linearization.</param>
/// <param name="Slope">Log-log slope of the per-width geometric mean over seeds.</param>
/// <param name="Band">5% and 95% of the slope when each width's value is drawn from one seed (a 90% band).</param>
/// <param name="Theory">The exponent theory gives (null where it gives none): under NTK parametrization −1/2 for input and readout matrices, features and the linearization, −1 for n×n hidden matrices; under μP 0 for the features.</param>
/// <param name="SeedSlopes">The slope of each seed on its own.</param>
public sealed record RegimeSlope(string Regime, string Quantity, double Slope, double[] Band, double? Theory, double[] SeedSlopes);

/// <summary>The matched lazy / rich / standard sweep of notebook 02 and its summaries.</summary>
public static class RegimeSweep
{
    /// <summary>
    /// The first half of the rule every regime's learning rate comes from: every rate of <paramref name="grid"/> trains the
    /// <paramref name="layers"/> net once (the first seed) and is scored on held-out training images
    /// (<paramref name="trainAndValidation"/>'s test split must be those). The best is provisional: <see cref="StagedSweep"/>
    /// keeps it only if every training the notebook makes with it runs.
    /// </summary>
    public static LearningRateChoice ChooseLearningRate(Regime regime, int[] layers, double biasStd, long seed, TensorData trainAndValidation,
        TrainOptions training, double[] grid)
    {
        if (grid.Length == 0 || grid.Any(g => !(g > 0) || double.IsInfinity(g)))
            throw new ArgumentOutOfRangeException(nameof(grid), $"[{string.Join(", ", grid)}]", "accepted: at least one finite learning rate > 0");
        var width = layers[1];
        var trials = grid.Select(rate => new LearningRateTrial(Regimes.Name(regime), width, rate, Train(regime, layers, biasStd, seed, trainAndValidation, training with { LearningRate = rate }),
            false, "")).Select(t => t with { Diverged = t.ValidationAccuracy is null }).ToArray();
        var best = trials.Where(t => !t.Diverged).OrderByDescending(t => t.ValidationAccuracy).FirstOrDefault()
            ?? throw new InvalidOperationException($"Every learning rate of the grid [{string.Join(", ", grid)}] diverged for the {Regimes.Name(regime)} net at width {width}: add smaller rates to LearningRateGrid.");
        return new(best.Regime, width, best.LearningRate, best.ValidationAccuracy!.Value, trials);
    }

    /// <summary>Trains one net as f − f₀; its final test accuracy, or null when the trainer stopped it as diverging.</summary>
    static double? Train(Regime regime, int[] layers, double biasStd, long seed, TensorData data, TrainOptions training)
    {
        using var net = new Mlp(Regimes.Net(regime, layers, biasStd), seed);
        try
        {
            return Trainer.Train(new OutputScaledNet(net, 1.0), data, training).FinalTestAccuracy;
        }
        catch (TrainingDivergedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Trains one net of the sweep (784-n-n-10 style layer sizes from <paramref name="layers"/>) and measures what moved; for the
    /// lazy regime also its trained linearization. Top detectors are chosen on <paramref name="select"/> and reported on <paramref name="report"/>.
    /// <paramref name="cancel"/> stops the trainings before their next step (<see cref="OperationCanceledException"/>).
    /// </summary>
    public static RegimeRun Run(Regime regime, int[] layers, long seed, double learningRate, double biasStd, TensorData data, TrainOptions training,
        Tensor kernelInputs, EvaluationSet select, EvaluationSet report, int topPerClass, CancellationToken cancel = default)
    {
        var (point, initial, trained) = LazyRichStudy.Measure($"{Regimes.Name(regime)}, width {layers[1]}, seed {seed}", Regimes.Net(regime, layers, biasStd), seed, data,
            training with { LearningRate = learningRate }, kernelInputs, linearize: regime == Regime.Lazy, cancel: cancel);
        try
        {
            return new(Regimes.Name(regime), layers[1], seed, learningRate, point, Tweaks.Measure(initial, trained, select, report, topPerClass));
        }
        finally
        {
            initial.Dispose();
            trained.Dispose();
        }
    }

    /// <summary>The runs grouped by regime and width, one value per seed.</summary>
    public static IReadOnlyList<RegimePoint> Points(IEnumerable<RegimeRun> runs) =>
        runs.GroupBy(r => (r.Regime, r.Width)).Select(g =>
        {
            var rs = g.OrderBy(r => r.Seed).ToArray();
            var layers = rs[0].Point.LayerWeightChange.Length;
            return new RegimePoint(g.Key.Regime, g.Key.Width, rs.Select(r => r.Seed).ToArray(), rs[0].LearningRate,
                rs.Select(r => r.Point.RelativeFeatureChange).ToArray(), rs.Select(r => r.Point.RelativeKernelChange).ToArray(),
                Measured(rs.Select(r => r.Point.LinearizationRmse)), Measured(rs.Select(r => r.Point.NtkRelativeError)),
                Enumerable.Range(0, layers).Select(l => rs.Select(r => r.Point.LayerWeightChange[l]).ToArray()).ToArray(),
                rs.Select(r => r.Point.TestAccuracy).ToArray());
        }).ToList();

    /// <summary>Δq of the top random detectors per regime and width, with bands over seeds and units.</summary>
    public static IReadOnlyList<TweakRow> TweakRows(IEnumerable<RegimeRun> runs) =>
        runs.GroupBy(r => (r.Regime, r.Width)).Select(g =>
        {
            var rs = g.OrderBy(r => r.Seed).ToArray();
            var (mean, low, high) = Fit.HierarchicalBand(rs.Select(r => r.Tweak.Deltas).ToArray());
            var all = rs.Select(r => r.Tweak.AllUnitsMeanDelta).ToArray();
            var (allMean, allLow, allHigh) = Fit.HierarchicalBand(all.Select(a => new[] { a }).ToArray());
            return new TweakRow(g.Key.Regime, g.Key.Width, Math.Round(mean, 5), [Math.Round(low, 5), Math.Round(high, 5)],
                Math.Round(rs.Average(r => r.Tweak.MeanAbsDelta), 5), Math.Round(rs.Average(r => r.Tweak.QualityBefore), 4),
                Math.Round(allMean, 5), [Math.Round(allLow, 5), Math.Round(allHigh, 5)], rs.Select(r => Math.Round(r.Tweak.MeanDelta, 5)).ToArray());
        }).ToList();

    static double[]? Measured(IEnumerable<double> values)
    {
        var array = values.ToArray();
        return array.All(double.IsNaN) ? null : array;
    }

    /// <summary>Names of the weight matrices of a net with <paramref name="layers"/> weight layers.</summary>
    public static string LayerName(int layer, int layers) =>
        layer == 0 ? "input layer (784 × n)" : layer == layers - 1 ? "readout (n × 10)" : $"hidden layer {layer} (n × n)";

    /// <summary>
    /// Exponents against width over seeds, per regime: each weight matrix, the hidden features and the kernel, and for the lazy
    /// regime the distance to the linearization, each with its theory line.
    /// </summary>
    public static IReadOnlyList<RegimeSlope> Slopes(IReadOnlyList<RegimePoint> points)
    {
        var slopes = new List<RegimeSlope>();
        foreach (var regime in points.Select(p => p.Regime).Distinct())
        {
            var rows = points.Where(p => p.Regime == regime).OrderBy(p => p.Width).ToArray();
            if (rows.Length < 2) continue;
            var widths = rows.Select(r => (double)r.Width).ToArray();
            var seeds = rows[0].Seeds.Length;
            var lazy = regime == Regimes.Name(Regime.Lazy);
            var rich = regime == Regimes.Name(Regime.Rich);
            void Add(string quantity, Func<RegimePoint, double[]?> values, double? theory)
            {
                if (rows.Any(r => values(r) is null)) return;
                var bySeed = Enumerable.Range(0, seeds).Select(s => rows.Select(r => values(r)![s]).ToArray()).ToArray();
                if (bySeed.Any(v => v.Any(x => !(x > 0) || !double.IsFinite(x)))) return;
                var (slope, low, high) = Fit.SeedBootstrapSlope(widths, bySeed);
                slopes.Add(new(regime, quantity, Math.Round(slope, 3), [Math.Round(low, 3), Math.Round(high, 3)], theory,
                    bySeed.Select(v => Math.Round(Fit.LogLogSlope(widths, v), 3)).ToArray()));
            }
            var layers = rows[0].LayerWeightChange.Length;
            for (var l = 0; l < layers; l++)
            {
                var layer = l;
                Add(LayerName(l, layers), r => r.LayerWeightChange[layer], lazy ? LazyRichStudy.LayerWeightChangeTheory(l, layers) : null);
            }
            Add(FeatureQuantity, r => r.FeatureChange, lazy ? -0.5 : rich ? 0 : null);
            Add(KernelQuantity, r => r.KernelChange, lazy ? -0.5 : null);
            if (lazy) Add(LinearizationQuantity, r => r.LinearizationRmse, -0.5);
        }
        return slopes;
    }

    /// <summary>The quantity name of the hidden features' relative change.</summary>
    public const string FeatureQuantity = "hidden features";

    /// <summary>The quantity name of the empirical NTK's relative change.</summary>
    public const string KernelQuantity = "tangent kernel";

    /// <summary>The quantity name of the trained net's RMS distance to its trained linearization.</summary>
    public const string LinearizationQuantity = "net − linearized, RMS";
}

/// <summary>"Slight tweaks", measured: how much training changes the quality of the best random detectors, unit by unit.</summary>
public static class Tweaks
{
    /// <summary>
    /// For each class, the <paramref name="topPerClass"/> hidden units (all hidden layers) with the highest quality for it at
    /// init on <paramref name="select"/>; their quality change from init to trained, paired per unit, on <paramref name="report"/>
    /// (other images, so the selection's luck does not pass into the change). Also the mean change of every unit's best quality.
    /// </summary>
    public static TweakMeasure Measure(Mlp initial, Mlp trained, EvaluationSet select, EvaluationSet report, int topPerClass)
    {
        if (topPerClass < 1) throw new ArgumentOutOfRangeException(nameof(topPerClass), topPerClass, "accepted: 1 or more units per class");
        var chosen = Score(initial, select);
        if (topPerClass > chosen.Count) throw new ArgumentOutOfRangeException(nameof(topPerClass), topPerClass, $"accepted: at most the net's {chosen.Count} hidden units");
        var before = Score(initial, report);
        var after = Score(trained, report);
        var deltas = new List<double>();
        var qualityBefore = new List<double>();
        for (var c = 0; c < chosen.Classes; c++)
        {
            var q = chosen.Quality(c);
            var qBefore = before.Quality(c);
            var qAfter = after.Quality(c);
            foreach (var u in Enumerable.Range(0, q.Length).OrderByDescending(u => q[u]).Take(topPerClass))
            {
                deltas.Add(qAfter[u] - (double)qBefore[u]);
                qualityBefore.Add(qBefore[u]);
            }
        }
        var all = Enumerable.Range(0, before.Count).Average(u => after.BestQuality[u] - (double)before.BestQuality[u]);
        return new(deltas.ToArray(), deltas.Average(), deltas.Average(Math.Abs), qualityBefore.Average(), all);
    }

    /// <summary>Scores of every hidden unit of <paramref name="net"/> (all hidden layers, concatenated) on <paramref name="set"/>.</summary>
    public static UnitScores Score(Mlp net, EvaluationSet set)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var activations = net.Activations(set.Inputs);
        var hidden = cat(activations.Take(activations.Count - 1).ToArray(), 1);
        return UnitScores.Score(hidden, set.Labels, set.Classes, withSelectivity: false);
    }

    /// <summary>
    /// The paired shift of the detector-density curve: every hidden unit's best quality after training minus before, on the same
    /// images, averaged over units, with a 90% band from a bootstrap over units; and the fraction of units at or above <paramref name="quality"/> before and after.
    /// </summary>
    public static PairedQualityShift PairedShift(Mlp initial, Mlp trained, EvaluationSet set, double quality)
    {
        var before = Score(initial, set).BestQuality;
        var after = Score(trained, set).BestQuality;
        var deltas = before.Select((b, u) => after[u] - (double)b).ToArray();
        var (mean, low, high) = Fit.HierarchicalBand([deltas]);
        return new(Math.Round(mean, 5), [Math.Round(low, 5), Math.Round(high, 5)], Math.Round(before.Count(q => q >= quality) / (double)before.Length, 4),
            Math.Round(after.Count(q => q >= quality) / (double)after.Length, 4), before.Length, quality);
    }
}

/// <summary>How far training moved a net's hidden units' detector quality, unit by unit (a paired statistic, unlike a two-sample test).</summary>
/// <param name="MeanDelta">Mean over units of the best quality after minus before.</param>
/// <param name="Band">5% and 95% of a bootstrap over units.</param>
/// <param name="FractionBefore">Fraction of units at or above <paramref name="Quality"/> before training.</param>
/// <param name="FractionAfter">The same after.</param>
/// <param name="Units">Hidden units.</param>
/// <param name="Quality">The quality of the fractions.</param>
public sealed record PairedQualityShift(double MeanDelta, double[] Band, double FractionBefore, double FractionAfter, int Units, double Quality);

/// <summary>
/// The sweep of one regime, run in stages (a notebook cell each), and the second half of its learning-rate rule: the rates of
/// the selection are tried best first, and a rate is kept only if every training the notebook makes with it runs without
/// diverging: the nets of the checks (layer sizes, first seed: the notebook's other uses of the rate) and every (width, seed)
/// run of the sweep (for the lazy regime with its linearization). The best rate sits at the edge of stability, where another
/// seed or width can diverge. When a stage diverges the next rate is tried, and every earlier stage is run again with it.
/// Runs go side by side, each on one LibTorch thread (so its numbers do not depend on how many run at once):
/// <c>sideBySide</c> is how many at most at once, null for twice the cores.
/// </summary>
public sealed class StagedSweep(Regime regime, LearningRateChoice selection, IReadOnlyList<long> seeds, Func<int, int[]> layers, IReadOnlyList<int[]> checks,
    double biasStd, TensorData data, TrainOptions training, Tensor kernelInputs, EvaluationSet select, EvaluationSet report, int topPerClass, int? sideBySide = null)
{
    readonly List<LearningRateTrial> candidates = selection.Trials.Where(t => !t.Diverged).OrderByDescending(t => t.ValidationAccuracy).ToList();
    readonly Dictionary<double, LearningRateTrial> trials = selection.Trials.ToDictionary(t => t.LearningRate);
    readonly List<int> widths = [];
    readonly List<RegimeRun> runs = [];
    int current;
    bool checked_;

    /// <summary>The regime.</summary>
    public Regime Regime { get; } = regime;

    /// <summary>The runs so far, all at <see cref="Choice"/>'s rate, by width then seed.</summary>
    public IReadOnlyList<RegimeRun> Runs => runs.OrderBy(r => r.Width).ThenBy(r => r.Seed).ToList();

    /// <summary>The rate in use, with every rate's record (where the better ones diverged; "not checked" below it).</summary>
    public LearningRateChoice Choice
    {
        get
        {
            var chosen = candidates[current];
            var records = trials.Values.Select(t => !t.Diverged && t.LearningRate != chosen.LearningRate && t.DivergedIn.Length == 0 ? t with { DivergedIn = "not checked" } : t);
            return new(chosen.Regime, selection.Width, chosen.LearningRate, chosen.ValidationAccuracy!.Value, records.OrderBy(t => t.LearningRate).ToArray());
        }
    }

    /// <summary>Runs <paramref name="stageWidths"/> for every seed at the current rate (and, if a run diverges, everything so far at the next rate).</summary>
    public StagedSweep Run(IReadOnlyList<int> stageWidths, Action<string>? progress = null)
    {
        if (sideBySide < 1) throw new ArgumentOutOfRangeException(nameof(sideBySide), sideBySide, "accepted: 1 or more trainings at a time, or null for twice the cores");
        foreach (var w in stageWidths) if (!widths.Contains(w)) widths.Add(w);
        while (true)
        {
            var rate = candidates[current].LearningRate;
            var diverged = checked_ ? null : Check(rate, progress);
            checked_ = true;
            diverged ??= RunMissing(rate, progress);
            if (diverged is null) return this;
            trials[rate] = trials[rate] with { DivergedIn = diverged };
            runs.Clear();
            checked_ = false;
            if (++current == candidates.Count)
                throw new InvalidOperationException($"No learning rate of the grid trains every {Regimes.Name(Regime)} net of the sweep without diverging: add smaller rates to LearningRateGrid.");
        }
    }

    string? Check(double rate, Action<string>? progress)
    {
        foreach (var sizes in checks)
        {
            progress?.Invoke($"learning rate {rate}: checking the {string.Join("-", sizes)} net");
            using var net = new Mlp(Regimes.Net(Regime, sizes, biasStd), seeds[0]);
            try
            {
                Trainer.Train(new OutputScaledNet(net, 1.0), data, training with { LearningRate = rate });
            }
            catch (TrainingDivergedException)
            {
                return $"{string.Join("-", sizes)}, seed {seeds[0]}";
            }
        }
        return null;
    }

    string? RunMissing(double rate, Action<string>? progress)
    {
        var jobs = (from w in widths.OrderDescending() from s in seeds where !runs.Any(r => r.Width == w && r.Seed == s) select (Width: w, Seed: s)).ToList();
        var done = 0;
        // The first diverged job in job order, not in time: trainings side by side finish in an order the machine decides,
        // and the record names the run that diverged. Only the jobs after a diverged one in order are skipped; every job
        // before it still runs, so the lowest diverged index is the same on every machine.
        var firstDiverged = int.MaxValue;
        var results = new RegimeRun?[jobs.Count];
        // Once a job diverges, the stage's runs at this rate are thrown away and the later jobs can no longer change which
        // job is named: those running stop at their next step instead of training to the end for nothing.
        var stop = jobs.Select(_ => new CancellationTokenSource()).ToArray();
        // Up to twice as many runs as cores start at once (widest first), each on one LibTorch thread: the three seeds of the
        // widest net take most of a stage's time, and run two at a time they left a core idle while the third ran alone
        // (about 1.3 cores busy over the stage); side by side they share both cores to the end. A job is skipped once a job
        // before it in order has diverged; the ones before it still run.
        try
        {
            SideBySide.Run(Enumerable.Range(0, jobs.Count).ToList(), Math.Max(1, Math.Min(jobs.Count, sideBySide ?? 2 * Environment.ProcessorCount)), i =>
            {
                if (i > Volatile.Read(ref firstDiverged)) return;
                try
                {
                    results[i] = RegimeSweep.Run(Regime, layers(jobs[i].Width), jobs[i].Seed, rate, biasStd, data, training, kernelInputs, select, report, topPerClass, stop[i].Token);
                    Interlocked.Increment(ref done);
                }
                catch (OperationCanceledException) when (stop[i].IsCancellationRequested)
                {
                    // A job before it diverged: its result would be thrown away.
                }
                catch (TrainingDivergedException)
                {
                    int seen;
                    while (i < (seen = Volatile.Read(ref firstDiverged)) && Interlocked.CompareExchange(ref firstDiverged, i, seen) != seen) { }
                    for (var later = i + 1; later < stop.Length; later++) stop[later].Cancel();
                }
            }, () => progress?.Invoke($"learning rate {rate}: {Volatile.Read(ref done)} of {jobs.Count} runs"));
        }
        finally
        {
            foreach (var s in stop) s.Dispose();
        }
        if (firstDiverged != int.MaxValue) return $"width {jobs[firstDiverged].Width}, seed {jobs[firstDiverged].Seed}";
        runs.AddRange(results.Select(r => r!));
        return null;
    }
}
