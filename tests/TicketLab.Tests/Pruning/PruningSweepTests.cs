using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Pruning;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Pruning;

[Collection("torch")]
public class PruningSweepTests
{
    static readonly LabeledData Small = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 100, TestPerClass: 50));

    [Fact]
    public void Neuron_subsets_keep_exactly_their_fraction_of_each_hidden_layer_and_train_scores_and_readout_only()
    {
        int[] sizes = [784, 40, 20, 10];
        using var net = new NeuronSubsetMlp(sizes, FrozenInit.SignedKaimingConstant, 0.25, seed: 3);
        using var edge = new EdgePopupMlp(sizes, FrozenInit.SignedKaimingConstant, 1.0, seed: 3);
        Assert.Equal(10, net.NeuronMask(0).sum().item<float>());
        Assert.Equal(5, net.NeuronMask(1).sum().item<float>());
        var frozen = net.buffers().Select(b => b.clone()).ToList();
        Assert.True(frozen[0].eq(edge.Weight(0)).all().item<bool>(), "not the frozen net edge-popup prunes for the same seed");
        var before = net.NeuronMask(0).clone();
        using var data = new TensorData(Small);
        var result = Trainer.Train(net, data, new TrainOptions(Epochs: 3, BatchSize: 64, Optimizer: OptimizerKind.Sgd, Momentum: 0.9, LearningRate: 0.3, Schedule: ScheduleKind.Cosine, EvaluationsPerEpoch: 1));
        Assert.True(result.FinalTestAccuracy > 0.2, $"neuron subsets reached {result.FinalTestAccuracy}");
        Assert.All(net.buffers().Zip(frozen), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "a frozen layer moved"));
        Assert.False(before.eq(net.NeuronMask(0)).all().item<bool>(), "the first layer's neuron subset never changed: its scores got no gradient");
        Assert.Equal("keepFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new NeuronSubsetMlp(sizes, FrozenInit.KaimingNormal, 0.01, 0)).ParamName);
    }

    [Fact]
    public void A_cosine_schedule_is_reproducible_and_changes_the_run()
    {
        using var data = new TensorData(Small);
        double Run(ScheduleKind schedule)
        {
            using var net = new Mlp(new MlpOptions([784, 30, 10]), 1);
            return Trainer.Train(net, data, new TrainOptions(Epochs: 2, BatchSize: 64, Optimizer: OptimizerKind.Sgd, Momentum: 0.9, LearningRate: 0.05, Schedule: schedule)).FinalTestLoss;
        }
        var cosine = Run(ScheduleKind.Cosine);
        Assert.Equal(cosine, Run(ScheduleKind.Cosine));
        Assert.NotEqual(cosine, Run(ScheduleKind.Constant));
        Assert.Equal("Schedule", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainOptions(Schedule: (ScheduleKind)7).Validate()).ParamName);
    }

    [Fact]
    public void The_sweep_chooses_each_methods_rate_on_validation_and_returns_rows_with_bands()
    {
        using var data = new TensorData(Small);
        var (train, held) = Small.Train.Split(80, 20);
        Assert.Equal(800, train.Count);
        Assert.Equal(200, held.Count);
        Assert.Equal("secondPerClass", Assert.Throws<ArgumentOutOfRangeException>(() => Small.Train.Split(80, 21)).ParamName);
        Assert.Equal("firstPerClass", Assert.Throws<ArgumentOutOfRangeException>(() => Small.Train.Split(100, 1)).ParamName);
        using var heldOut = new TensorData(Small with { Train = train, Test = held });
        var validation = new EvaluationSet(heldOut.TestX, heldOut.TestY, 10, Small.Info.ClassNames);
        int[] sizes = [784, 30, 10];
        MethodKey[] methods = [new(PruningMethod.EdgePopup, FrozenInit.SignedKaimingConstant), new(PruningMethod.RandomFeatures, FrozenInit.SignedKaimingConstant)];
        var sgd = new TrainOptions(Epochs: 1, BatchSize: 64, Optimizer: OptimizerKind.Sgd, Momentum: 0.9, Schedule: ScheduleKind.Cosine, EvaluationsPerEpoch: 1);
        var rates = PruningSweep.ChooseRates(methods, sizes, 0.5, 0, [0.01, 0.3], data, validation, sgd);
        Assert.All(rates, r => Assert.Equal(r.LearningRate, r.Trials.MaxBy(t => t.ValidationAccuracy)!.LearningRate));
        var (runs, finalRates, nets) = PruningSweep.Run(rates, methods, sizes, [0.5], [0, 1], data, validation, sgd, keepNet: (m, _, _) => m.Method == PruningMethod.EdgePopup);
        Assert.Equal(4, runs.Count);
        Assert.Equal(2, nets.Count);
        foreach (var net in nets.Values) net.Dispose();
        var rows = PruningSweep.Rows(runs, "SGD", 500);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.InRange(r.Accuracy, r.Band[0], r.Band[1]));
        // The same runs again give the same numbers, whatever the schedule of the side-by-side trainings.
        var again = PruningSweep.Run(finalRates, methods, sizes, [0.5], [0, 1], data, validation, sgd, sideBySide: 1).Runs;
        Assert.Equal(runs.Select(r => r.Accuracy), again.Select(r => r.Accuracy));
    }

    [Fact]
    public void The_seed_and_sample_band_of_one_seed_is_the_binomial_error_of_its_test_images()
    {
        var (mean, low, high) = Fit.SeedAndSampleBand([0.8], 10_000);
        Assert.Equal(0.8, mean);
        Assert.Equal(2 * 1.645 * Math.Sqrt(0.8 * 0.2 / 10_000), high - low, 3);
        var (_, wideLow, wideHigh) = Fit.SeedAndSampleBand([0.78, 0.8, 0.82], 10_000);
        Assert.True(wideHigh - wideLow > high - low, "the seeds' spread is missing from the band");
        Assert.Equal("accuracies", Assert.Throws<ArgumentException>(() => Fit.SeedAndSampleBand([1.2], 100)).ParamName);
        // Every seed is scored on the same test images: their sampling error does not average out over seeds.
        var (_, sameLow, sameHigh) = Fit.SeedAndSampleBand([0.8, 0.8, 0.8, 0.8], 10_000);
        Assert.Equal(high - low, sameHigh - sameLow, 3);
    }

    [Fact]
    public void Contains_width_and_probability_agree_at_one_half()
    {
        var log2 = PruneToYield.ContainsWidthLog2(-10);
        Assert.Equal(Math.Log2(Math.Log(2) * 1024), log2, 2);
        Assert.Equal(0.5, PruneToYield.ContainsProbability(-10, Math.Pow(2, log2)), 9);
        Assert.Equal(1.0, PruneToYield.ContainsProbability(Math.Log2(1e-20), 1000) / (1e-20 * 1000), 9); // tiny densities keep their precision
        var row = new TicketLab.Detectors.ClassDensity("c", 1, false, 0.9, [0.9], -5, -10, 0.1, [-12, -8], [0.1, 0.1, 0.1], "rare-event", true, null, [], []);
        Assert.Equal("qualities", Assert.Throws<ArgumentException>(() => PruneToYield.Rows([16], [[[0.95, 0.9]]], [row])).ParamName);
        var widths = PruneToYield.Widths(PruneToYield.Rows([16, 64], [[[0.85]], [[0.95]]], [row]), [row]);
        Assert.Equal(64, widths[0].PrunedWidth); // the first width whose median reaches the trained quality
        Assert.Equal(PruneToYield.ContainsWidthLog2(-8) - 6, widths[0].RatioLowLog2!.Value, 3); // the band's denser end, 2^-8
    }

    [Fact]
    public void Pruning_a_wider_random_block_approximates_a_layer_better_as_it_widens()
    {
        using var weight = tensor(new float[] { 0.05f, -0.12f, 0.3f, 0.0f, -0.02f, 0.07f }, [2, 3]);
        using var bias = tensor(new float[] { 0.1f, -0.05f });
        double Error(int n)
        {
            using var layer = StrongLottery.ApproximateLayer(weight, bias, n, nonnegativeInputs: false, seed: 4);
            return Math.Max(layer.Positive.sub(weight).abs().max().item<float>(), layer.Negative.add(weight).abs().max().item<float>());
        }
        Assert.True(Error(24) < Error(6), $"error at n = 24 ({Error(24)}) not below n = 6 ({Error(6)})");
        Assert.True(Error(32) < 0.01, $"error at n = 32: {Error(32)}");
        using var x = randn(5, 3, generator: new Generator(1));
        using var layer = StrongLottery.ApproximateLayer(weight, bias, 32, nonnegativeInputs: false, seed: 4);
        using var exact = nn.functional.linear(x, weight, bias);
        Assert.True(layer.Forward(x).sub(exact).abs().max().item<float>() < 0.05, "the block's output is not the layer's");
        Assert.Equal("unitsPerWeight", Assert.Throws<ArgumentOutOfRangeException>(() => StrongLottery.ApproximateLayer(weight, bias, 1, false, 0)).ParamName);
    }

    [Fact]
    public void Silencing_every_hidden_unit_leaves_only_the_readout_bias()
    {
        int[] sizes = [784, 20, 10];
        using var data = new TensorData(Small);
        using var net = new RandomFeaturesMlp(sizes, FrozenInit.SignedKaimingConstant, seed: 2);
        Trainer.Train(net, data, new TrainOptions(Epochs: 1, BatchSize: 64, LearningRate: 0.01, EvaluationsPerEpoch: 1));
        using var eval = new EvaluationSet(data.TestX.clone(), data.TestY.clone(), 10, Small.Info.ClassNames);
        var row = DetectorUsefulness.Measure(DetectorUsefulness.HiddenView.Of("random features", 2, net), data, eval, eval, quality: 0.5,
            new TrainOptions(Epochs: 1, BatchSize: 64, LearningRate: 0.01, EvaluationsPerEpoch: 1), randomDraws: 2);
        Assert.Equal(20, row.Detectors); // every unit reaches quality 0.5
        Assert.Equal(0.1, row.AccuracyWithoutDetectors, 2); // a constant prediction on a balanced test set
        Assert.Equal(row.AccuracyWithoutDetectors, row.AccuracyWithoutRandomUnits, 4); // no other unit is left, so all are silenced again
        Assert.InRange(row.ProbeAccuracy, 0.3, 1);
    }
}
