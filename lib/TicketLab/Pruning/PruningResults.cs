namespace TicketLab.Pruning;

/// <summary>The knobs of notebook 03, all in one place.</summary>
/// <param name="Layers">Layer sizes of every pruned and trained net of the sweep (the baseline's 784-300-100-10).</param>
/// <param name="TrainPerClass">Training images per class.</param>
/// <param name="ValidationPerClass">Further training images per class, held out: step sizes and IMP levels are chosen on them.</param>
/// <param name="Seeds">Seeds of the sweep: one frozen random net (<see cref="EdgePopupMlp.Draw"/>) and batch order each, shared by every method.</param>
/// <param name="KeepFractions">Fractions of the weights (edge-popup) or of the hidden neurons (neuron subset) KEPT.</param>
/// <param name="Epochs">Epochs of every training of the sweep: the matched budget.</param>
/// <param name="BatchSize">Batch size of every training in the notebook.</param>
/// <param name="Momentum">SGD momentum of the sweep's recipe (Ramanujan et al. 2020: 0.9).</param>
/// <param name="WeightDecay">Weight decay of the sweep's recipe (theirs: 1e-4).</param>
/// <param name="LearningRateGrid">Step sizes tried per method; each method gets the best on the held-out images.</param>
/// <param name="SelectionKeepFraction">Keep fraction at which the step sizes are chosen (seed Seeds[0]).</param>
/// <param name="ComparisonKeepFraction">Edge-popup's keep fraction in claim 8's comparison, fixed in advance.</param>
/// <param name="YieldWidths">Hidden widths of the 784-n-10 nets of "pruned to yield".</param>
/// <param name="YieldSeeds">Seeds of those nets.</param>
/// <param name="HalfPerClass">Test images per class in each half (select on A, report on B), as notebook 01.</param>
/// <param name="DetectorQuality">Quality at which units count as detectors for the density and the ablation.</param>
/// <param name="EvaluationPerClass">Test images per class on which units are scored for the density and the ablation.</param>
/// <param name="AblationDraws">Random draws of as many non-detector units, for the ablation's control.</param>
/// <param name="ImpRounds">Rounds of iterative magnitude pruning (20% of each hidden layer, 10% of the output layer per round).</param>
/// <param name="ImpEpochs">Epochs of training per IMP round.</param>
/// <param name="ImpSeeds">Seeds of the IMP runs.</param>
/// <param name="RewindStep">The step IMP rewinds surviving weights to.</param>
/// <param name="SubsetSumSizes">How many random values SubsetSum may choose from (one curve point each).</param>
/// <param name="SubsetSumTrials">Random targets per point.</param>
/// <param name="SubsetSumSeed">Seed of the SubsetSum targets and values.</param>
/// <param name="WeightsPerTarget">Random weights per target weight in the single-neuron weight-pruning illustration.</param>
/// <param name="NeuronCounts">Random neurons in the single-neuron neuron-pruning illustration.</param>
/// <param name="StrongLthSeed">Seed of the random weights of the strong-LTH constructions.</param>
/// <param name="Overparameterizations">Random units per input (n) with which every layer of the trained baseline is approximated by pruning alone.</param>
public sealed record PruningStudyOptions(int[] Layers, int TrainPerClass, int ValidationPerClass, long[] Seeds, double[] KeepFractions, int Epochs, int BatchSize,
    double Momentum, double WeightDecay, double[] LearningRateGrid, double SelectionKeepFraction, double ComparisonKeepFraction, int[] YieldWidths, long[] YieldSeeds,
    int HalfPerClass, double DetectorQuality, int EvaluationPerClass, int AblationDraws, int ImpRounds, int ImpEpochs, long[] ImpSeeds, long RewindStep,
    int[] SubsetSumSizes, int SubsetSumTrials, int SubsetSumSeed, int[] WeightsPerTarget, int[] NeuronCounts, int StrongLthSeed, int[] Overparameterizations)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field, its value and what is accepted.</summary>
    public PruningStudyOptions Validate()
    {
        static string List<T>(T[]? values) => values is null ? "null" : $"[{string.Join(", ", values)}]";
        if (Layers is null || Layers.Length < 3 || Layers.Any(l => l < 1)) throw new ArgumentOutOfRangeException(nameof(Layers), List(Layers), "accepted: input, one hidden layer or more, output; each at least 1");
        if (TrainPerClass < 1) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), TrainPerClass, "accepted: 1 or more");
        if (ValidationPerClass < 1) throw new ArgumentOutOfRangeException(nameof(ValidationPerClass), ValidationPerClass, "accepted: 1 or more");
        if (Seeds is null || Seeds.Length == 0 || Seeds.Distinct().Count() != Seeds.Length) throw new ArgumentOutOfRangeException(nameof(Seeds), List(Seeds), "accepted: one distinct seed or more");
        if (KeepFractions is null || KeepFractions.Length == 0 || KeepFractions.Any(k => !(k > 0 && k <= 1)) || KeepFractions.Distinct().Count() != KeepFractions.Length)
            throw new ArgumentOutOfRangeException(nameof(KeepFractions), List(KeepFractions), "accepted: distinct fractions KEPT, each in (0, 1]");
        if (!KeepFractions.Contains(SelectionKeepFraction)) throw new ArgumentOutOfRangeException(nameof(SelectionKeepFraction), SelectionKeepFraction, $"accepted: one of KeepFractions {List(KeepFractions)}");
        if (!KeepFractions.Contains(ComparisonKeepFraction)) throw new ArgumentOutOfRangeException(nameof(ComparisonKeepFraction), ComparisonKeepFraction, $"accepted: one of KeepFractions {List(KeepFractions)}");
        if (Epochs is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "accepted: 1 to 1000");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "accepted: 1 or more");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "accepted: 0 <= momentum < 1");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "accepted: a finite number >= 0");
        if (LearningRateGrid is null || LearningRateGrid.Length == 0 || LearningRateGrid.Any(r => !(r > 0 && r <= 100)) || LearningRateGrid.Distinct().Count() != LearningRateGrid.Length)
            throw new ArgumentOutOfRangeException(nameof(LearningRateGrid), List(LearningRateGrid), "accepted: distinct rates, each > 0 and <= 100");
        if (YieldWidths is null || YieldWidths.Length == 0 || YieldWidths.Any(w => w < 1) || YieldWidths.Distinct().Count() != YieldWidths.Length) throw new ArgumentOutOfRangeException(nameof(YieldWidths), List(YieldWidths), "accepted: one distinct width or more, each at least 1");
        if (YieldSeeds is null || YieldSeeds.Length == 0 || YieldSeeds.Distinct().Count() != YieldSeeds.Length) throw new ArgumentOutOfRangeException(nameof(YieldSeeds), List(YieldSeeds), "accepted: one distinct seed or more");
        if (HalfPerClass < 1) throw new ArgumentOutOfRangeException(nameof(HalfPerClass), HalfPerClass, "accepted: 1 or more");
        if (!(DetectorQuality > 0.5 && DetectorQuality <= 1)) throw new ArgumentOutOfRangeException(nameof(DetectorQuality), DetectorQuality, "accepted: in (0.5, 1]");
        if (EvaluationPerClass < 1) throw new ArgumentOutOfRangeException(nameof(EvaluationPerClass), EvaluationPerClass, "accepted: 1 or more");
        if (AblationDraws < 1) throw new ArgumentOutOfRangeException(nameof(AblationDraws), AblationDraws, "accepted: 1 or more");
        if (ImpSeeds is null || ImpSeeds.Length == 0 || ImpSeeds.Distinct().Count() != ImpSeeds.Length) throw new ArgumentOutOfRangeException(nameof(ImpSeeds), List(ImpSeeds), "accepted: one distinct seed or more");
        if (Overparameterizations is null || Overparameterizations.Length == 0 || Overparameterizations.Any(n => n is < 2 or > 44))
            throw new ArgumentOutOfRangeException(nameof(Overparameterizations), List(Overparameterizations), "accepted: one factor or more, each 2 to 44");
        return this;
    }
}

/// <summary>One IMP level in the results file, averaged over seeds.</summary>
/// <param name="WeightsRemaining">Fraction of the weights left.</param>
/// <param name="Ticket">Test accuracy of the rewound ticket.</param>
/// <param name="Reinit">The same mask, re-initialized (null at the dense level).</param>
/// <param name="RandomMask">A random mask of the same counts (null at the dense level).</param>
/// <param name="Seeds">The seeds averaged.</param>
/// <param name="TicketSeeds">The ticket's accuracy per seed.</param>
/// <param name="ReinitSeeds">The re-initialized control's per seed (empty at the dense level).</param>
/// <param name="RandomMaskSeeds">The random-mask control's per seed (empty at the dense level).</param>
/// <param name="TicketValidationSeeds">The ticket's accuracy on the held-out training images per seed: the level is chosen on these.</param>
public sealed record ImpRow(double WeightsRemaining, double Ticket, double? Reinit, double? RandomMask, long[] Seeds,
    double[] TicketSeeds, double[] ReinitSeeds, double[] RandomMaskSeeds, double[] TicketValidationSeeds);

/// <summary>
/// The comparison that judges "pruning is a way of doing optimization", on the same frozen random nets (one per seed):
/// edge-popup at a keep fraction fixed in advance, against readout-only training of the same weights (random features),
/// neuron-subset selection plus readout (at its keep fraction with the best mean validation accuracy), and dense
/// training, all with one recipe and budget.
/// </summary>
/// <param name="Init">The frozen weights' initialization.</param>
/// <param name="KeepFraction">Edge-popup's keep fraction.</param>
/// <param name="Seeds">One frozen net (and batch order) per seed.</param>
/// <param name="EdgePopup">Edge-popup's test accuracy per seed.</param>
/// <param name="RandomFeatures">Readout-only training's per seed.</param>
/// <param name="NeuronSubset">Neuron-subset selection's per seed, at <paramref name="NeuronSubsetKeepFraction"/>.</param>
/// <param name="NeuronSubsetKeepFraction">The neuron subset's keep fraction, chosen on the held-out images.</param>
/// <param name="Dense">Dense training's per seed.</param>
/// <param name="TestImages">Test images each accuracy is measured on.</param>
public sealed record OptimizationComparison(string Init, double KeepFraction, long[] Seeds, double[] EdgePopup, double[] RandomFeatures, double[] NeuronSubset,
    double NeuronSubsetKeepFraction, double[] Dense, int TestImages);

/// <summary>One SubsetSum point.</summary>
/// <param name="N">Random values to choose from.</param>
/// <param name="Error">Mean error of the best subset.</param>
public sealed record SubsetSumRow(int N, double Error);

/// <summary>The results file of notebook 03 (pruning as optimization).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="MaskBits">log2 of the masks that keep half the weights.</param>
/// <param name="NeuronSubsetBits">log2 of the subsets of hidden neurons.</param>
/// <param name="Recipe">The sweep's training recipe, in words (the same for every method).</param>
/// <param name="TestImages">Test images of every accuracy.</param>
/// <param name="LearningRates">Each method's step size and every rate tried on the held-out images.</param>
/// <param name="EdgePopup">Edge-popup rows: per initialization and keep fraction, over seeds.</param>
/// <param name="RandomFeatures">Readout-only training of the same frozen nets.</param>
/// <param name="NeuronSubset">Neuron-subset selection plus readout, per keep fraction.</param>
/// <param name="Dense">Dense training of the architecture.</param>
/// <param name="Comparison">Claim 8's comparison, per seed.</param>
/// <param name="PruneToYield">Per class and width: edge-popup's held-out best unit against the probability that a random layer contains one of trained quality.</param>
/// <param name="PruneToYieldWidths">Per class: the width at which pruning yields such a unit against the width at which one exists with probability 1/2.</param>
/// <param name="DetectorQuality">Quality at which units count as detectors.</param>
/// <param name="InitDetectorDensityAtTrainedQuality">Fraction of the baseline's hidden units at init with at least that quality.</param>
/// <param name="DetectorUsefulness">Per net and seed: detectors, ablation against as many random units, and a linear probe.</param>
/// <param name="Imp">One row per IMP level.</param>
/// <param name="StrongLth">The trained baseline approximated by pruning alone, per overparameterization factor.</param>
/// <param name="SubsetSum">The SubsetSum curve.</param>
/// <param name="SubsetSumBitsPerWeightReplicates">The SubsetSum curve's bits per extra weight in bootstrap resamples of its trials.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 05 draws.</param>
/// <param name="DensitySource">Which notebook 01 results the trained qualities and at-init densities come from (profile and dataset).</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The notebook's knobs.</param>
public sealed record PruningResults(string Profile, double MaskBits, double NeuronSubsetBits, string Recipe, int TestImages, IReadOnlyList<RateChoice> LearningRates,
    IReadOnlyList<SweepRow> EdgePopup, IReadOnlyList<SweepRow> RandomFeatures, IReadOnlyList<SweepRow> NeuronSubset, IReadOnlyList<SweepRow> Dense,
    OptimizationComparison Comparison, IReadOnlyList<YieldRow> PruneToYield, IReadOnlyList<YieldWidth> PruneToYieldWidths, double DetectorQuality,
    double InitDetectorDensityAtTrainedQuality, IReadOnlyList<UsefulnessRow> DetectorUsefulness, IReadOnlyList<ImpRow> Imp, IReadOnlyList<StrongLthRow> StrongLth,
    IReadOnlyList<SubsetSumRow> SubsetSum, double[] SubsetSumBitsPerWeightReplicates, Detectors.StoredDensityCurves HiddenDensity, string DensitySource,
    string Finding, PruningStudyOptions Hyperparameters) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "03-pruning-as-optimization";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 4;
}
