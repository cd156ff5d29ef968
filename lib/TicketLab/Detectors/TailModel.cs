using MathNet.Numerics.Distributions;

namespace TicketLab.Detectors;

/// <summary>
/// A Gaussian tail on the probit scale: with z = Φ⁻¹(quality), the upper tail of the quality distribution satisfies
/// Φ⁻¹(1 − S(z)) = a + b·z, i.e. z is normal in its tail. That is what a random projection gives: its separation d′ of
/// a class is about normal and AUC = Φ(d′/√2). Fitted by least squares on the top of the sample.
/// </summary>
/// <param name="Intercept">a.</param>
/// <param name="Slope">b (1 / the tail's standard deviation on the probit scale).</param>
/// <param name="ThresholdQuality">The lowest quality used in the fit; predictions are meant above it.</param>
/// <param name="SampleSize">Units in the sample.</param>
/// <param name="TailCount">Units in the fitted tail.</param>
public sealed record TailFit(double Intercept, double Slope, double ThresholdQuality, long SampleSize, int TailCount)
{
    /// <summary>Predicted fraction of units with quality ≥ <paramref name="quality"/>.</summary>
    public double Density(double quality) => Math.Pow(2, Log2Density(quality));

    /// <summary>log2 of the predicted fraction (accurate far into the tail, where the fraction underflows).</summary>
    public double Log2Density(double quality) => TailModel.Log2UpperNormal(Intercept + Slope * TailModel.Probit(quality));
}

/// <summary>A density at one quality, measured or extrapolated, with a 90% band in bits.</summary>
/// <param name="Quality">The quality asked about.</param>
/// <param name="Density">Fraction of units at or above it (may be smaller than double.Epsilon is not: see <see cref="Log2Density"/>).</param>
/// <param name="Log2Density">log2 of the fraction: the answer in bits.</param>
/// <param name="Log2Low">Lower end of the 90% band (bits).</param>
/// <param name="Log2High">Upper end of the 90% band (bits).</param>
/// <param name="Method">"measured" (enough sampled units reach it) or "extrapolated" (tail fit).</param>
/// <param name="Count">Sampled units at or above the quality.</param>
/// <param name="SampleSize">Sampled units.</param>
public sealed record TailEstimate(double Quality, double Density, double Log2Density, double Log2Low, double Log2High, string Method, long Count, long SampleSize);

/// <summary>A check of the tail fit: fitted on a small sample, compared with what a large sample measures.</summary>
/// <param name="Quality">Quality checked.</param>
/// <param name="Measured">Density the large sample measures.</param>
/// <param name="MeasuredCount">Units of the large sample at or above it.</param>
/// <param name="Predicted">Density the small-sample fit predicts.</param>
/// <param name="PredictedLow">Lower end of the prediction's 90% band.</param>
/// <param name="PredictedHigh">Upper end of the prediction's 90% band.</param>
public sealed record TailCheck(double Quality, double Measured, long MeasuredCount, double Predicted, double PredictedLow, double PredictedHigh)
{
    /// <summary>Whether the measured density lies inside the predicted band.</summary>
    public bool Inside => Measured >= PredictedLow && Measured <= PredictedHigh;
}

/// <summary>Options of the tail estimates.</summary>
/// <param name="TailFraction">Fraction of the sample (its top) that the fit uses.</param>
/// <param name="MinimumMeasuredCount">Below this many sampled units at or above a quality, the density is extrapolated.</param>
/// <param name="Bootstrap">Bootstrap resamples for the band.</param>
/// <param name="Seed">Seed of the bootstrap.</param>
public sealed record TailOptions(double TailFraction = 0.01, int MinimumMeasuredCount = 10, int Bootstrap = 200, int Seed = 7)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field, its value and what is accepted.</summary>
    public TailOptions Validate()
    {
        if (!(TailFraction > 0 && TailFraction <= 0.5)) throw new ArgumentOutOfRangeException(nameof(TailFraction), TailFraction, "accepted: a fraction of the units in (0, 0.5] (the top of the sample the tail is fitted on)");
        if (MinimumMeasuredCount < 1) throw new ArgumentOutOfRangeException(nameof(MinimumMeasuredCount), MinimumMeasuredCount, "accepted: 1 or more units (below it the density is extrapolated)");
        if (Bootstrap < 10) throw new ArgumentOutOfRangeException(nameof(Bootstrap), Bootstrap, "accepted: 10 or more resamples (a 90% band needs them)");
        return this;
    }
}

/// <summary>Fits and uses <see cref="TailFit"/>; bands come from a bootstrap over units.</summary>
public static class TailModel
{
    const int SkipTop = 3;

    /// <summary>Φ⁻¹(q), with q clamped just below 1.</summary>
    public static double Probit(double quality) => Normal.InvCDF(0, 1, Math.Min(quality, 1 - 1e-12));

    /// <summary>log2 Φ(−x), also for large x (asymptotic series where Φ(−x) underflows).</summary>
    public static double Log2UpperNormal(double x)
    {
        if (x < 30) return Math.Log2(Normal.CDF(0, 1, -x));
        var lnTail = -x * x / 2 - Math.Log(x * Math.Sqrt(2 * Math.PI)) + Math.Log(1 - 1 / (x * x) + 3 / Math.Pow(x, 4));
        return lnTail / Math.Log(2);
    }

    /// <summary>Fits the tail of <paramref name="qualities"/> (the top <see cref="TailOptions.TailFraction"/>, at least 50 units).</summary>
    public static TailFit Fit(IReadOnlyList<float> qualities, TailOptions? options = null)
    {
        options = (options ?? new TailOptions()).Validate();
        CheckSample(qualities);
        var n = qualities.Count;
        var tailCount = (int)Math.Min(n, Math.Max(50, Math.Round(options.TailFraction * n)));
        var top = qualities.OrderByDescending(q => q).Take(tailCount).Select(q => (double)q).ToArray();
        return FitSorted(top, n);
    }

    /// <summary>The density at <paramref name="quality"/>: measured when enough units reach it, else extrapolated; both with a 90% band.</summary>
    public static TailEstimate Estimate(IReadOnlyList<float> qualities, double quality, TailOptions? options = null)
    {
        options = (options ?? new TailOptions()).Validate();
        if (qualities.Count == 0) throw new ArgumentException("qualities is empty; accepted: the qualities of the sampled units.", nameof(qualities));
        Density.CheckQuality(quality, nameof(quality));
        long n = qualities.Count;
        var count = Density.Count(qualities, quality);
        if (count >= options.MinimumMeasuredCount)
        {
            // Clopper-Pearson 90% interval of a binomial proportion.
            var low = Beta.InvCDF(count, n - count + 1, 0.05);
            var high = count == n ? 1 : Beta.InvCDF(count + 1, n - count, 0.95);
            return new TailEstimate(quality, count / (double)n, Math.Log2(count / (double)n), Math.Log2(low), Math.Log2(high), "measured", count, n);
        }
        var fit = Fit(qualities, options);
        var (lo, hi) = Band(qualities, options, quality);
        var log2 = fit.Log2Density(quality);
        return new TailEstimate(quality, Math.Pow(2, log2), log2, lo, hi, "extrapolated", count, n);
    }

    /// <summary>
    /// Fits on the first <paramref name="smallSample"/> units and compares the prediction with the density measured on
    /// all of <paramref name="qualities"/> at the given densities of the full sample (e.g. 1e-3, 1e-4, 1e-5).
    /// </summary>
    public static IReadOnlyList<TailCheck> Validate(IReadOnlyList<float> qualities, int smallSample, double[] fullSampleDensities, TailOptions? options = null)
    {
        options = (options ?? new TailOptions()).Validate();
        var small = qualities.Take(smallSample).ToArray();
        var fit = Fit(small, options);
        var sorted = qualities.OrderByDescending(q => q).ToArray();
        var checks = new List<TailCheck>();
        foreach (var density in fullSampleDensities)
        {
            var rank = (int)Math.Round(density * sorted.Length);
            if (rank < 1) continue;
            var quality = (double)sorted[rank - 1];
            var count = Density.Count(qualities, quality);
            var (lo, hi) = Band(small, options, quality);
            checks.Add(new TailCheck(quality, count / (double)qualities.Count, count, fit.Density(quality), Math.Pow(2, lo), Math.Pow(2, hi)));
        }
        return checks;
    }

    /// <summary>Units a tail fit needs at least: the fit uses the top 50 of them and leaves out the top 3.</summary>
    public const int MinimumFitUnits = 100;

    /// <summary>Rejects a sample a tail cannot be fitted on: too few units, non-finite or impossible qualities, or no spread in its top.</summary>
    static void CheckSample(IReadOnlyList<float> qualities)
    {
        if (qualities.Count < MinimumFitUnits)
            throw new ArgumentException($"qualities holds {qualities.Count} units; accepted: at least {MinimumFitUnits} for a tail fit.", nameof(qualities));
        foreach (var q in qualities)
            if (!(q >= 0f && q <= 1f)) throw new ArgumentException($"qualities holds {q}; accepted: finite qualities in [0, 1] (the probit of each is taken).", nameof(qualities));
        var top = qualities.OrderByDescending(q => q).Take(50).ToArray();
        if (top[0] == top[^1]) throw new ArgumentException($"the top 50 qualities are all {top[0]}; accepted: a sample whose tail has spread (a constant tail has no slope to fit).", nameof(qualities));
    }

    /// <summary>The 5th and 95th percentiles (log2) of the extrapolated density over bootstrap resamples of the units.</summary>
    static (double Low, double High) Band(IReadOnlyList<float> qualities, TailOptions options, double quality)
    {
        var n = qualities.Count;
        var tailCount = (int)Math.Min(n, Math.Max(50, Math.Round(options.TailFraction * n)));
        var top = qualities.OrderByDescending(q => q).Take(tailCount).Select(q => (double)q).ToArray();
        var random = new Random(options.Seed);
        var estimates = new double[options.Bootstrap];
        for (var r = 0; r < options.Bootstrap; r++)
        {
            // Resampling n units with replacement puts Binomial(n, K/n) of them in this tail, each drawn from it uniformly.
            var k = Math.Max(SkipTop + 3, Binomial.Sample(random, tailCount / (double)n, n));
            var resample = new double[k];
            for (var i = 0; i < k; i++) resample[i] = top[random.Next(top.Length)];
            Array.Sort(resample, (a, b) => b.CompareTo(a));
            estimates[r] = FitSorted(resample, n).Log2Density(quality);
        }
        Array.Sort(estimates);
        return (estimates[(int)(0.05 * (estimates.Length - 1))], estimates[(int)Math.Ceiling(0.95 * (estimates.Length - 1))]);
    }

    /// <summary>Least squares of Φ⁻¹(1 − (k − ½)/n) on Φ⁻¹(q_k) over the k-th largest qualities (the very top few skipped: too noisy).</summary>
    static TailFit FitSorted(double[] topDescending, long n)
    {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        var m = 0;
        for (var k = SkipTop + 1; k <= topDescending.Length; k++)
        {
            var x = Probit(topDescending[k - 1]);
            var y = -Normal.InvCDF(0, 1, (k - 0.5) / n);
            sx += x; sy += y; sxx += x * x; sxy += x * y;
            m++;
        }
        var denominator = m * sxx - sx * sx;
        if (m < 3 || denominator <= 0)
            throw new InvalidOperationException($"the tail of {n} units has too few distinct qualities ({m}) to fit; sample more units.");
        var slope = (m * sxy - sx * sy) / denominator;
        var intercept = (sy - slope * sx) / m;
        return new TailFit(intercept, slope, topDescending[^1], n, topDescending.Length);
    }
}
