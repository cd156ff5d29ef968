using TicketLab.Detectors;

namespace TicketLab.Verdict;

/// <summary>One condition's detector density read at three qualities.</summary>
/// <param name="Condition">init, trained, lazy, rich or pruned.</param>
/// <param name="Curve">Which units (the stored label).</param>
/// <param name="Sampled">Sampled random units rather than a net's own.</param>
/// <param name="AtQ0_8">Fraction of units with quality ≥ 0.8.</param>
/// <param name="AtQ0_9">Fraction with quality ≥ 0.9.</param>
/// <param name="AtQ0_95">Fraction with quality ≥ 0.95.</param>
public sealed record DensityRow(string Condition, string Curve, bool Sampled, double AtQ0_8, double AtQ0_9, double AtQ0_95);

/// <summary>Notebook 05's figure: the stored density curves of notebooks 01-03 on one plot.</summary>
public static class VerdictFigure
{
    /// <summary>Throws unless every stored set is of the same architecture, on the same number of evaluation images and the same grid.</summary>
    public static void Check(IReadOnlyList<StoredDensityCurves> stored)
    {
        if (stored.Count == 0) throw new ArgumentException("no stored density curves were given.", nameof(stored));
        var first = stored[0];
        foreach (var s in stored.Skip(1))
        {
            if (s.Architecture != first.Architecture)
                throw new InvalidDataException($"density curves of different architectures ({first.Architecture} and {s.Architecture}) cannot share one plot; rerun notebooks 01-03 with the current library.");
            if (s.EvaluationImages != first.EvaluationImages)
                throw new InvalidDataException($"density curves measured on {first.EvaluationImages} and {s.EvaluationImages} evaluation images cannot share one plot; rerun notebooks 01-03 in the same profile.");
            if (!s.Quality.SequenceEqual(first.Quality))
                throw new InvalidDataException("density curves on different quality grids cannot share one plot; rerun notebooks 01-03 with the current library.");
        }
    }

    /// <summary>All curves, in the order init, trained, lazy, rich, pruned (sampled curves dashed).</summary>
    public static IReadOnlyList<(DensityCurve Curve, Condition Condition, bool Dashed)> Curves(IReadOnlyList<StoredDensityCurves> stored) =>
        stored.SelectMany(s => s.All()).OrderBy(c => c.Condition).ThenBy(c => c.Dashed).ToList();

    /// <summary>Every curve read at q = 0.8, 0.9 and 0.95 (the first grid point at or above each).</summary>
    public static IReadOnlyList<DensityRow> Fractions(IReadOnlyList<StoredDensityCurves> stored) =>
        stored.SelectMany(s => s.Curves.Select(c => new DensityRow(c.Condition, c.Label, c.Sampled,
                At(s.Quality, c.Mean, 0.8), At(s.Quality, c.Mean, 0.9), At(s.Quality, c.Mean, 0.95))))
            .OrderBy(r => Enum.Parse<Condition>(r.Condition, ignoreCase: true)).ThenBy(r => r.Sampled).ToList();

    static double At(double[] grid, double[] mean, double q)
    {
        var index = Array.FindIndex(grid, g => g >= q - 1e-12);
        return index < 0 ? 0 : Math.Round(mean[index], 6);
    }
}
