
namespace TicketLab.Detectors;

/// <summary>One density curve as a results file keeps it.</summary>
/// <param name="Condition">init, trained, lazy, rich or pruned (the suite's colour for it).</param>
/// <param name="Label">What the units are, e.g. "trained baseline (3 seeds)".</param>
/// <param name="Units">Units per seed.</param>
/// <param name="Seeds">Unit sets averaged.</param>
/// <param name="Mean">Mean fraction of units with quality ≥ q, per grid point.</param>
/// <param name="Low">Lowest fraction over the seeds.</param>
/// <param name="High">Highest fraction over the seeds.</param>
/// <param name="Sampled">True for units sampled from the initialization distribution rather than taken from nets (drawn dashed).</param>
public sealed record StoredDensityCurve(string Condition, string Label, int Units, int Seeds, double[] Mean, double[] Low, double[] High, bool Sampled = false);

/// <summary>
/// Density-vs-quality curves of the hidden units of one architecture, as notebooks 01-03 write them into their results
/// files (<c>hidden_density</c>) and notebook 05 reads them back to draw all conditions on one plot.
/// </summary>
/// <param name="Architecture">Layer sizes, e.g. "784-300-100-10".</param>
/// <param name="EvaluationImages">Images the qualities were measured on.</param>
/// <param name="Quality">The grid of q.</param>
/// <param name="Curves">One per condition.</param>
public sealed record StoredDensityCurves(string Architecture, int EvaluationImages, double[] Quality, IReadOnlyList<StoredDensityCurve> Curves)
{
    /// <summary>Packs curves measured on the same grid (rounded to 8 decimals) for a results file.</summary>
    public static StoredDensityCurves From(int[] layerSizes, int evaluationImages, int seeds, params (Condition Condition, DensityCurve Curve)[] curves) =>
        From(layerSizes, evaluationImages, curves.Select(c => (c.Condition, c.Curve, seeds, false)).ToArray());

    /// <summary>Packs curves with their own seed counts, marking sampled (not in-net) units.</summary>
    public static StoredDensityCurves From(int[] layerSizes, int evaluationImages, params (Condition Condition, DensityCurve Curve, int Seeds, bool Sampled)[] curves)
    {
        if (curves.Length == 0) throw new ArgumentException("at least one curve is needed.", nameof(curves));
        var grid = curves[0].Curve.Quality;
        if (curves.Any(c => !c.Curve.Quality.SequenceEqual(grid)))
            throw new ArgumentException("every curve must use the same quality grid.", nameof(curves));
        static double[] Round(double[] v) => v.Select(x => Math.Round(x, 8)).ToArray();
        return new(string.Join("-", layerSizes), evaluationImages, grid,
            curves.Select(c => new StoredDensityCurve(c.Condition.ToString().ToLowerInvariant(), c.Curve.Label, c.Curve.Units, c.Seeds,
                Round(c.Curve.Mean), Round(c.Curve.Low), Round(c.Curve.High), c.Sampled)).ToList());
    }

    /// <summary>Checks that every curve has a value per grid point; says which notebook to rerun when not.</summary>
    public StoredDensityCurves Check(string notebook)
    {
        if (Quality is null || Curves is null || Curves.Count == 0 || Curves.Any(c => c.Mean?.Length != Quality.Length || c.Low?.Length != Quality.Length || c.High?.Length != Quality.Length))
            throw new InvalidDataException($"The hidden-unit density curves in the results of {notebook} are incomplete (a curve's length differs from its grid); rerun notebooks/{notebook}.ipynb.");
        return this;
    }

    /// <summary>Every stored curve with its condition, ready to plot (sampled curves dashed).</summary>
    public IReadOnlyList<(DensityCurve Curve, Condition Condition, bool Dashed)> All() =>
        Curves.Select(c => (new DensityCurve(c.Label, Quality, c.Mean, c.Low, c.High, c.Units), Enum.Parse<Condition>(c.Condition, ignoreCase: true), c.Sampled)).ToList();

    /// <summary>The first non-sampled curve of <paramref name="condition"/>, or an error naming what there is.</summary>
    public (Condition Condition, DensityCurve Curve) Get(Condition condition, string notebook)
    {
        var name = condition.ToString().ToLowerInvariant();
        var stored = Curves.FirstOrDefault(c => c.Condition == name && !c.Sampled)
            ?? throw new InvalidDataException($"The results of {notebook} have no '{name}' density curve (they have: {string.Join(", ", Curves.Select(c => c.Condition))}).");
        return (condition, new DensityCurve(stored.Label, Quality, stored.Mean, stored.Low, stored.High, stored.Units));
    }

    /// <summary>Fraction of units with quality ≥ <paramref name="quality"/> on the stored grid (the nearest grid point at or above it).</summary>
    public double FractionAt(Condition condition, double quality)
    {
        Density.CheckQuality(quality, nameof(quality));
        var index = Array.FindIndex(Quality, q => q >= quality - 1e-12);
        var curve = Curves.First(c => c.Condition == condition.ToString().ToLowerInvariant() && !c.Sampled);
        return index < 0 ? 0 : curve.Mean[index];
    }
}
