namespace TicketLab;

/// <summary>Least-squares line fits shared by the studies and the verdict.</summary>
public static class Fit
{
    /// <summary>Least-squares slope of y against x; NaN with fewer than two points.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) return double.NaN;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        return points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
    }

    /// <summary>Least-squares slope of log y against log x (the exponent of a power law), over the points where both are positive and finite.</summary>
    public static double LogLogSlope(IEnumerable<double> x, IEnumerable<double> y) =>
        Slope(x.Zip(y).Where(p => p.First > 0 && p.Second > 0 && double.IsFinite(p.Second)).Select(p => (Math.Log(p.First), Math.Log(p.Second))).ToList());

    /// <summary>
    /// A power law y = c·x^b fitted to measurements (e.g. seconds against a size) by least squares of log y on log x
    /// (MathNet's line fit), with a band for b from the residuals: b ± t·se, se = √(Σr²/(n−2) / Σ(log x − mean)²), t the
    /// Student quantile of n − 2 degrees of freedom at <paramref name="level"/>. Needs 3 or more points, each positive
    /// and finite, at 2 or more distinct x; an exact power law gives back its b with a band of width 0.
    /// </summary>
    public static PowerLaw PowerLaw(IReadOnlyList<double> x, IReadOnlyList<double> y, double level = 0.9)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values and y {y.Count}; accepted: one y per x.", nameof(y));
        if (x.Count < 3) throw new ArgumentException($"{x.Count} points; accepted: 3 or more (a band needs a residual).", nameof(x));
        if (x.Concat(y).Any(v => !(v > 0 && double.IsFinite(v))))
            throw new ArgumentException($"x [{string.Join(", ", x)}], y [{string.Join(", ", y)}]; accepted: positive finite values (a power law is fitted on their logs).", nameof(y));
        if (x.Distinct().Count() < 2) throw new ArgumentException($"every x is {x[0]}; accepted: 2 or more distinct sizes.", nameof(x));
        if (!(level is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "accepted: between 0 and 1, e.g. 0.9");
        var logX = x.Select(v => Math.Log(v)).ToArray();
        var logY = y.Select(v => Math.Log(v)).ToArray();
        var (intercept, slope) = MathNet.Numerics.Fit.Line(logX, logY);
        var residuals = logX.Zip(logY, (u, v) => v - intercept - slope * u).Sum(r => r * r);
        var spread = logX.Sum(u => (u - logX.Average()) * (u - logX.Average()));
        var degrees = x.Count - 2;
        var half = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, degrees, 0.5 + level / 2) * Math.Sqrt(residuals / degrees / spread);
        return new PowerLaw(slope, Math.Exp(intercept), slope - half, slope + half, level);
    }

    /// <summary>
    /// A band for a mean over seeds of per-seed samples (units, classes): a hierarchical bootstrap that resamples the seeds,
    /// then the values within each resampled seed, and takes the mean. Returns the mean of all values and the
    /// 5% and 95% quantiles of the replicates (a 90% band), as the density bands of notebook 01 are.
    /// </summary>
    public static (double Mean, double Low, double High) HierarchicalBand(IReadOnlyList<double[]> valuesBySeed, int replicates = 2000, int seed = 0)
    {
        if (valuesBySeed.Count == 0 || valuesBySeed.Any(v => v.Length == 0))
            throw new ArgumentException("accepted: at least one seed, each with at least one value.", nameof(valuesBySeed));
        if (replicates < 100) throw new ArgumentOutOfRangeException(nameof(replicates), replicates, "accepted: at least 100");
        var random = new Random(seed);
        var means = new double[replicates];
        for (var r = 0; r < replicates; r++)
        {
            double sum = 0;
            var count = 0;
            for (var s = 0; s < valuesBySeed.Count; s++)
            {
                var values = valuesBySeed[random.Next(valuesBySeed.Count)];
                for (var i = 0; i < values.Length; i++) { sum += values[random.Next(values.Length)]; count++; }
            }
            means[r] = sum / count;
        }
        Array.Sort(means);
        return (valuesBySeed.SelectMany(v => v).Average(), Quantile(means, 0.05), Quantile(means, 0.95));
    }

    /// <summary>
    /// A power-law exponent over seeds: the log-log slope of the per-width geometric mean over seeds, with a 90% band from
    /// refitting after drawing, at every width independently, one seed's value (so the band carries the seed-to-seed spread
    /// at each width). <paramref name="valuesBySeed"/> is [seed][width].
    /// </summary>
    public static (double Slope, double Low, double High) SeedBootstrapSlope(IReadOnlyList<double> widths, IReadOnlyList<double[]> valuesBySeed, int replicates = 2000, int seed = 0)
    {
        if (valuesBySeed.Count == 0 || valuesBySeed.Any(v => v.Length != widths.Count))
            throw new ArgumentException($"accepted: at least one seed, each with one value per width ({widths.Count}).", nameof(valuesBySeed));
        var mean = Enumerable.Range(0, widths.Count).Select(w => Math.Exp(valuesBySeed.Average(v => Math.Log(v[w])))).ToArray();
        var random = new Random(seed);
        var slopes = new double[replicates];
        var draw = new double[widths.Count];
        for (var r = 0; r < replicates; r++)
        {
            for (var w = 0; w < widths.Count; w++) draw[w] = valuesBySeed[random.Next(valuesBySeed.Count)][w];
            slopes[r] = LogLogSlope(widths, draw);
        }
        Array.Sort(slopes);
        return (LogLogSlope(widths, mean), Quantile(slopes, 0.05), Quantile(slopes, 0.95));
    }

    /// <summary>
    /// A 90% band for a mean accuracy over seeds, from both sources: the seeds are resampled, and the mean of the drawn seeds
    /// gets the sampling error of the <paramref name="testImages"/> test images they all share (binomial, normal
    /// approximation; one draw per replicate, since every seed is scored on the same images). With one seed the band is the
    /// test images' alone. Returns the mean and the 5% and 95% quantiles of the replicates.
    /// </summary>
    public static (double Mean, double Low, double High) SeedAndSampleBand(double[] accuracies, int testImages, int replicates = 2000, int seed = 0)
    {
        if (accuracies.Length == 0 || accuracies.Any(a => !(a >= 0 && a <= 1)))
            throw new ArgumentException($"accepted: at least one accuracy, each in [0, 1] (got [{string.Join(", ", accuracies)}]).", nameof(accuracies));
        if (testImages < 1) throw new ArgumentOutOfRangeException(nameof(testImages), testImages, "accepted: 1 or more test images");
        if (replicates < 100) throw new ArgumentOutOfRangeException(nameof(replicates), replicates, "accepted: at least 100");
        var random = new Random(seed);
        var means = new double[replicates];
        for (var r = 0; r < replicates; r++)
        {
            double sum = 0;
            for (var s = 0; s < accuracies.Length; s++) sum += accuracies[random.Next(accuracies.Length)];
            var mean = sum / accuracies.Length;
            means[r] = mean + Math.Sqrt(mean * (1 - mean) / testImages) * MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1);
        }
        return (accuracies.Average(), Quantile(means, 0.05), Quantile(means, 0.95));
    }

    /// <summary>The <paramref name="p"/>-quantile of <paramref name="values"/>, linear between order statistics (as numpy's default).</summary>
    public static double Quantile(double[] values, double p)
    {
        var s = values.Order().ToArray();
        var h = (s.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, s.Length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }
}

/// <summary>A fitted power law y = <see cref="Coefficient"/>·x^<see cref="Exponent"/>, with a band for the exponent.</summary>
/// <param name="Exponent">b, the log-log slope.</param>
/// <param name="Coefficient">c.</param>
/// <param name="Low">Lower end of the exponent's band.</param>
/// <param name="High">Upper end.</param>
/// <param name="Level">The band's level (0.9: a 90% band).</param>
public sealed record PowerLaw(double Exponent, double Coefficient, double Low, double High, double Level)
{
    /// <summary>
    /// y at <paramref name="x"/> scaled from a measured point (<paramref name="fromX"/>, <paramref name="fromY"/>), the
    /// largest one for a bigger run: fromY·(x/fromX)^b, with the same for both ends of the band (low and high as ordered values).
    /// </summary>
    public (double Value, double Low, double High) Scale(double fromX, double fromY, double x)
    {
        var ratio = x / fromX;
        var (a, b) = (fromY * Math.Pow(ratio, Low), fromY * Math.Pow(ratio, High));
        return (fromY * Math.Pow(ratio, Exponent), Math.Min(a, b), Math.Max(a, b));
    }
}
