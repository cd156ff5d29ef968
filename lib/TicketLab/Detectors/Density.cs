namespace TicketLab.Detectors;

/// <summary>The fraction of units whose quality is at least q, over a grid of q: mean over seeds and the spread (min, max).</summary>
/// <param name="Label">Condition and layer, e.g. "init/layer1".</param>
/// <param name="Quality">The grid of q.</param>
/// <param name="Mean">Mean density over the unit sets (seeds).</param>
/// <param name="Low">Lowest density over the seeds.</param>
/// <param name="High">Highest density over the seeds.</param>
/// <param name="Units">Units per seed.</param>
public sealed record DensityCurve(string Label, double[] Quality, double[] Mean, double[] Low, double[] High, int Units);

/// <summary>Density of detectors: the fraction of units with quality ≥ q (SCIENCE.md: "density at quality q").</summary>
public static class Density
{
    /// <summary>An evenly spaced grid of qualities from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static double[] Grid(double from = 0.5, double to = 1.0, double step = 0.0025)
    {
        if (!(from >= 0.5 && from < 1)) throw new ArgumentOutOfRangeException(nameof(from), from, "accepted: a quality with 0.5 <= from < to <= 1");
        if (!(to > from && to <= 1)) throw new ArgumentOutOfRangeException(nameof(to), to, $"accepted: a quality with {from} = from < to <= 1");
        if (!(step > 0)) throw new ArgumentOutOfRangeException(nameof(step), step, "accepted: a step > 0");
        var n = (int)Math.Round((to - from) / step);
        if (Math.Abs(n * step - (to - from)) > 1e-9 * Math.Max(1, to - from))
            throw new ArgumentOutOfRangeException(nameof(step), step, $"accepted: a step that divides to - from ({to - from:g6}) into whole steps, so that the grid ends at {to} and no quality exceeds it");
        return Enumerable.Range(0, n + 1).Select(i => Math.Round(from + i * step, 10)).ToArray();
    }

    /// <summary>Fraction of <paramref name="qualities"/> at or above <paramref name="threshold"/>.</summary>
    public static double Fraction(IReadOnlyList<float> qualities, double threshold)
    {
        CheckQuality(threshold, nameof(threshold));
        if (qualities.Count == 0) throw new ArgumentException("qualities is empty; accepted: the qualities of at least one unit (a density of no units is undefined).", nameof(qualities));
        long count = 0;
        foreach (var q in qualities) if (q >= threshold) count++;
        return count / (double)qualities.Count;
    }

    /// <summary>Number of <paramref name="qualities"/> at or above <paramref name="threshold"/>.</summary>
    public static long Count(IReadOnlyList<float> qualities, double threshold)
    {
        CheckQuality(threshold, nameof(threshold));
        long count = 0;
        foreach (var q in qualities) if (q >= threshold) count++;
        return count;
    }

    /// <summary>The density curve of one or more unit sets (e.g. one per seed) over <paramref name="grid"/>.</summary>
    public static DensityCurve Curve(string label, IReadOnlyList<float[]> qualitiesPerSeed, double[] grid)
    {
        if (qualitiesPerSeed.Count == 0) throw new ArgumentException("qualitiesPerSeed holds no seed; accepted: one unit set per seed, at least one.", nameof(qualitiesPerSeed));
        if (qualitiesPerSeed.Any(q => q.Length == 0)) throw new ArgumentException("a seed of qualitiesPerSeed has no units; accepted: at least one unit per seed.", nameof(qualitiesPerSeed));
        if (grid.Length == 0) throw new ArgumentException("grid is empty; accepted: the qualities of Density.Grid.", nameof(grid));
        var perSeed = qualitiesPerSeed.Select(q => Survival(q, grid)).ToList();
        var mean = grid.Select((_, i) => perSeed.Average(s => s[i])).ToArray();
        var low = grid.Select((_, i) => perSeed.Min(s => s[i])).ToArray();
        var high = grid.Select((_, i) => perSeed.Max(s => s[i])).ToArray();
        return new DensityCurve(label, grid, mean, low, high, qualitiesPerSeed[0].Length);
    }

    /// <summary>
    /// The largest vertical distance between two density curves on their common grid: the two-sample Kolmogorov-Smirnov
    /// statistic of the unit qualities (read on the grid), i.e. how far training moved the whole curve.
    /// </summary>
    public static double MaxDistance(DensityCurve before, DensityCurve after)
    {
        if (!before.Quality.SequenceEqual(after.Quality)) throw new ArgumentException("the curves must share one quality grid.", nameof(after));
        return before.Mean.Zip(after.Mean, (a, b) => Math.Abs(a - b)).Max();
    }

    /// <summary>
    /// The distance two samples of <paramref name="n"/> and <paramref name="m"/> units from the same distribution exceed
    /// with probability <paramref name="alpha"/> (asymptotic two-sample Kolmogorov-Smirnov: c(α)·√((n+m)/(nm)), c(α) = √(−ln(α/2)/2)).
    /// </summary>
    public static double KsCritical(int n, int m, double alpha = 0.05)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "accepted: 1 or more units");
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "accepted: 1 or more units");
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "accepted: a probability in (0, 1)");
        return Math.Sqrt(-Math.Log(alpha / 2) / 2) * Math.Sqrt((n + m) / ((double)n * m));
    }

    /// <summary>Rejects a quality outside [0.5, 1] (qualities are max(AUC, 1 − AUC)).</summary>
    public static void CheckQuality(double quality, string name)
    {
        if (!(quality >= 0.5 && quality <= 1))
            throw new ArgumentOutOfRangeException(name, quality, "accepted: a detector quality in [0.5, 1] (max(AUC, 1 - AUC))");
    }

    /// <summary>Fraction at or above each grid value, from one sort.</summary>
    static double[] Survival(float[] qualities, double[] grid)
    {
        var sorted = (float[])qualities.Clone();
        Array.Sort(sorted);
        var n = sorted.Length;
        return grid.Select(q =>
        {
            // First index with value >= q.
            int lo = 0, hi = n;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (sorted[mid] >= q) hi = mid; else lo = mid + 1;
            }
            return (n - lo) / (double)n;
        }).ToArray();
    }
}
