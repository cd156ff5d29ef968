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
    public void Layer2_units_and_pairs_are_scored()
    {
        using var eval = EvaluationSet.FromTest(Data, 20);
        var layer2 = RandomUnitSampler.Layer2(eval.Inputs, eval.Labels, 10, new SamplerOptions(Units: 300, BatchSize: 100, HiddenWidth: 50, UnitsPerNet: 150));
        Assert.Equal(300, layer2.Scores.Count);
        var (x, y) = RandomUnitSampler.Pair(eval.Inputs, eval.Labels, 6, 0);
        Assert.Equal(40, x.shape[0]);
        Assert.Equal(20, y.sum().item<long>());
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
