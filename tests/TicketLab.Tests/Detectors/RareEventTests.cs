using MathNet.Numerics.Distributions;
using TicketLab.Detectors;
using static TorchSharp.torch;

namespace TicketLab.Tests.Detectors;

public class RareEventTests
{
    // Oracles with exact tails: a projection z·u/|u| is N(0, 1); the largest coordinate of z has P(max ≥ t) = 1 − Φ(t)^d.
    static float[] Projection(Tensor z)
    {
        using var scope = NewDisposeScope();
        var d = z.shape[1];
        var u = arange(1, d + 1, ScalarType.Float32).sin_();
        return z.mv(u.div(u.norm())).data<float>().ToArray();
    }

    static float[] LargestCoordinate(Tensor z)
    {
        using var scope = NewDisposeScope();
        return z.amax([1]).data<float>().ToArray();
    }

    static double Log2Upper(double t) => TailModel.Log2UpperNormal(t);

    [Fact]
    public void Reaches_two_to_the_minus_sixty_on_a_gaussian_projection_within_its_error_bar()
    {
        var options = new RareEventOptions(SamplesPerLevel: 1000, StopLog2: -62);
        var runs = Enumerable.Range(0, 4).Select(r => SubsetSimulation.Run(Projection, 40, options, 100 + r)).ToList();
        Assert.All(runs, r => Assert.True(r.ReachedLog2 <= -60, $"reached only 2^{r.ReachedLog2:0.0}"));
        foreach (var t in new[] { 2.0, 4.0, 6.0, 8.0, 8.6 })
        {
            var exact = Log2Upper(t);
            var estimates = runs.Select(r => r.Log2Density(t) ?? double.NaN).ToArray();
            Assert.All(estimates, e => Assert.False(double.IsNaN(e), $"t = {t} not reached"));
            var mean = Math.Log2(estimates.Average(e => Math.Pow(2, e)));
            // Subset simulation's error at 18 levels of p0 = 0.1 with N = 1000 is about a bit per run; the mean of 4 is within 1.5.
            Assert.InRange(mean - exact, -1.5, 1.5);
        }
    }

    [Fact]
    public void Matches_a_non_gaussian_tail_and_reports_what_it_cannot_resolve()
    {
        const int d = 20;
        var run = SubsetSimulation.Run(LargestCoordinate, d, new RareEventOptions(SamplesPerLevel: 1000, StopLog2: -40), 7);
        foreach (var t in new[] { 3.0, 5.0, 6.5 })
        {
            var exact = Math.Log2(-MathNet.Numerics.SpecialFunctions.Expm1(d * Math.Log(Normal.CDF(0, 1, t))));
            Assert.InRange(run.Log2Density(t)!.Value - exact, -2.0, 2.0);
        }
        Assert.Null(run.Log2Density(run.MaxScore + 1));
        Assert.Equal(Math.Pow(2, run.ReachedLog2), run.DensityOrBound(run.MaxScore + 1));
        Assert.Equal(0, run.Log2Density(double.NegativeInfinity));
    }

    [Fact]
    public void Same_seed_same_run_and_bad_options_are_named()
    {
        var a = SubsetSimulation.Run(Projection, 10, new RareEventOptions(SamplesPerLevel: 200, StopLog2: -10), 3);
        var b = SubsetSimulation.Run(Projection, 10, new RareEventOptions(SamplesPerLevel: 200, StopLog2: -10), 3);
        Assert.Equal(a.Levels.Select(l => l.Threshold), b.Levels.Select(l => l.Threshold));
        Assert.Contains("SamplesPerLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new RareEventOptions(SamplesPerLevel: 5).Validate()).Message);
        Assert.Contains("LevelProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new RareEventOptions(LevelProbability: 0.9).Validate()).Message);
        Assert.Contains("StopLog2", Assert.Throws<ArgumentOutOfRangeException>(() => new RareEventOptions(StopLog2: 3).Validate()).Message);
        var nan = Assert.Throws<InvalidOperationException>(() => SubsetSimulation.Run(z => Enumerable.Repeat(float.NaN, (int)z.shape[0]).ToArray(), 3, new RareEventOptions(SamplesPerLevel: 50), 1));
        Assert.Contains("NaN", nan.Message);
    }

    [Fact]
    public void A_constant_score_stops_at_the_first_level()
    {
        var run = SubsetSimulation.Run(z => new float[z.shape[0]], 5, new RareEventOptions(SamplesPerLevel: 100), 1);
        Assert.Single(run.Levels);
        Assert.Equal(0, run.Log2Density(0));
        Assert.Null(run.Log2Density(0.5));
    }
}
