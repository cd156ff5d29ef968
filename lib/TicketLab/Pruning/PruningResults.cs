namespace TicketLab.Pruning;

/// <summary>The knobs of notebook 03, all in one place.</summary>
/// <param name="Layers">Layer sizes of every pruned and trained net (the baseline's 784-300-100-10).</param>
/// <param name="Seed">Seed of the frozen random nets, the dense reference and the random masks.</param>
/// <param name="TrainPerClass">Training images per class.</param>
/// <param name="KeepFractions">Fractions of the weights edge-popup keeps (the fraction kept, not pruned).</param>
/// <param name="EdgePopupEpochs">Epochs of edge-popup and of the dense reference.</param>
/// <param name="EdgePopupLearningRate">Adam step size of the edge-popup scores.</param>
/// <param name="BatchSize">Batch size of every training in the notebook.</param>
/// <param name="ImpRounds">Rounds of iterative magnitude pruning (20% of each hidden layer, 10% of the output layer per round).</param>
/// <param name="ImpEpochs">Epochs of training per IMP round.</param>
/// <param name="ImpSeeds">Seeds of the IMP runs.</param>
/// <param name="RewindStep">The step IMP rewinds surviving weights to.</param>
/// <param name="DetectorQuality">Quality at which detector densities are compared.</param>
/// <param name="DensityKeepFraction">Keep fraction of the edge-popup net whose hidden units are scored.</param>
/// <param name="EvaluationPerClass">Test images per class on which units are scored.</param>
/// <param name="SubsetSumSizes">How many random values SubsetSum may choose from (one curve point each).</param>
/// <param name="SubsetSumTrials">Random targets per point.</param>
/// <param name="WeightsPerTarget">Random weights per target weight in the weight-pruning construction.</param>
/// <param name="NeuronCounts">Random neurons in the neuron-pruning construction.</param>
/// <param name="SubsetSumSeed">Seed of the SubsetSum targets and values.</param>
/// <param name="StrongLthSeed">Seed of the random weights and neurons of the strong-LTH constructions.</param>
/// <param name="ComparisonSeeds">Seeds of the comparison that judges "pruning is optimization": edge-popup, random features and dense training, one run each per seed.</param>
/// <param name="ComparisonKeepFraction">The keep fraction of that comparison, fixed in advance (signed Kaiming constant weights).</param>
/// <param name="ReadoutLearningRate">Adam step size of the random-features readout (the same as edge-popup's scores).</param>
public sealed record PruningStudyOptions(int[] Layers, long Seed, int TrainPerClass, double[] KeepFractions, int EdgePopupEpochs, double EdgePopupLearningRate,
    int BatchSize, int ImpRounds, int ImpEpochs, long[] ImpSeeds, long RewindStep, double DetectorQuality, double DensityKeepFraction, int EvaluationPerClass,
    int[] SubsetSumSizes, int SubsetSumTrials, int[] WeightsPerTarget, int[] NeuronCounts, int SubsetSumSeed, int StrongLthSeed,
    long[] ComparisonSeeds, double ComparisonKeepFraction, double ReadoutLearningRate);

/// <summary>One edge-popup run in the results file.</summary>
/// <param name="Init">The frozen weights' initialization.</param>
/// <param name="KeepFraction">Fraction of the weights kept.</param>
/// <param name="Accuracy">Test accuracy.</param>
public sealed record EdgePopupRow(string Init, double KeepFraction, double Accuracy);

/// <summary>One IMP level in the results file, averaged over seeds.</summary>
/// <param name="WeightsRemaining">Fraction of the weights left.</param>
/// <param name="Ticket">Test accuracy of the rewound ticket.</param>
/// <param name="Reinit">The same mask, re-initialized (null at the dense level).</param>
/// <param name="RandomMask">A random mask of the same counts (null at the dense level).</param>
/// <param name="Seeds">The seeds averaged.</param>
/// <param name="TicketSeeds">The ticket's accuracy per seed.</param>
/// <param name="ReinitSeeds">The re-initialized control's per seed (empty at the dense level).</param>
/// <param name="RandomMaskSeeds">The random-mask control's per seed (empty at the dense level).</param>
public sealed record ImpRow(double WeightsRemaining, double Ticket, double? Reinit, double? RandomMask, long[] Seeds,
    double[] TicketSeeds, double[] ReinitSeeds, double[] RandomMaskSeeds);

/// <summary>
/// The comparison that judges "pruning is a way of doing optimization", on the same frozen random nets: edge-popup
/// against readout-only training of the same weights (random features) and against dense training, one run of each
/// per seed, with the same data, epochs and batches.
/// </summary>
/// <param name="Init">The frozen weights' initialization.</param>
/// <param name="KeepFraction">Edge-popup's keep fraction.</param>
/// <param name="Seeds">One frozen net (and batch order) per seed.</param>
/// <param name="EdgePopup">Edge-popup's test accuracy per seed.</param>
/// <param name="RandomFeatures">Readout-only training's per seed.</param>
/// <param name="Dense">Dense training's per seed.</param>
/// <param name="TestImages">Test images each accuracy is measured on.</param>
public sealed record OptimizationComparison(string Init, double KeepFraction, long[] Seeds, double[] EdgePopup, double[] RandomFeatures, double[] Dense, int TestImages);

/// <summary>One SubsetSum point.</summary>
/// <param name="N">Random values to choose from.</param>
/// <param name="Error">Mean error of the best subset.</param>
public sealed record SubsetSumRow(int N, double Error);

/// <summary>The results file of notebook 03 (pruning as optimization).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="MaskBits">log2 of the masks that keep half the weights.</param>
/// <param name="NeuronSubsetBits">log2 of the subsets of hidden neurons.</param>
/// <param name="DenseAccuracy">Test accuracy of the dense net trained as long as edge-popup.</param>
/// <param name="RandomMaskAccuracy">Mean test accuracy of random masks of the frozen nets.</param>
/// <param name="EdgePopup">One row per initialization and keep fraction.</param>
/// <param name="Imp">One row per IMP level.</param>
/// <param name="DetectorQuality">The quality of the detector densities below.</param>
/// <param name="InitDetectorDensityAtTrainedQuality">Fraction of the baseline's hidden units at init with at least that quality.</param>
/// <param name="PrunedDetectorDensityAtTrainedQuality">The same after edge-popup.</param>
/// <param name="TrainedDetectorDensityAtTrainedQuality">The same after training.</param>
/// <param name="SubsetSum">The SubsetSum curve.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 04 draws.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The notebook's knobs.</param>
/// <param name="Comparison">Edge-popup against random features and dense training, per seed.</param>
/// <param name="PrunedDetectorDensitySeeds">The pruned-detector density of each comparison seed's edge-popup net.</param>
/// <param name="SubsetSumBitsPerWeightReplicates">The SubsetSum curve's bits per extra weight in bootstrap resamples of its trials.</param>
public sealed record PruningResults(string Profile, double MaskBits, double NeuronSubsetBits, double DenseAccuracy, double RandomMaskAccuracy,
    IReadOnlyList<EdgePopupRow> EdgePopup, IReadOnlyList<ImpRow> Imp, double DetectorQuality, double InitDetectorDensityAtTrainedQuality,
    double PrunedDetectorDensityAtTrainedQuality, double TrainedDetectorDensityAtTrainedQuality, IReadOnlyList<SubsetSumRow> SubsetSum,
    Detectors.StoredDensityCurves HiddenDensity, string Finding, PruningStudyOptions Hyperparameters,
    OptimizationComparison Comparison, double[] PrunedDetectorDensitySeeds, double[] SubsetSumBitsPerWeightReplicates) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "03-pruning-as-optimization";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 3;
}
