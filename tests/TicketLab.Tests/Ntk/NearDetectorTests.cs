using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Ntk;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Ntk;

[Collection("torch")]
public class NearDetectorTests
{
    static TensorData Small() => new(Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 10, TestPerClass: 10)));

    [Fact]
    public void Unit_kernels_sum_to_the_empirical_ntk_and_removing_units_removes_their_terms()
    {
        using var net = new Mlp(NearDetectorAblation.Net(6, 24, 3, 0.1), seed: 3);
        using var x1 = randn(7, 6, generator: new Generator(1));
        using var x2 = randn(5, 6, generator: new Generator(2));
        var all = Enumerable.Range(0, 24).ToArray();
        var (rf, hidden) = NearDetectorAblation.UnitKernel(net, x1, x2, all);
        using var ntk = EmpiricalNtk.Fast(net, x1, x2);
        var bias = net.BiasMultiplier(1) * net.BiasMultiplier(1);
        Assert.True(rf.add(hidden).add(bias).allclose(ntk, rtol: 1e-9, atol: 1e-9), "the per-unit terms do not add up to the layer-wise NTK");
        var (rfA, hiddenA) = NearDetectorAblation.UnitKernel(net, x1, x2, all[..10]);
        var (rfB, hiddenB) = NearDetectorAblation.UnitKernel(net, x1, x2, all[10..]);
        Assert.True(rfA.add(rfB).allclose(rf, rtol: 1e-12, atol: 1e-12));
        Assert.True(hiddenA.add(hiddenB).allclose(hidden, rtol: 1e-12, atol: 1e-12));
        // Cutting a unit's readout weights out of the net removes exactly its terms: the masked net's function has no trace of it.
        using var masked = new Mlp(net.Options, 3);
        using var mask = ones(3, 24);
        mask.index_fill_(1, tensor(all[..10].Select(u => (long)u).ToArray()), 0.0);
        masked.SetMask(1, mask);
        using (no_grad())
        {
            var (aB, _) = NearDetectorAblation.UnitKernel(net, x1, x1, all[10..]);
            Assert.True(aB.shape.SequenceEqual(new long[] { 7, 7 }));
            var scaled = new OutputScaledNet(masked, 1.0);
            Assert.True(scaled.forward(x1).abs().max().item<float>() == 0, "a masked net trained as f − f0 must start at zero output");
        }
    }

    [Fact]
    public void The_ablation_shares_add_up_and_random_units_carry_about_their_share()
    {
        using var data = Small();
        var cases = NearDetectorAblation.Kernels(data, 64, 0, [1 / 8.0], 0.1, ridge: 0.01);
        Assert.Equal(10 * 8, cases.Count); // 10 classes × (top, random) × (removed, kept only) × 2 regimes
        foreach (var regime in new[] { NearDetectorAblation.RandomFeatures, NearDetectorAblation.Linearized })
        foreach (var c in Enumerable.Range(0, 10))
        {
            double Share(string removed) => cases.Single(x => x.Regime == regime && x.Class == c && x.Removed == removed).AlignmentShare;
            Assert.Equal(1.0, Share("top") + Share("all but top"), 9);
            Assert.Equal(1.0, Share("random") + Share("all but random"), 9);
        }
        var randomShare = cases.Where(x => x.Regime == NearDetectorAblation.Linearized && x.Removed == "random").Average(x => x.AlignmentShare);
        Assert.InRange(randomShare, 0.125 / 2, 0.125 * 2);
        var topShare = cases.Where(x => x.Regime == NearDetectorAblation.Linearized && x.Removed == "top").Average(x => x.AlignmentShare);
        Assert.True(topShare > randomShare, $"the best units for a class carry {topShare:0.000} of its alignment, random ones {randomShare:0.000}");
        var rows = NearDetectorAblation.Rows(cases);
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.True(r.Band[0] <= r.AccuracyChange && r.AccuracyChange <= r.Band[1]));
        Assert.Equal(4, NearDetectorAblation.Contrasts(cases).Count);
        Assert.Equal("ridge", Assert.Throws<ArgumentOutOfRangeException>(() => NearDetectorAblation.Kernels(data, 64, 0, [0.1], 0.1, ridge: 0)).ParamName);
        Assert.Equal("fraction", Assert.Throws<ArgumentOutOfRangeException>(() => NearDetectorAblation.Units(64, 1.0)).ParamName);
    }

    [Fact]
    public void A_net_compared_with_itself_has_no_tweaks_and_training_moves_the_detectors()
    {
        using var data = Small();
        var loaded = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 10, TestPerClass: 20));
        var (select, report) = EvaluationSet.Halves(loaded, 10);
        using var initial = new Mlp(Regimes.Net(Regime.Rich, [784, 32, 32, 10], 0.1), 0);
        var same = Tweaks.Measure(initial, initial, select, report, topPerClass: 3);
        Assert.Equal(30, same.Deltas.Length);
        Assert.All(same.Deltas, d => Assert.Equal(0, d));
        Assert.Equal(0, same.AllUnitsMeanDelta);
        var gd = new TrainOptions(Epochs: 20, BatchSize: 100, Optimizer: OptimizerKind.Sgd, LearningRate: 0.01, Loss: LossKind.MeanSquaredError, EvaluationsPerEpoch: 1, EvaluateEveryEpochs: 20);
        var run = RegimeSweep.Run(Regime.Rich, [784, 32, 32, 10], 0, 0.01, 0.1, data, gd, data.TestX.narrow(0, 0, 20), select, report, 3);
        Assert.True(run.Tweak.MeanAbsDelta > 0);
        var shift = Tweaks.PairedShift(initial, initial, report, 0.9);
        Assert.Equal(0, shift.MeanDelta);
        Assert.Equal(64, shift.Units);
        Assert.Equal("topPerClass", Assert.Throws<ArgumentOutOfRangeException>(() => Tweaks.Measure(initial, initial, select, report, 0)).ParamName);
    }

    [Fact]
    public void Learning_rates_are_chosen_on_validation_and_a_rate_that_diverges_in_the_sweep_gives_way_to_the_next()
    {
        using var data = Small();
        var gd = new TrainOptions(Epochs: 10, BatchSize: 100, Optimizer: OptimizerKind.Sgd, LearningRate: 0.01, Loss: LossKind.MeanSquaredError, EvaluationsPerEpoch: 1, EvaluateEveryEpochs: 10);
        var choice = RegimeSweep.ChooseLearningRate(Regime.Standard, [784, 32, 32, 10], 0.1, 0, data, gd, [0.001, 50]);
        Assert.Equal(0.001, choice.LearningRate);
        Assert.True(choice.Trials.Single(t => t.LearningRate == 50).Diverged);
        Assert.Null(choice.Trials.Single(t => t.LearningRate == 50).ValidationAccuracy);
        var error = Assert.Throws<InvalidOperationException>(() => RegimeSweep.ChooseLearningRate(Regime.Standard, [784, 32, 32, 10], 0.1, 0, data, gd, [50]));
        Assert.Contains("LearningRateGrid", error.Message);
        Assert.Equal("grid", Assert.Throws<ArgumentOutOfRangeException>(() => RegimeSweep.ChooseLearningRate(Regime.Lazy, [784, 8, 8, 10], 0.1, 0, data, gd, [])).ParamName);

        // A rate that looked best at the selection width but diverges in the sweep is replaced by the next best, and the runs are redone with it.
        // (The lazy regime's linearization is linear in its parameters, so a huge rate cannot hide in dead ReLUs: it diverges.)
        var name = Regimes.Name(Regime.Lazy);
        var selection = new LearningRateChoice(name, 32, 50, 0.9, [new(name, 32, 50, 0.9, false, ""), new(name, 32, 0.001, 0.5, false, "")]);
        var loaded = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 10, TestPerClass: 20));
        var (select, report) = EvaluationSet.Halves(loaded, 10);
        int[] Layers(int w) => [784, w, w, 10];
        var sweep = new StagedSweep(Regime.Lazy, selection, [0, 1], Layers, [], 0.1, data, gd, data.TestX.narrow(0, 0, 20), select, report, 2);
        sweep.Run([16]).Run([8]);
        Assert.Equal(0.001, sweep.Choice.LearningRate);
        Assert.Equal("width 16, seed 0", sweep.Choice.Trials.Single(t => t.LearningRate == 50).DivergedIn); // the first in job order, whichever diverged first in time (the later one stops early)
        Assert.Equal([(8, 0L), (8, 1L), (16, 0L), (16, 1L)], sweep.Runs.Select(r => (r.Width, r.Seed)).ToArray());
        Assert.All(sweep.Runs, r => Assert.Equal(0.001, r.LearningRate));
    }

    [Fact]
    public void Slopes_over_seeds_recover_power_laws_with_bands()
    {
        double[] widths = [64, 256, 1024];
        double[][] exact = [widths.Select(w => 3 / Math.Sqrt(w)).ToArray(), widths.Select(w => 3 / Math.Sqrt(w)).ToArray()];
        var (slope, low, high) = Fit.SeedBootstrapSlope(widths, exact);
        Assert.Equal(-0.5, slope, 9);
        Assert.Equal(-0.5, low, 9);
        Assert.Equal(-0.5, high, 9);
        double[][] noisy = [widths.Select(w => 3 / Math.Sqrt(w) * 1.1).ToArray(), widths.Select((w, i) => 3 / Math.Sqrt(w) * (i == 1 ? 0.8 : 1)).ToArray()];
        var band = Fit.SeedBootstrapSlope(widths, noisy);
        Assert.True(band.Low < band.Slope && band.Slope < band.High);
        var (mean, l, h) = Fit.HierarchicalBand([[1.0, 1.0], [1.0]]);
        Assert.Equal((1.0, 1.0, 1.0), (mean, l, h));
        Assert.Throws<ArgumentException>(() => Fit.HierarchicalBand([]));
        RegimePoint Point(int w) => new(Regimes.Name(Regime.Lazy), w, [0, 1], 0.1, [0.5 / Math.Sqrt(w), 0.55 / Math.Sqrt(w)], [1.0 / Math.Sqrt(w), 1.0 / Math.Sqrt(w)],
            [0.1 / Math.Sqrt(w), 0.1 / Math.Sqrt(w)], null, [[1 / Math.Sqrt(w), 1 / Math.Sqrt(w)], [1.0 / w, 1.0 / w], [2 / Math.Sqrt(w), 2 / Math.Sqrt(w)]], [0.7, 0.7]);
        var slopes = RegimeSweep.Slopes([Point(64), Point(256), Point(1024)]);
        Assert.Equal(-1.0, slopes.Single(s => s.Quantity.StartsWith("hidden layer", StringComparison.Ordinal)).Slope, 3);
        Assert.Equal(-1.0, slopes.Single(s => s.Quantity.StartsWith("hidden layer", StringComparison.Ordinal)).Theory);
        Assert.Equal(-0.5, slopes.Single(s => s.Quantity == RegimeSweep.FeatureQuantity).Slope, 3);
        Assert.Contains(slopes, s => s.Quantity == RegimeSweep.LinearizationQuantity);
    }

    [Fact]
    public void Study_options_name_the_bad_knob()
    {
        var good = new NtkStudyOptions(10, 20, [64, 128], [0, 1], 30, [0.1], 64, 50, [1, 8], 128, [784, 300, 100, 10], 0.9, 0.1, 2, 0.01, 5, [64], [0.125], 0.01, 64, 0.125);
        Assert.Same(good, good.Validate());
        Assert.Equal("Widths", Assert.Throws<ArgumentOutOfRangeException>(() => (good with { Widths = [128, 64] }).Validate()).ParamName);
        Assert.Equal("Seeds", Assert.Throws<ArgumentOutOfRangeException>(() => (good with { Seeds = [0, 0] }).Validate()).ParamName);
        Assert.Equal("AblationFractions", Assert.Throws<ArgumentOutOfRangeException>(() => (good with { AblationFractions = [1.5] }).Validate()).ParamName);
        Assert.Equal("LearningRateGrid", Assert.Throws<ArgumentOutOfRangeException>(() => (good with { LearningRateGrid = [-1] }).Validate()).ParamName);
    }
}
