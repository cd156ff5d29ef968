using TicketLab.Training;

namespace TicketLab.Detectors;

/// <summary>One class in notebook 01's results: the trained net's best quality and how rare it is among random layer-1 units.</summary>
/// <param name="Class">Class name.</param>
/// <param name="TrainedBestQuality">Best quality of a hidden unit of the trained baseline (5 decimals).</param>
/// <param name="InitDensityAtTrainedQuality">Fraction of random layer-1 units at least that good.</param>
/// <param name="InitDensityLog2">The same in bits (2 decimals).</param>
/// <param name="Method">measured or extrapolated.</param>
/// <param name="BandLog2">90% band in bits, low and high.</param>
public sealed record ClassDensity(string Class, double TrainedBestQuality, double InitDensityAtTrainedQuality, double InitDensityLog2, string Method, double[] BandLog2);

/// <summary>The two-class concept of notebook 01's results.</summary>
/// <param name="Concept">"positive vs negative".</param>
/// <param name="TrainedBestQuality">Best trained quality (5 decimals).</param>
/// <param name="InitDensityLog2">At-init density at that quality, in bits (2 decimals).</param>
/// <param name="Method">measured or extrapolated.</param>
public sealed record ConceptDensity(string Concept, double TrainedBestQuality, double InitDensityLog2, string Method);

/// <summary>The results file of notebook 01 (detector density).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Dataset">The dataset's display name.</param>
/// <param name="UnitsSampled">Random layer-1 units scored.</param>
/// <param name="EvaluationImages">Images every unit was scored on.</param>
/// <param name="Classes">One row per class.</param>
/// <param name="HarderConcept">The two-class concept.</param>
/// <param name="DensityCurves">"quality" (the grid), then each curve's mean density by its label.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 04 draws.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The study's options.</param>
/// <param name="Baseline">The trained baselines' configuration (seed 0; the study's extra seeds change only the seed).</param>
public sealed record DensityResults(string Profile, string Dataset, int UnitsSampled, long EvaluationImages, IReadOnlyList<ClassDensity> Classes,
    ConceptDensity HarderConcept, IReadOnlyDictionary<string, double[]> DensityCurves, StoredDensityCurves HiddenDensity, string Finding,
    DetectorStudyOptions Hyperparameters, BaselineConfig Baseline) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "01-detector-density";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 2;

    /// <summary>Notebook 01's measurements as its results file (rounded as quoted).</summary>
    public static DensityResults Of(Profile profile, string dataset, int unitsSampled, long evaluationImages, IReadOnlyList<ClassDetectorRow> rows,
        IReadOnlyList<TailEstimate> estimates, PairConceptResult pair, double[] grid, IEnumerable<DensityCurve> curves, StoredDensityCurves hidden,
        DetectorStudyOptions options, BaselineConfig baseline)
    {
        var classes = rows.Select((r, c) => new ClassDensity(r.Class, Math.Round(r.TrainedBestQuality, 5), r.InitDensity, Math.Round(r.InitLog2, 2), r.Method,
            [Math.Round(estimates[c].Log2Low, 2), Math.Round(estimates[c].Log2High, 2)])).ToList();
        var densityCurves = new Dictionary<string, double[]> { ["quality"] = grid };
        foreach (var curve in curves) densityCurves[curve.Label] = curve.Mean.Select(v => Math.Round(v, 8)).ToArray();
        var finding = $"Trained detectors reach quality {rows.Min(r => r.TrainedBestQuality):0.000}-{rows.Max(r => r.TrainedBestQuality):0.000}; at initialization that quality has density "
            + $"2^{rows.Max(r => r.InitLog2):0} to 2^{rows.Min(r => r.InitLog2):0} among random first-layer units ({rows.Count(r => r.Method == "extrapolated")} of {rows.Count} classes extrapolated).";
        return new(profile.Name, dataset, unitsSampled, evaluationImages, classes,
            new ConceptDensity(pair.Concept, Math.Round(pair.TrainedBestQuality, 5), Math.Round(pair.InitLog2, 2), pair.Method),
            densityCurves, hidden, finding, options, baseline);
    }
}
