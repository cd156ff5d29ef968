using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>One ablation: one seed, width, target class and set of units.</summary>
/// <param name="Regime">Random features, the linearized net (NTK regression) or the lazily trained net.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Seed">Initialization seed.</param>
/// <param name="Class">The target class whose detectors are ranked.</param>
/// <param name="K">Units in the chosen set.</param>
/// <param name="Removed">"top" or "random" (those k units removed), "all but top" or "all but random" (only those k kept).</param>
/// <param name="AccuracyChange">10-class test accuracy after the ablation minus the full net's.</param>
/// <param name="ClassAccuracyChange">The same for the target class's test images (its recall).</param>
/// <param name="AlignmentShare">Share of the kernel's alignment with the class target, on test images, carried by the removed units (NaN for the trained net).</param>
public sealed record AblationCase(string Regime, int Width, long Seed, int Class, int K, string Removed, double AccuracyChange, double ClassAccuracyChange, double AlignmentShare);

/// <summary>An ablation summarized over seeds and target classes.</summary>
/// <param name="Regime">Random features, linearized net or lazily trained net.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="K">Units chosen.</param>
/// <param name="Removed">"top", "random", "all but top" or "all but random".</param>
/// <param name="AccuracyChange">Mean change of 10-class test accuracy (over seeds and target classes).</param>
/// <param name="Band">Its 90% band (bootstrap over seeds, then classes).</param>
/// <param name="ClassAccuracyChange">Mean change of the target class's accuracy.</param>
/// <param name="ClassBand">Its 90% band.</param>
/// <param name="AlignmentShare">Mean share of the class-target alignment carried by the removed units (null for trained nets, whose kernel moves).</param>
/// <param name="Seeds">The seeds.</param>
/// <param name="AccuracyChangeSeeds">Mean accuracy change per seed.</param>
/// <param name="Classes">Target classes averaged over.</param>
public sealed record AblationRow(string Regime, int Width, int K, string Removed, double AccuracyChange, double[] Band, double ClassAccuracyChange, double[] ClassBand,
    double? AlignmentShare, long[] Seeds, double[] AccuracyChangeSeeds, int Classes);

/// <summary>Removing (or keeping only) the top detectors against the same number of random units, paired per seed and class.</summary>
/// <param name="Regime">Random features, linearized net or lazily trained net.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="K">Units chosen.</param>
/// <param name="Mode">"removed" (top k removed against random k removed) or "kept only".</param>
/// <param name="TopMinusRandom">Mean of (accuracy change with the top units) − (with random units), 10-class test accuracy.</param>
/// <param name="Band">Its 90% band (bootstrap over seeds, then classes).</param>
/// <param name="ClassTopMinusRandom">The same for the target class's accuracy.</param>
/// <param name="ClassBand">Its 90% band.</param>
/// <param name="SeedValues">TopMinusRandom per seed.</param>
public sealed record AblationContrast(string Regime, int Width, int K, string Mode, double TopMinusRandom, double[] Band, double ClassTopMinusRandom, double[] ClassBand, double[] SeedValues);

/// <summary>
/// How much of a lazily trained net's learning the near-detectors carry. The net is one hidden ReLU layer of width n under NTK
/// parametrization, so its tangent kernel is a sum over hidden units, Θ(x, x′) = mb₂² + Σ_j Θ_j(x, x′) with
/// Θ_j = m₂²·[a_j(x) a_j(x′) + c_j² s_j(x) s_j(x′) (m₁²⟨x, x′⟩ + mb₁²)], where a_j is the unit's activation, s_j its ReLU slope and
/// c_j² the mean square of its readout weights: removing a unit removes its term exactly. Random features keep only the
/// a_j a_j terms (the readout alone is trained). Both are solved to convergence (kernel regression); the lazily trained net
/// is the same net with the units' readout weights masked, trained by gradient descent.
/// </summary>
public static class NearDetectorAblation
{
    /// <summary>The readout alone trained on the frozen hidden units, to convergence.</summary>
    public const string RandomFeatures = "random features";

    /// <summary>
    /// Regression with the net's empirical NTK, averaged over outputs as <see cref="EmpiricalNtk"/> defines it (the suite's Θ):
    /// what the linearized net trained to convergence becomes as width grows, where the cross-output terms vanish.
    /// </summary>
    public const string Linearized = "linearized net (NTK regression)";

    /// <summary>The net itself trained by full-batch gradient descent under NTK parametrization.</summary>
    public const string Trained = "lazily trained net";

    /// <summary>The four ablations, in table order.</summary>
    public static IReadOnlyList<string> Removals { get; } = ["top", "random", "all but top", "all but random"];

    /// <summary>The one-hidden-layer NTK-parametrized net of the ablation.</summary>
    public static MlpOptions Net(int features, int width, int classes, double biasStd) => new([features, width, classes], Parametrization.Ntk, BiasStd: biasStd);

    /// <summary>
    /// At-init detector scores of the hidden units on the training images: units are ranked by their quality
    /// (max(AUC, 1 − AUC)) for a class on images the effect of removing them is not measured on.
    /// </summary>
    public static UnitScores InitScores(Mlp net, Tensor trainX, Tensor trainY, int classes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return UnitScores.Score(net.Activations(trainX)[0], trainY, classes, withSelectivity: false);
    }

    /// <summary>The units best first for <paramref name="class"/> (ties by index).</summary>
    public static int[] Ranked(UnitScores scores, int @class)
    {
        var quality = scores.Quality(@class);
        return Enumerable.Range(0, quality.Length).OrderByDescending(u => quality[u]).ThenBy(u => u).ToArray();
    }

    /// <summary>k random units, the same for a given seed, width and class.</summary>
    public static int[] RandomUnits(int width, int k, long seed, int @class)
    {
        var random = new Random(unchecked((int)((seed * 7919 + width) * 31 + @class)));
        var units = Enumerable.Range(0, width).ToArray();
        random.Shuffle(units);
        return units.Take(k).Order().ToArray();
    }

    /// <summary>Units in a set of fraction <paramref name="fraction"/> of <paramref name="width"/> (at least one, fewer than all).</summary>
    public static int Units(int width, double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "accepted: a fraction strictly between 0 and 1");
        return Math.Clamp((int)Math.Round(fraction * width), 1, width - 1);
    }

    /// <summary>
    /// The kernel terms of a set of hidden units of a one-hidden-layer net between two sets of inputs:
    /// Σ_{j∈units} m₂² a_j(x) a_j(x′) (the random-features part: the readout's gradient) and
    /// Σ_{j∈units} m₂² c_j² s_j(x) s_j(x′) (m₁²⟨x, x′⟩ + mb₁²) (the hidden layer's part), each N1 x N2 in float64. The net's
    /// whole empirical NTK is their sum over all units plus mb₂².
    /// </summary>
    public static (Tensor RandomFeatures, Tensor Hidden) UnitKernel(Mlp net, Tensor x1, Tensor x2, int[] units)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var index = tensor(units.Select(u => (long)u).ToArray());
        var m2 = net.WeightMultiplier(1);
        var (a1, b1) = UnitFeatures(net, x1);
        var (a2, b2) = UnitFeatures(net, x2);
        var (s1, t1, s2, t2) = (a1.index_select(1, index), b1.index_select(1, index), a2.index_select(1, index), b2.index_select(1, index));
        return (s1.mm(s2.t()).Times(m2 * m2).MoveToOuterDisposeScope(), t1.mm(t2.t()).mul(InputGram(net, x1, x2)).Times(m2 * m2).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Per hidden unit j of a one-hidden-layer net, on inputs x (N x features): its activation a_j(x) and c_j·s_j(x), its ReLU
    /// slope times the root mean square of its readout weights (N x n each, float64). The unit's kernel terms are products of these.
    /// </summary>
    static (Tensor A, Tensor B) UnitFeatures(Mlp net, Tensor x)
    {
        if (net.LayerCount != 2) throw new ArgumentException($"the net has {net.LayerCount} weight layers; accepted: one hidden layer (2 weight layers).", nameof(net));
        double m1 = net.WeightMultiplier(0), mb1 = net.BiasMultiplier(0);
        var z = x.to(ScalarType.Float64).mm(net.Weight(0).to(ScalarType.Float64).t()).Times(m1);
        if (mb1 != 0) z = z.PlusScaled(net.Bias(0).to(ScalarType.Float64), mb1);
        var readoutScale = net.Weight(1).to(ScalarType.Float64).Power(2).mean([0]).sqrt();
        return (nn.functional.relu(z), z.Above(0).to(ScalarType.Float64).mul(readoutScale));
    }

    /// <summary>m₁²⟨x, x′⟩ + mb₁², the input layer's factor of every unit's hidden-layer term (N1 x N2, float64).</summary>
    static Tensor InputGram(Mlp net, Tensor x1, Tensor x2) =>
        x1.to(ScalarType.Float64).mm(x2.to(ScalarType.Float64).t()).Times(net.WeightMultiplier(0) * net.WeightMultiplier(0)).Plus(net.BiasMultiplier(0) * net.BiasMultiplier(0));

    /// <summary>
    /// Random-features and NTK regression of one net with the top or random k units removed, or only they kept, for every
    /// target class and every fraction of <paramref name="fractions"/>. Every regression has a ridge of <paramref name="ridge"/> times
    /// the kernel's mean diagonal: without one, keeping about as many units as there are training images puts the regression at its
    /// interpolation threshold, where test error peaks (double descent) whatever the units are.
    /// </summary>
    public static IReadOnlyList<AblationCase> Kernels(TensorData data, int width, long seed, double[] fractions, double biasStd, double ridge)
    {
        if (!(ridge > 0) || double.IsInfinity(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "accepted: a finite ridge > 0, relative to the kernel's mean diagonal (e.g. 0.01)");
        if (fractions.Length == 0) throw new ArgumentOutOfRangeException(nameof(fractions), "[]", "accepted: at least one fraction of the width");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = (int)data.TrainX.shape[1];
        var classes = data.Classes;
        using var net = new Mlp(Net(features, width, classes, biasStd), seed);
        var n = data.TrainX.shape[0];
        var t = data.TestX.shape[0];
        double m1 = net.WeightMultiplier(0), mb1 = net.BiasMultiplier(0), m2 = net.WeightMultiplier(1), mb2 = net.BiasMultiplier(1);
        var x = cat(new[] { data.TrainX, data.TestX }, 0).to(ScalarType.Float64);
        var (a, b) = UnitFeatures(net, x); // the same per-unit terms as UnitKernel, for all units at once
        var inputGram = InputGram(net, x, x.narrow(0, 0, n));
        var aTrain = a.narrow(0, 0, n);
        var bTrain = b.narrow(0, 0, n);
        (Tensor Rf, Tensor Hidden) Contribution(int[] units)
        {
            using var index = tensor(units.Select(u => (long)u).ToArray());
            var rf = a.index_select(1, index).mm(aTrain.index_select(1, index).t()).Times(m2 * m2);
            var hidden = b.index_select(1, index).mm(bTrain.index_select(1, index).t()).mul(inputGram).Times(m2 * m2);
            return (rf, hidden);
        }
        var all = Enumerable.Range(0, width).ToArray();
        var (rfFull, hiddenFull) = Contribution(all);
        var targets = KernelRegression.Targets(data.TrainY, classes);
        var testLabels = data.TestY.to(ScalarType.Int64).data<long>().ToArray();
        (double Accuracy, double[] Recall) Evaluate(Tensor kernel)
        {
            using var inner = NewDisposeScope();
            var k = kernel.Plus(mb2 * mb2);
            var predicted = KernelRegression.Predict(k.narrow(0, 0, n), k.narrow(0, n, t), targets, relativeJitter: ridge).argmax(1).data<long>().ToArray();
            return Score(predicted, testLabels, classes);
        }
        var fullRf = Evaluate(rfFull);
        var fullNtk = Evaluate(rfFull.add(hiddenFull));
        // Per-unit alignment with each class's centred one-vs-rest target on the test images: ⟨Θ_j, y yᵀ⟩ = m₂²[(a_jᵀy)² + c_j²(m₁²‖Xᵀ(s_j⊙y)‖² + mb₁²(s_jᵀy)²)].
        var xTest = x.narrow(0, n, t).to(ScalarType.Float32);
        var aTest = a.narrow(0, n, t).to(ScalarType.Float32);
        var bTest = b.narrow(0, n, t).to(ScalarType.Float32);
        var oneHot = nn.functional.one_hot(data.TestY.to(ScalarType.Int64), classes).to(ScalarType.Float32);
        var centred = oneHot.sub(oneHot.mean([0], keepdim: true));
        var rfAlign = new double[classes][];
        var ntkAlign = new double[classes][];
        for (var c = 0; c < classes; c++)
        {
            using var inner = NewDisposeScope();
            var y = centred.select(1, c);
            var rfTerm = aTest.t().mv(y).Power(2).Times(m2 * m2);
            var weighted = bTest.mul(y.unsqueeze(1));
            var hiddenTerm = xTest.t().mm(weighted).Power(2).sum([0]).Times(m1 * m1).add(weighted.sum([0]).Power(2).Times(mb1 * mb1)).Times(m2 * m2);
            rfAlign[c] = rfTerm.to(ScalarType.Float64).data<double>().ToArray();
            ntkAlign[c] = rfTerm.add(hiddenTerm).to(ScalarType.Float64).data<double>().ToArray();
        }
        var cases = new List<AblationCase>();
        var scores = InitScores(net, data.TrainX, data.TrainY, classes);
        for (var c = 0; c < classes; c++)
        {
            var ranked = Ranked(scores, c);
            foreach (var fraction in fractions)
            {
                var k = Units(width, fraction);
                foreach (var (label, units) in new[] { ("top", ranked.Take(k).ToArray()), ("random", RandomUnits(width, k, seed, c)) })
                {
                    using var inner = NewDisposeScope();
                    var (rf, hidden) = Contribution(units);
                    var ntk = rf.add(hidden);
                    var shareRf = units.Sum(u => rfAlign[c][u]) / rfAlign[c].Sum();
                    var shareNtk = units.Sum(u => ntkAlign[c][u]) / ntkAlign[c].Sum();
                    void Add(string regime, (double Accuracy, double[] Recall) full, Tensor kernel, string removed, double share)
                    {
                        var (accuracy, recall) = Evaluate(kernel);
                        cases.Add(new(regime, width, seed, c, k, removed, accuracy - full.Accuracy, recall[c] - full.Recall[c], share));
                    }
                    Add(RandomFeatures, fullRf, rfFull.sub(rf), label, shareRf);
                    Add(Linearized, fullNtk, rfFull.add(hiddenFull).sub(ntk), label, shareNtk);
                    Add(RandomFeatures, fullRf, rf, $"all but {label}", 1 - shareRf);
                    Add(Linearized, fullNtk, ntk, $"all but {label}", 1 - shareNtk);
                }
            }
        }
        return cases;
    }

    /// <summary>
    /// The same ablation on the net itself: the top or random k units of each target class are cut out (their readout weights
    /// masked, so they neither compute nor learn) and the net is trained as f − f₀ with <paramref name="training"/>; compared with the
    /// full net trained the same way.
    /// </summary>
    public static IReadOnlyList<AblationCase> Train(TensorData data, int width, long seed, double fraction, double biasStd, TrainOptions training, Action<string>? progress = null)
    {
        var features = (int)data.TrainX.shape[1];
        var classes = data.Classes;
        var options = Net(features, width, classes, biasStd);
        var testLabels = data.TestY.to(ScalarType.Int64).data<long>().ToArray();
        (double Accuracy, double[] Recall) TrainWithout(int[] removed)
        {
            using var net = new Mlp(options, seed);
            if (removed.Length > 0)
            {
                using var mask = ones(classes, width);
                using var index = tensor(removed.Select(u => (long)u).ToArray());
                mask.FillAt(1, index, 0.0);
                net.SetMask(1, mask);
            }
            var model = new OutputScaledNet(net, 1.0);
            Trainer.Train(model, data, training);
            using var _ = no_grad();
            using var output = model.forward(data.TestX);
            using var predicted = output.argmax(1);
            return Score(predicted.data<long>().ToArray(), testLabels, classes);
        }
        var k = Units(width, fraction);
        progress?.Invoke($"width {width}, seed {seed}: the full net");
        var full = TrainWithout([]);
        using var initial = new Mlp(options, seed);
        var cases = new List<AblationCase>();
        var scores = InitScores(initial, data.TrainX, data.TrainY, classes);
        for (var c = 0; c < classes; c++)
        {
            var ranked = Ranked(scores, c);
            foreach (var (label, units) in new[] { ("top", ranked.Take(k).ToArray()), ("random", RandomUnits(width, k, seed, c)) })
            {
                progress?.Invoke($"width {width}, seed {seed}: class {c + 1} of {classes}, {label} {k} units removed");
                var (accuracy, recall) = TrainWithout(units);
                cases.Add(new(Trained, width, seed, c, k, label, accuracy - full.Accuracy, recall[c] - full.Recall[c], double.NaN));
            }
        }
        return cases;
    }

    /// <summary>
    /// <see cref="Train"/> for every seed of <paramref name="seeds"/>, side by side (up to twice the cores at once) on one
    /// LibTorch thread each, the cases in seed order;
    /// <paramref name="progress"/> is called from the calling thread (a notebook's display belongs to it) with the latest message.
    /// </summary>
    public static IReadOnlyList<AblationCase> TrainSeeds(TensorData data, int width, IReadOnlyList<long> seeds, double fraction, double biasStd, TrainOptions training,
        Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var message = "starting";
        // Every seed's training starts at once, each on one LibTorch thread: three seeds two at a time left a core idle while
        // the third ran alone (1.5 cores busy over the cell); three at once share both cores to the end.
        var cases = new IReadOnlyList<AblationCase>?[seeds.Count];
        SideBySide.Run(Enumerable.Range(0, seeds.Count).ToList(), Math.Max(1, Math.Min(seeds.Count, 2 * Environment.ProcessorCount)),
            i => cases[i] = Train(data, width, seeds[i], fraction, biasStd, training, m => Volatile.Write(ref message, m)),
            () => progress?.Invoke(Volatile.Read(ref message)));
        return cases.SelectMany(c => c!).ToList();
    }

    /// <summary>Mean over seeds and classes per (regime, width, k, ablation), with bands.</summary>
    public static IReadOnlyList<AblationRow> Rows(IEnumerable<AblationCase> cases) =>
        cases.GroupBy(c => (c.Regime, c.Width, c.K, c.Removed)).Select(g =>
        {
            var bySeed = g.GroupBy(c => c.Seed).OrderBy(s => s.Key).ToArray();
            var (mean, low, high) = Fit.HierarchicalBand(bySeed.Select(s => s.Select(c => c.AccuracyChange).ToArray()).ToArray());
            var (classMean, classLow, classHigh) = Fit.HierarchicalBand(bySeed.Select(s => s.Select(c => c.ClassAccuracyChange).ToArray()).ToArray());
            return new AblationRow(g.Key.Regime, g.Key.Width, g.Key.K, g.Key.Removed, Math.Round(mean, 5), [Math.Round(low, 5), Math.Round(high, 5)],
                Math.Round(classMean, 5), [Math.Round(classLow, 5), Math.Round(classHigh, 5)], g.All(c => double.IsNaN(c.AlignmentShare)) ? null : Math.Round(g.Average(c => c.AlignmentShare), 5),
                bySeed.Select(s => s.Key).ToArray(), bySeed.Select(s => Math.Round(s.Average(c => c.AccuracyChange), 5)).ToArray(), g.Select(c => c.Class).Distinct().Count());
        }).OrderBy(r => r.Regime).ThenBy(r => r.Width).ThenBy(r => r.K).ThenBy(r => Array.IndexOf(Removals.ToArray(), r.Removed)).ToList();

    /// <summary>Top against random, paired per seed and class: for removal and for keeping only those units.</summary>
    public static IReadOnlyList<AblationContrast> Contrasts(IEnumerable<AblationCase> cases)
    {
        var list = cases.ToList();
        var contrasts = new List<AblationContrast>();
        foreach (var g in list.GroupBy(c => (c.Regime, c.Width, c.K)))
        {
            foreach (var (mode, top, random) in new[] { ("removed", "top", "random"), ("kept only", "all but top", "all but random") })
            {
                var pairs = g.Where(c => c.Removed == top).Join(g.Where(c => c.Removed == random), c => (c.Seed, c.Class), c => (c.Seed, c.Class),
                    (t, r) => (t.Seed, Accuracy: t.AccuracyChange - r.AccuracyChange, Class: t.ClassAccuracyChange - r.ClassAccuracyChange)).ToList();
                if (pairs.Count == 0) continue;
                var bySeed = pairs.GroupBy(p => p.Seed).OrderBy(s => s.Key).ToArray();
                var (mean, low, high) = Fit.HierarchicalBand(bySeed.Select(s => s.Select(p => p.Accuracy).ToArray()).ToArray());
                var (classMean, classLow, classHigh) = Fit.HierarchicalBand(bySeed.Select(s => s.Select(p => p.Class).ToArray()).ToArray());
                contrasts.Add(new(g.Key.Regime, g.Key.Width, g.Key.K, mode, Math.Round(mean, 5), [Math.Round(low, 5), Math.Round(high, 5)],
                    Math.Round(classMean, 5), [Math.Round(classLow, 5), Math.Round(classHigh, 5)], bySeed.Select(s => Math.Round(s.Average(p => p.Accuracy), 5)).ToArray()));
            }
        }
        return contrasts.OrderBy(c => c.Regime).ThenBy(c => c.Width).ThenBy(c => c.K).ThenBy(c => c.Mode).ToList();
    }

    static (double Accuracy, double[] Recall) Score(long[] predicted, long[] labels, int classes)
    {
        var correct = new int[classes];
        var count = new int[classes];
        for (var i = 0; i < labels.Length; i++)
        {
            count[labels[i]]++;
            if (predicted[i] == labels[i]) correct[labels[i]]++;
        }
        return (correct.Sum() / (double)labels.Length, Enumerable.Range(0, classes).Select(c => count[c] == 0 ? double.NaN : correct[c] / (double)count[c]).ToArray());
    }
}
