using MathNet.Numerics.Distributions;
using TicketLab.Detectors;

namespace TicketLab.Tests.Detectors;

public class TailModelTests
{
    // Qualities Φ(z) with z ~ N(0.3, 0.25²): on the probit scale the tail is exactly Gaussian, so the model is right.
    const double Mean = 0.3, Sd = 0.25;
    static readonly float[] Sample = Draw(200_000, 11);

    static float[] Draw(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)Normal.CDF(0, 1, Normal.Sample(random, Mean, Sd))).ToArray();
    }

    static double TrueLog2Density(double quality) => TailModel.Log2UpperNormal((TailModel.Probit(quality) - Mean) / Sd);

    [Fact]
    public void Extrapolates_a_gaussian_tail_several_decades_beyond_the_sample()
    {
        // True density 1e-9 at this quality: four decades beyond what 200,000 units can reach.
        var quality = Normal.CDF(0, 1, Mean + Sd * -Normal.InvCDF(0, 1, 1e-9));
        var estimate = TailModel.Estimate(Sample, quality);
        Assert.Equal("extrapolated", estimate.Method);
        Assert.InRange(estimate.Log2Density - TrueLog2Density(quality), -2.0, 2.0);
        Assert.InRange(TrueLog2Density(quality), estimate.Log2Low - 1.0, estimate.Log2High + 1.0);
        Assert.True(estimate.Log2Low < estimate.Log2Density && estimate.Log2Density < estimate.Log2High);
    }

    [Fact]
    public void Measures_where_the_sample_reaches_with_a_binomial_band()
    {
        var quality = Normal.CDF(0, 1, Mean + Sd * -Normal.InvCDF(0, 1, 1e-3));
        var estimate = TailModel.Estimate(Sample, quality);
        Assert.Equal("measured", estimate.Method);
        Assert.InRange(TrueLog2Density(quality), estimate.Log2Low, estimate.Log2High);
        Assert.Equal(Density.Count(Sample, quality), estimate.Count);
    }

    [Fact]
    public void Validation_on_a_small_sample_predicts_the_large_one()
    {
        var checks = TailModel.Validate(Sample, 10_000, [1e-3, 1e-4]);
        Assert.Equal(2, checks.Count);
        Assert.All(checks, c => Assert.InRange(Math.Log2(c.Predicted / c.Measured), -1.5, 1.5));
    }

    [Fact]
    public void Same_seed_same_band()
    {
        var a = TailModel.Estimate(Sample, 0.999);
        var b = TailModel.Estimate(Sample, 0.999);
        Assert.Equal((a.Log2Low, a.Log2High), (b.Log2Low, b.Log2High));
    }

    [Fact]
    public void Log2_of_the_normal_tail_is_accurate_where_it_underflows()
    {
        Assert.Equal(Math.Log2(Normal.CDF(0, 1, -5)), TailModel.Log2UpperNormal(5), 9);
        Assert.Equal(Math.Log2(Normal.CDF(0, 1, -29)), TailModel.Log2UpperNormal(29), 6);
        // The asymptotic branch (x ≥ 30) continues the exact one: the slope of log2 Φ(−x) is about −x/ln 2.
        var step = TailModel.Log2UpperNormal(30.001) - TailModel.Log2UpperNormal(29.999);
        Assert.InRange(step, -0.002 * 30.03 / Math.Log(2) - 1e-3, -0.002 * 29.97 / Math.Log(2) + 1e-3);
        // Φ(−40) ≈ 3.6e-350 underflows a double; by hand: (−800 − ln(40·√(2π)) − 1/1600) / ln 2 = −1160.80.
        Assert.Equal(-1160.80, TailModel.Log2UpperNormal(40), 2);
    }
}
