namespace TicketLab.Tests;

public class FitTests
{
    [Fact]
    public void An_exact_power_law_gives_back_its_exponent_with_a_band_of_width_zero()
    {
        double[] sizes = [500, 1000, 2000, 4000];
        var law = Fit.PowerLaw(sizes, sizes.Select(n => 3e-9 * Math.Pow(n, 2.5)).ToArray());
        Assert.Equal(2.5, law.Exponent, 9);
        Assert.Equal(3e-9, law.Coefficient, 15);
        Assert.Equal(2.5, law.Low, 9);
        Assert.Equal(2.5, law.High, 9);
        // Scaled from the largest point: 4000 -> 8000 is 2^2.5 times the time.
        var (value, low, high) = law.Scale(4000, 3e-9 * Math.Pow(4000, 2.5), 8000);
        Assert.Equal(3e-9 * Math.Pow(8000, 2.5), value, 9);
        Assert.Equal(value, low, 9);
        Assert.Equal(value, high, 9);
    }

    [Fact]
    public void A_noisy_power_law_gets_a_band_around_its_exponent_from_the_residuals()
    {
        double[] sizes = [1, 2, 4, 8];
        double[] noise = [1.05, 0.95, 1.04, 0.97];
        var law = Fit.PowerLaw(sizes, sizes.Select((n, i) => 0.2 * n * noise[i]).ToArray());
        Assert.InRange(law.Exponent, 0.95, 1.05);
        Assert.True(law.Low < law.Exponent && law.Exponent < law.High);
        Assert.True(law.Low < 1 && 1 < law.High);
        // Hand computation: residual standard error over √Sxx, times t(0.95; 2 degrees) = 2.919986.
        var x = sizes.Select(n => Math.Log(n)).ToArray();
        var y = sizes.Select((n, i) => Math.Log(0.2 * n * noise[i])).ToArray();
        var sxx = x.Sum(u => (u - x.Average()) * (u - x.Average()));
        var slope = x.Zip(y).Sum(p => (p.First - x.Average()) * (p.Second - y.Average())) / sxx;
        var intercept = y.Average() - slope * x.Average();
        var se = Math.Sqrt(x.Zip(y).Sum(p => Math.Pow(p.Second - intercept - slope * p.First, 2)) / 2 / sxx);
        Assert.Equal(slope, law.Exponent, 12);
        Assert.Equal(slope + 2.919986 * se, law.High, 5);
        // A band that reaches below b makes the predicted range straddle the prediction.
        var (value, low, high) = law.Scale(8, 1.6, 16);
        Assert.True(low < value && value < high);
    }

    [Fact]
    public void A_power_law_fit_refuses_what_it_cannot_fit_and_names_it()
    {
        Assert.Contains("3 or more", Assert.Throws<ArgumentException>(() => Fit.PowerLaw([1.0, 2.0], [1.0, 2.0])).Message);
        Assert.Contains("positive finite", Assert.Throws<ArgumentException>(() => Fit.PowerLaw([1.0, 2.0, 4.0], [1.0, 0.0, 2.0])).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => Fit.PowerLaw([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])).Message);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Fit.PowerLaw([1.0, 2.0, 4.0], [1.0, 2.0])).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => Fit.PowerLaw([1.0, 2.0, 4.0], [1.0, 2.0, 4.0], level: 1)).ParamName);
    }
}
