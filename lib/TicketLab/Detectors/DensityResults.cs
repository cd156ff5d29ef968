using TicketLab.Training;

namespace TicketLab.Detectors;

/// <summary>One concept (a class, or the two-class concept) in one hidden layer, as notebook 01's results keep it.</summary>
/// <param name="Class">Class name, or "positive vs negative".</param>
/// <param name="Layer">Hidden layer: trained layer-k units against random layer-k units.</param>
/// <param name="Headline">True for the layer whose trained quality is highest: the one the verdicts use.</param>
/// <param name="TrainedQuality">Median over seeds of each seed's best unit, chosen on half A and scored on half B (4 decimals).</param>
/// <param name="TrainedQualitySeeds">That quality per seed.</param>
/// <param name="TrainedDensityLog2">The trained nets' own density at that quality in that layer, bits.</param>
/// <param name="InitDensityLog2">At-init density of random units of that layer at that quality, bits (mean over estimator runs).</param>
/// <param name="EstimatorSeLog2">Standard error of that from independent runs, bits.</param>
/// <param name="BandLog2">90% band in bits from seeds, evaluation images and estimator together.</param>
/// <param name="BandSourcesLog2">Band width with only seeds, only images, only the estimator varied, bits.</param>
/// <param name="Estimator">"rare-event" or "monte-carlo".</param>
/// <param name="Resolved">False when the density lies beyond what the estimator resolved (then it is at most 2^ReachedLog2).</param>
/// <param name="ProbitLog2">The probit-Gaussian tail's extrapolation at the same quality (layer 1), bits; the cross-check.</param>
/// <param name="ReplicatesLog2">The joint replicates' densities (bits, 2 decimals): notebook 05's robustness.</param>
/// <param name="TrainedQualityReplicates">The joint replicates' trained qualities (4 decimals).</param>
public sealed record ClassDensity(string Class, int Layer, bool Headline, double TrainedQuality, double[] TrainedQualitySeeds, double TrainedDensityLog2,
    double InitDensityLog2, double EstimatorSeLog2, double[] BandLog2, double[] BandSourcesLog2, string Estimator, bool Resolved, double? ProbitLog2,
    double[] ReplicatesLog2, double[] TrainedQualityReplicates);

/// <summary>One row of the estimator check: plain Monte Carlo and the rare-event estimator on the same problem.</summary>
/// <param name="Concept">Class.</param>
/// <param name="Q">Quality.</param>
/// <param name="MonteCarloLog2">Monte Carlo density, bits.</param>
/// <param name="MonteCarloCount">Monte Carlo units at or above q.</param>
/// <param name="RareEventLog2">Rare-event density, bits.</param>
/// <param name="RareEventSeLog2">Its standard error from independent runs, bits.</param>
public sealed record EstimatorValidationRow(string Concept, double Q, double MonteCarloLog2, long MonteCarloCount, double RareEventLog2, double RareEventSeLog2);

/// <summary>The results file of notebook 01 (detector density).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Dataset">The dataset's display name and the copy used.</param>
/// <param name="Seeds">Seeds of the trained baselines.</param>
/// <param name="Selection">"held-out": best unit chosen on half A of the test images, reported on half B.</param>
/// <param name="EvaluationImages">Test images in the two halves together.</param>
/// <param name="Classes">One row per class and hidden layer, then the two-class concept's.</param>
/// <param name="EstimatorValidation">Monte Carlo against the rare-event estimator where both reach.</param>
/// <param name="ValidationUnits">Monte Carlo units of that check.</param>
/// <param name="ValidationImages">Evaluation images of that check.</param>
/// <param name="ReachedLog2">The smallest density the estimator resolved (largest over concepts and layers), bits.</param>
/// <param name="SecondsPerConcept">Estimator seconds per concept and layer, all runs (median).</param>
/// <param name="DensityCurves">"quality" (the grid), then each curve's mean density by its label.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 05 draws.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The study's options.</param>
/// <param name="Baseline">The trained baselines' configuration (seed 0; the other seeds change only the seed).</param>
public sealed record DensityResults(string Profile, string Dataset, long[] Seeds, string Selection, long EvaluationImages, IReadOnlyList<ClassDensity> Classes,
    IReadOnlyList<EstimatorValidationRow> EstimatorValidation, long ValidationUnits, long ValidationImages, double ReachedLog2, double SecondsPerConcept,
    IReadOnlyDictionary<string, double[]> DensityCurves, StoredDensityCurves HiddenDensity, string Finding,
    DetectorStudyOptions Hyperparameters, BaselineConfig Baseline) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "01-detector-density";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 3;

    /// <summary>The class-vs-rest rows of the headline layer (the one the verdicts use), in class order.</summary>
    public IReadOnlyList<ClassDensity> HeadlineClasses => Classes.Where(c => c.Headline && !c.Class.Contains(" vs ", StringComparison.Ordinal)).ToList();

    /// <summary>The two-class concept's headline row.</summary>
    public ClassDensity? HarderConcept => Classes.FirstOrDefault(c => c.Headline && c.Class.Contains(" vs ", StringComparison.Ordinal));

    /// <summary>A results row of a measured concept and layer (rounded as quoted); <paramref name="headline"/> marks the verdicts' layer.</summary>
    public static ClassDensity Row(LayerDensity row, bool headline, double? probitLog2) =>
        new(row.Concept, row.Layer, headline, Math.Round(row.TrainedQuality, 4), row.TrainedQualitySeeds.Select(v => Math.Round(v, 4)).ToArray(),
            Math.Round(row.TrainedDensityLog2, 2), Math.Round(row.InitDensityLog2, 2), Math.Round(row.EstimatorSeLog2, 2),
            row.BandLog2.Select(v => Math.Round(v, 2)).ToArray(), row.BandSourcesLog2.Select(v => Math.Round(v, 2)).ToArray(), row.Estimator, row.Resolved,
            probitLog2 is { } p ? Math.Round(p, 2) : null, row.ReplicatesLog2.Select(v => Math.Round(v, 2)).ToArray(),
            row.TrainedQualityReplicates.Select(v => Math.Round(v, 4)).ToArray());

    /// <summary>Notebook 01's measurements as its results file (rounded as quoted).</summary>
    public static DensityResults Of(Profile profile, string dataset, long[] seeds, long evaluationImages, IReadOnlyList<ClassDensity> rows,
        IReadOnlyList<EstimatorCheck> checks, long validationUnits, long validationImages, IReadOnlyList<ConceptMeasurement> measured, double[] grid,
        IEnumerable<DensityCurve> curves, StoredDensityCurves hidden, DetectorStudyOptions options, BaselineConfig baseline)
    {
        var densityCurves = new Dictionary<string, double[]> { ["quality"] = grid };
        foreach (var curve in curves) densityCurves[curve.Label] = curve.Mean.Select(v => Math.Round(v, 8)).ToArray();
        var validation = checks.Select(c => new EstimatorValidationRow(c.Concept, c.Q, Math.Round(c.MonteCarloLog2, 2), c.MonteCarloCount,
            Math.Round(c.RareEventLog2, 2), Math.Round(c.RareEventSeLog2, 2))).ToList();
        var all = measured.SelectMany(m => m.Curves).ToList();
        var seconds = RobustDensity.Median(all.Select(c => c.Seconds).ToArray());
        var headline = rows.Where(r => r.Headline && !r.Class.Contains(" vs ", StringComparison.Ordinal)).ToList();
        return new(profile.Name, dataset, seeds, "held-out", evaluationImages, rows, validation, validationUnits, validationImages,
            Math.Round(all.Max(c => c.ReachedLog2), 2), Math.Round(seconds, 1), densityCurves, hidden, FindingOf(headline, seeds.Length), options, baseline);
    }

    /// <summary>The headline sentence from the headline rows.</summary>
    public static string FindingOf(IReadOnlyList<ClassDensity> headline, int seeds)
    {
        var log2 = headline.Select(c => c.InitDensityLog2).ToList();
        var layers = headline.GroupBy(c => c.Layer).OrderBy(g => g.Key).Select(g => $"{g.Count()} in layer {g.Key}");
        return $"Over {seeds} seeds, trained detectors chosen on one half of the test set reach quality {headline.Min(c => c.TrainedQuality):0.00}-{headline.Max(c => c.TrainedQuality):0.00} on the other "
            + $"(best layer: {string.Join(", ", layers)}); random units of the same layer are that good with density 2^{log2.Max():0} to 2^{log2.Min():0} "
            + $"(rare-event estimator, resolved to 2^-60; {headline.Count(c => c.Resolved)} of {headline.Count} classes resolved).";
    }
}
