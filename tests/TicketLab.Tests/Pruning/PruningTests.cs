using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Pruning;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Pruning;

[Collection("torch")]
public class PruningTests
{
    static readonly LabeledData Small = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 100, TestPerClass: 50));

    [Fact]
    public void Counting_matches_the_binomial_and_its_entropy_approximation()
    {
        Assert.Equal(Math.Log2(252), Counting.Log2MasksKeeping(10, 5), 9);
        Assert.Equal(0, Counting.Log2MasksKeeping(10, 0), 9);
        var exact = Counting.Log2MasksKeeping(100_000, 30_000);
        Assert.InRange(Counting.EntropyBits(100_000, 0.3) - exact, 0, 20);
        Assert.Equal("kept", Assert.Throws<ArgumentOutOfRangeException>(() => Counting.Log2MasksKeeping(10, 11)).ParamName);
    }

    [Fact]
    public void Random_features_train_only_the_readout_of_the_same_frozen_net_edge_popup_prunes()
    {
        int[] sizes = [784, 100, 50, 10];
        using var edge = new EdgePopupMlp(sizes, FrozenInit.SignedKaimingConstant, 1.0, seed: 5);
        using var features = new RandomFeaturesMlp(sizes, FrozenInit.SignedKaimingConstant, seed: 5);
        var buffers = features.buffers().ToList();
        Assert.Equal(2, buffers.Count);
        Assert.True(buffers[0].eq(edge.Weight(0)).all().item<bool>());
        Assert.True(buffers[1].eq(edge.Weight(1)).all().item<bool>());
        var frozen = buffers.Select(b => b.clone()).ToList();
        var data = new TensorData(Small);
        var result = Trainer.Train(features, data, new TrainOptions(Epochs: 4, BatchSize: 64, LearningRate: 0.01, EvaluationsPerEpoch: 1));
        Assert.True(result.FinalTestAccuracy > 0.3, $"random features reached {result.FinalTestAccuracy}");
        Assert.All(features.buffers().Zip(frozen), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "a frozen layer moved"));
        Assert.Equal(2, features.parameters().Count());
    }

    [Fact]
    public void A_rewind_step_the_run_never_reaches_is_refused()
    {
        var data = new TensorData(Small); // 1,000 images: 16 steps per epoch at batch 64
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Imp.Run(new MlpOptions([784, 20, 10]), 0, data,
            new TrainOptions(Epochs: 1, BatchSize: 64), new ImpOptions(Rounds: 1, RewindStep: 50)));
        Assert.Contains("16 steps", error.Message);
        Assert.Equal("RewindStep", error.ParamName);
    }

    [Fact]
    public void Subset_sum_finds_the_brute_force_optimum()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 20; trial++)
        {
            var values = Enumerable.Range(0, 11).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var target = random.NextDouble() * 2 - 1;
            var best = double.PositiveInfinity;
            for (var m = 0; m < 1 << values.Length; m++)
                best = Math.Min(best, Math.Abs(target - values.Where((_, i) => (m >> i & 1) == 1).Sum()));
            var result = SubsetSum.Best(target, values);
            Assert.Equal(best, result.Error, 12);
            Assert.Equal(result.Error, Math.Abs(target - values.Where((_, i) => result.Chosen[i]).Sum()), 12);
        }
    }

    [Fact]
    public void Subset_sum_error_falls_fast_with_the_number_of_values()
    {
        var random = new Random(5);
        double MeanError(int n) => Enumerable.Range(0, 30).Average(_ =>
            SubsetSum.Best(random.NextDouble() - 0.5, Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray()).Error);
        var (e8, e24) = (MeanError(8), MeanError(24));
        Assert.True(e24 < e8 / 100, $"mean error {e8:g3} with 8 values, {e24:g3} with 24");
    }

    [Fact]
    public void A_mask_prunes_weights_in_the_forward_pass_and_their_gradients()
    {
        using var net = new Mlp(new MlpOptions([6, 5, 2]), seed: 1);
        using var mask = (rand(5, 6, generator: new Generator(2)) > 0.5).to(ScalarType.Float32);
        net.SetMask(0, mask);
        Assert.Equal(mask.sum().item<float>() / 30, net.KeptFraction(0), 6);
        using var x = randn(4, 6, generator: new Generator(3));
        using var dense = new Mlp(new MlpOptions([6, 5, 2]), seed: 1);
        using (no_grad()) dense.Weight(0).mul_(mask);
        Assert.True(net.forward(x).allclose(dense.forward(x), rtol: 1e-6, atol: 1e-6));
        net.forward(x).sum().backward();
        Assert.Equal(0f, net.Weight(0).grad!.mul(mask.neg().add(1)).abs().sum().item<float>());
        Assert.Throws<ArgumentException>(() => net.SetMask(1, ones(3, 3)));
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(0.05, false)]
    [InlineData(0.93, true)]
    public void The_top_k_mask_keeps_the_largest_entries_exactly_even_with_ties(double keep, bool ties)
    {
        // Independent oracle: the indices of torch.topk. Negative entries and ties (values rounded to 0.1) included.
        var scores = randn([300, 97], generator: new Generator(11));
        if (ties) scores = scores.mul(10).round().div(10);
        var kept = TopKMask.KeptCount(scores.numel(), keep);
        using var mask = TopKMask.apply(scores, keep);
        Assert.Equal(kept, mask.sum().item<float>());
        var expected = zeros(scores.numel());
        expected.index_fill_(0, scores.flatten().topk((int)kept).indexes, 1.0);
        if (!ties) Assert.True(mask.flatten().equal(expected).all().item<bool>(), "the mask differs from top-k");
        // Every kept entry is at least as large as every dropped one.
        var flat = scores.flatten();
        Assert.True(flat.masked_select(mask.flatten().gt(0)).min().item<float>() >= flat.masked_select(mask.flatten().eq(0)).max().item<float>());
    }

    [Theory]
    [InlineData(FrozenInit.KaimingNormal, 0.5)]
    [InlineData(FrozenInit.SignedKaimingConstant, 0.3)]
    public void Edge_popup_keeps_exactly_its_fraction_freezes_weights_and_trains_scores(FrozenInit init, double keep)
    {
        using var net = new EdgePopupMlp([784, 64, 10], init, keep, seed: 4);
        for (var l = 0; l < net.LayerCount; l++)
            Assert.Equal(TopKMask.KeptCount(net.Weight(l).numel(), keep), net.Mask(l).sum().item<float>());
        var frozen = Enumerable.Range(0, net.LayerCount).Select(l => net.Weight(l).clone()).ToList();
        var scores = Enumerable.Range(0, net.LayerCount).Select(l => net.Scores(l).detach().clone()).ToList();
        using var data = new TensorData(Small);
        var result = Trainer.Train(net, data, new TrainOptions(Epochs: 3, BatchSize: 50, LearningRate: 0.01));
        for (var l = 0; l < net.LayerCount; l++)
        {
            Assert.True(net.Weight(l).allclose(frozen[l], rtol: 0, atol: 0), $"frozen weights of layer {l} changed");
            Assert.False(net.Scores(l).allclose(scores[l], rtol: 0, atol: 0), $"scores of layer {l} did not move: no gradient reached them");
            Assert.Equal(TopKMask.KeptCount(net.Weight(l).numel(), keep), net.Mask(l).sum().item<float>());
        }
        if (init == FrozenInit.SignedKaimingConstant)
            Assert.All(frozen[0].abs().unique().output.data<float>().ToArray(), v => Assert.Equal(Math.Sqrt(2.0 / 784), v, 5));
        Assert.InRange(result.FinalTestAccuracy, 0.5, 1.0);
    }

    [Fact]
    public void Imp_prunes_the_planned_fraction_per_layer_with_nested_masks()
    {
        using var net = new Mlp(new MlpOptions([20, 50, 40, 10]), seed: 2);
        var masks = Enumerable.Range(0, 3).Select(l => ones_like(net.Weight(l))).ToArray();
        var options = new ImpOptions(PruneFractionPerRound: 0.2, OutputPruneFraction: 0.1);
        var counts = masks.Select(m => (double)m.numel()).ToArray();
        for (var round = 1; round <= 3; round++)
        {
            var next = Imp.Prune(net, masks, options);
            for (var l = 0; l < 3; l++)
            {
                counts[l] -= Math.Round((l == 2 ? 0.1 : 0.2) * counts[l]);
                Assert.Equal(counts[l], next[l].sum().item<float>());
                Assert.Equal(0f, next[l].mul(masks[l].neg().add(1)).sum().item<float>()); // pruned stays pruned
                // The survivors are the largest-magnitude kept weights.
                var kept = net.Weight(l).abs().masked_select(next[l].gt(0)).min().item<float>();
                var removed = net.Weight(l).abs().masked_select(masks[l].gt(0).logical_and(next[l].eq(0)));
                Assert.True(removed.numel() == 0 || removed.max().item<float>() <= kept);
            }
            masks = next;
        }
        var random = Imp.RandomMaskLike(masks[0], 5);
        Assert.Equal(masks[0].sum().item<float>(), random.sum().item<float>());
        Assert.Equal("PruneFractionPerRound", Assert.Throws<ArgumentOutOfRangeException>(() => new ImpOptions(PruneFractionPerRound: 1).Validate()).ParamName);
    }

    [Fact]
    public void Imp_runs_the_ticket_and_its_controls_at_each_level()
    {
        using var data = new TensorData(Small);
        var levels = Imp.Run(new MlpOptions([784, 64, 10]), 3, data, new TrainOptions(Epochs: 2, BatchSize: 50), new ImpOptions(Rounds: 2, RewindStep: 5));
        Assert.Equal(3, levels.Count);
        Assert.Equal(1.0, levels[0].WeightsRemaining, 6);
        Assert.True(double.IsNaN(levels[0].Reinit));
        Assert.True(levels[2].WeightsRemaining < levels[1].WeightsRemaining && levels[1].WeightsRemaining < 1);
        Assert.All(levels, l => Assert.InRange(l.Ticket, 0.5, 1.0));
        // Both controls are trained nets, so they must beat chance (0.1) clearly: a control stuck at chance could not fail.
        Assert.All(levels.Skip(1), l => Assert.InRange(l.RandomMask, 0.4, 1.0));
        Assert.All(levels.Skip(1), l => Assert.InRange(l.Reinit, 0.4, 1.0));
        // And they are different nets from the ticket, not copies of it.
        Assert.All(levels.Skip(1), l => Assert.NotEqual(l.Ticket, l.RandomMask));
    }

    [Fact]
    public void Imp_numbers_do_not_depend_on_how_many_trainings_run_at_once()
    {
        // The baseline's own size and batch: large enough that a second LibTorch thread would change the arithmetic,
        // so this fails if trainings running side by side do not each hold their own thread at one.
        using var data = new TensorData(Small);
        var net = new MlpOptions();
        var training = new TrainOptions(Epochs: 1, BatchSize: 128, EvaluationsPerEpoch: 1);
        var options = new ImpOptions(Rounds: 2, RewindStep: 3);
        var parallel = Imp.RunSeeds(net, [3, 4], data, training, options, parallelTrainings: 2);
        var one = Imp.Run(net, 3, data, training, options);
        var two = Imp.Run(net, 4, data, training, options);
        Assert.Equal(one, parallel[0]);
        Assert.Equal(two, parallel[1]);
        Assert.NotEqual(one, two);
        Assert.False(TicketLab.Training.IntraOpThreads.IsSingleThreaded, "a thread scope was left open");
    }

    [Fact]
    public void Weight_pruning_error_falls_exponentially_and_neuron_pruning_only_slowly()
    {
        var target = new[] { 0.5, -0.3, 0.8, -0.1 };
        var w4 = StrongLottery.WeightPruningError(target, 4, seed: 1);
        var w16 = StrongLottery.WeightPruningError(target, 16, seed: 1);
        var w32 = StrongLottery.WeightPruningError(target, 32, seed: 1);
        Assert.True(w16 < w4 / 10 && w32 < w16 / 10, $"weight pruning errors {w4:g3}, {w16:g3}, {w32:g3}");
        // Four times the random units buy weight pruning more than 10x (above); neuron pruning far less.
        var n32 = StrongLottery.NeuronPruningError(target, 32, samples: 300, seed: 1);
        var n128 = StrongLottery.NeuronPruningError(target, 128, samples: 300, seed: 1);
        Assert.True(n128 > n32 / 4, $"neuron pruning errors {n32:g3} (32 neurons) and {n128:g3} (128)");
        Assert.True(n128 > w16, $"neuron pruning with 128 neurons {n128:g3} against weight pruning with 16 units per weight {w16:g3}");
    }

    [Fact]
    public void A_keep_fraction_outside_the_range_is_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EdgePopupMlp([4, 3], FrozenInit.KaimingNormal, 0, 0));
        Assert.Equal("keepFraction", e.ParamName);
        Assert.Contains("KEPT", e.Message);
        Assert.Equal("keepFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new EdgePopupMlp([4, 3], FrozenInit.KaimingNormal, 1.5, 0)).ParamName);
        Assert.Equal("layerSizes", Assert.Throws<ArgumentOutOfRangeException>(() => new EdgePopupMlp([4, 0, 3], FrozenInit.KaimingNormal, 0.5, 0)).ParamName);
    }
}
