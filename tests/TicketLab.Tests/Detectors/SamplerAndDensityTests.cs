using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;

namespace TicketLab.Tests.Detectors;

[Collection("torch")]
public class SamplerAndDensityTests
{
    static readonly LabeledData Data = Datasets.Load(new DataOptions(Source: DataSource.Embedded));

    [Fact]
    public void Same_seed_same_units_and_another_seed_other_units()
    {
        using var eval = EvaluationSet.FromTest(Data, 20);
        var a = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, 10, new SamplerOptions(Units: 700, BatchSize: 256, Seed: 5));
        var b = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, 10, new SamplerOptions(Units: 700, BatchSize: 128, Seed: 5));
        var c = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, 10, new SamplerOptions(Units: 700, BatchSize: 256, Seed: 6));
        Assert.Equal(700, a.Scores.Count);
        Assert.Equal(a.Scores.BestQuality.Take(128), b.Scores.BestQuality.Take(128));
        Assert.NotEqual(a.Scores.BestQuality, c.Scores.BestQuality);
        Assert.True(a.Flops > 0 && a.Seconds > 0);
    }

    [Fact]
    public void Sampled_units_are_distributed_like_the_baselines_own_first_layer()
    {
        using var eval = EvaluationSet.FromTest(Data, 50);
        var sampled = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, 10, new SamplerOptions(Units: 3000, Seed: 9)).Scores.BestQuality.OrderBy(q => q).ToArray();
        var nets = Enumerable.Range(0, 10).Select(seed => new Mlp(new MlpOptions(), seed)).ToList();
        var own = nets.SelectMany(n => UnitScores.ScoreHiddenLayers(n, eval.Inputs, eval.Labels, 10)[0].BestQuality).OrderBy(q => q).ToArray();
        foreach (var n in nets) n.Dispose();
        foreach (var p in new[] { 0.25, 0.5, 0.75, 0.95 })
            Assert.InRange(sampled[(int)(p * sampled.Length)] - own[(int)(p * own.Length)], -0.015, 0.015);
    }

    [Fact]
    public void Layer2_units_sit_on_a_fresh_random_first_layer_every_UnitsPerNet_units()
    {
        // Oracle: redraw the same weights from the same generator by hand (two first layers of width 8, three units on
        // each, in batches of two) and score every unit by counting class-vs-rest pairs, ties half.
        using var eval = EvaluationSet.FromTest(Data, 5);
        var options = new SamplerOptions(Units: 6, BatchSize: 2, Seed: 11, HiddenWidth: 8, UnitsPerNet: 3);
        var sampled = RandomUnitSampler.Layer2(eval.Inputs, eval.Labels, 10, options);
        var generator = new TorchSharp.torch.Generator(11);
        var labels = eval.Labels.data<long>().ToArray();
        var expected = new List<double>();
        for (var net = 0; net < 2; net++)
        {
            var first = TorchSharp.torch.randn([784, 8], generator: generator).mul_(options.WeightStd / Math.Sqrt(784));
            var hidden = TorchSharp.torch.nn.functional.relu(eval.Inputs.mm(first));
            foreach (var batch in new[] { 2, 1 })
            {
                var second = TorchSharp.torch.randn([batch, 8], generator: generator).mul_(options.WeightStd / Math.Sqrt(8));
                var activations = TorchSharp.torch.nn.functional.relu(second.mm(hidden.t()));
                for (var u = 0; u < batch; u++)
                {
                    var a = activations[u].data<float>().ToArray();
                    expected.Add(Enumerable.Range(0, 10).Max(c => BruteForceQuality(a, labels, c)));
                }
            }
        }
        Assert.Equal(6, sampled.Scores.Count);
        for (var u = 0; u < 6; u++) Assert.Equal(expected[u], sampled.Scores.BestQuality[u], 5);
        var (x, y) = RandomUnitSampler.Pair(eval.Inputs, eval.Labels, 6, 0);
        Assert.Equal(10, x.shape[0]);
        Assert.Equal(5, y.sum().item<long>());
        var firstOfPair = Array.FindIndex(labels, l => l is 0 or 6);
        Assert.Equal(eval.Inputs[firstOfPair].data<float>().ToArray(), x[0].data<float>().ToArray());
        Assert.Equal(labels[firstOfPair] == 6 ? 1 : 0, y[0].item<long>());
    }

    [Fact]
    public void Layer1_units_are_the_generators_draws_in_order_while_the_next_batch_is_drawn_beside_the_scoring()
    {
        // Oracle: the same generator drawn by hand, batch after batch (16, 16, 16, 2), each unit scored by counting pairs.
        using var eval = EvaluationSet.FromTest(Data, 4);
        var options = new SamplerOptions(Units: 50, BatchSize: 16, Seed: 13);
        var sampled = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, 10, options);
        var generator = new TorchSharp.torch.Generator(13);
        var labels = eval.Labels.data<long>().ToArray();
        var expected = new List<double>();
        foreach (var batch in new[] { 16, 16, 16, 2 })
        {
            using var weights = TorchSharp.torch.randn([batch, 784], generator: generator).mul_(options.WeightStd / Math.Sqrt(784));
            using var activations = TorchSharp.torch.nn.functional.relu(weights.mm(eval.Inputs.t()));
            for (var u = 0; u < batch; u++)
            {
                var a = activations[u].data<float>().ToArray();
                expected.Add(Enumerable.Range(0, 10).Max(c => BruteForceQuality(a, labels, c)));
            }
        }
        Assert.Equal(50, sampled.Scores.Count);
        for (var u = 0; u < 50; u++) Assert.Equal(expected[u], sampled.Scores.BestQuality[u], 5);
    }

    static double BruteForceQuality(float[] activation, long[] labels, int c)
    {
        double wins = 0, pairs = 0;
        for (var i = 0; i < activation.Length; i++)
            for (var j = 0; j < activation.Length; j++)
                if (labels[i] == c && labels[j] != c)
                {
                    pairs++;
                    wins += activation[i] > activation[j] ? 1 : activation[i] == activation[j] ? 0.5 : 0;
                }
        return Math.Max(wins / pairs, 1 - wins / pairs);
    }

    [Fact]
    public void Density_curves_count_units_at_or_above_each_quality()
    {
        var grid = Density.Grid(0.5, 1.0, 0.25);
        Assert.Equal(new[] { 0.5, 0.75, 1.0 }, grid);
        var curve = Density.Curve("x", [new float[] { 0.5f, 0.6f, 0.75f, 0.9f }, new float[] { 0.5f, 0.5f, 0.5f, 1f }], grid);
        Assert.Equal(new[] { 1.0, 0.375, 0.125 }, curve.Mean);
        Assert.Equal(new[] { 1.0, 0.25, 0.0 }, curve.Low);
        Assert.Equal(new[] { 1.0, 0.5, 0.25 }, curve.High);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Density.Grid(0.4, 1.0, 0.1));
        Assert.Contains("0.5 <= from", e.Message);
        Assert.Equal("Units", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions(Units: 0).Validate()).ParamName);
    }
}
