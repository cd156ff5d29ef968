using TicketLab.Detectors;

namespace TicketLab.Ntk;

/// <summary>The knobs of notebook 02.</summary>
/// <param name="TrainPerClass">Training images per class (full-batch gradient descent sees all of them every step); the next as many training images per class are held out to choose the learning rates.</param>
/// <param name="TestPerClass">Test images per class (split in two halves for detector selection and report).</param>
/// <param name="Widths">Hidden widths of the matched 784-n-n-10 sweep.</param>
/// <param name="Seeds">Initialization seeds of every sweep (the single-seed parts use the first).</param>
/// <param name="Steps">Full-batch gradient-descent steps of every run.</param>
/// <param name="LearningRateGrid">The learning rates each regime's rate is chosen from, on the validation images.</param>
/// <param name="SelectionWidth">The hidden width at which the rates are compared (each must also be stable at the sweep's narrowest and widest width).</param>
/// <param name="KernelPoints">Test images on which the empirical NTK and the features are compared.</param>
/// <param name="Alphas">Output scales α of the lazy-training sweep (Chizat et al. 2019).</param>
/// <param name="FixedWidth">Hidden width of the α sweep.</param>
/// <param name="LazyRichLayers">Layer sizes of the lazy-against-rich comparison on the baseline's architecture.</param>
/// <param name="DensityQuality">Quality at which the fraction of detectors before and after training is compared.</param>
/// <param name="NtkBiasStd">σb of every net (under NTK parametrization also the bias multiplier).</param>
/// <param name="KernelWeightVariance">σw² of the analytic NTK and NNGP (2 for the He initialization of ReLU nets).</param>
/// <param name="KernelBiasVariance">σb² of the analytic kernels.</param>
/// <param name="TopPerClass">Near-detectors per class followed through training (the best at init on the selection half).</param>
/// <param name="AblationWidths">Hidden widths of the one-hidden-layer nets of the near-detector ablation.</param>
/// <param name="AblationFractions">Fractions of the width removed (or kept alone) in the ablation.</param>
/// <param name="AblationRidge">Ridge of the ablation's kernel regressions, relative to the kernel's mean diagonal.</param>
/// <param name="TrainedAblationWidth">Width of the ablation run on trained nets.</param>
/// <param name="TrainedAblationFraction">Fraction of the width removed in the trained ablation.</param>
public sealed record NtkStudyOptions(int TrainPerClass, int TestPerClass, int[] Widths, long[] Seeds, int Steps, double[] LearningRateGrid,
    int SelectionWidth, int KernelPoints, double[] Alphas, int FixedWidth, int[] LazyRichLayers, double DensityQuality, double NtkBiasStd,
    double KernelWeightVariance, double KernelBiasVariance, int TopPerClass, int[] AblationWidths, double[] AblationFractions, double AblationRidge,
    int TrainedAblationWidth, double TrainedAblationFraction)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid knob, its value and what is accepted.</summary>
    public NtkStudyOptions Validate()
    {
        static string List<T>(IEnumerable<T> v) => $"[{string.Join(", ", v)}]";
        if (TrainPerClass < 1) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), TrainPerClass, "accepted: 1 or more");
        if (TestPerClass < 2) throw new ArgumentOutOfRangeException(nameof(TestPerClass), TestPerClass, "accepted: 2 or more (two halves)");
        if (Widths.Length < 2 || Widths.Any(w => w < 1) || !Widths.SequenceEqual(Widths.Order().Distinct()))
            throw new ArgumentOutOfRangeException(nameof(Widths), List(Widths), "accepted: two or more increasing widths (a slope needs two)");
        if (Seeds.Length < 1 || Seeds.Distinct().Count() != Seeds.Length) throw new ArgumentOutOfRangeException(nameof(Seeds), List(Seeds), "accepted: one or more distinct seeds");
        if (LearningRateGrid.Length < 1 || LearningRateGrid.Any(r => !(r > 0) || double.IsInfinity(r)) || LearningRateGrid.Distinct().Count() != LearningRateGrid.Length)
            throw new ArgumentOutOfRangeException(nameof(LearningRateGrid), List(LearningRateGrid), "accepted: one or more distinct finite rates > 0");
        if (SelectionWidth < 1) throw new ArgumentOutOfRangeException(nameof(SelectionWidth), SelectionWidth, "accepted: a width of 1 or more");
        if (TopPerClass < 1) throw new ArgumentOutOfRangeException(nameof(TopPerClass), TopPerClass, "accepted: 1 or more");
        if (AblationWidths.Length < 1 || AblationWidths.Any(w => w < 2)) throw new ArgumentOutOfRangeException(nameof(AblationWidths), List(AblationWidths), "accepted: one or more widths of 2 or more");
        if (AblationFractions.Length < 1 || AblationFractions.Any(f => !(f > 0 && f < 1)) || AblationFractions.Distinct().Count() != AblationFractions.Length)
            throw new ArgumentOutOfRangeException(nameof(AblationFractions), List(AblationFractions), "accepted: one or more distinct fractions strictly between 0 and 1");
        if (!(AblationRidge > 0) || double.IsInfinity(AblationRidge)) throw new ArgumentOutOfRangeException(nameof(AblationRidge), AblationRidge, "accepted: a finite ridge > 0");
        if (!(TrainedAblationFraction > 0 && TrainedAblationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(TrainedAblationFraction), TrainedAblationFraction, "accepted: a fraction strictly between 0 and 1");
        return this;
    }
}

/// <summary>Kernel-regression accuracies of the infinite-width kernels.</summary>
/// <param name="Ntk">Test accuracy of NTK regression.</param>
/// <param name="Nngp">Test accuracy of NNGP regression.</param>
public sealed record KernelAccuracy(double Ntk, double Nngp);

/// <summary>The lazy-against-rich comparison on the baseline architecture.</summary>
/// <param name="Architecture">Layer sizes, e.g. "784-300-100-10".</param>
/// <param name="TrainingImages">Training images.</param>
/// <param name="Steps">Full-batch steps.</param>
/// <param name="LazyFeatureChange">Relative feature change under NTK parametrization.</param>
/// <param name="RichFeatureChange">The same under μP.</param>
/// <param name="LazyAccuracy">Test accuracy of the lazy run.</param>
/// <param name="RichAccuracy">Test accuracy of the rich run.</param>
public sealed record LazyRichComparison(string Architecture, int TrainingImages, int Steps, double LazyFeatureChange, double RichFeatureChange,
    double LazyAccuracy, double RichAccuracy);

/// <summary>The results file of notebook 02 (NTK fixed features).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Widths">Widths of the matched sweep.</param>
/// <param name="Seeds">Its seeds.</param>
/// <param name="LearningRates">Each regime's learning rate, as chosen on held-out training images, with every rate tried.</param>
/// <param name="RegimeSweep">Per regime and width, what moved, one value per seed.</param>
/// <param name="Slopes">Exponents against width over seeds, with 90% bands and theory lines.</param>
/// <param name="Tweak">"Slight tweaks": the paired quality change Δq of the best random detectors, per regime and width.</param>
/// <param name="NearDetectorAblation">Removing (or keeping only) the top or random k units: rows of regime, width, k, removed, accuracy change, alignment share, over seeds.</param>
/// <param name="NearDetectorContrast">Top against random, paired per seed and class.</param>
/// <param name="KernelRegressionAccuracy">Infinite-width kernel regression on the same training images.</param>
/// <param name="DensityShiftQuality">The quality of the detector-fraction comparison.</param>
/// <param name="LazyRich">The lazy-against-rich comparison on the baseline architecture.</param>
/// <param name="LazyPairedShift">Its lazy net's hidden units: the paired change of their quality.</param>
/// <param name="RichPairedShift">The same for its rich net.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 05 draws.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The notebook's knobs.</param>
public sealed record NtkResults(string Profile, int[] Widths, long[] Seeds, LearningRateChoice[] LearningRates, RegimePoint[] RegimeSweep, RegimeSlope[] Slopes,
    TweakRow[] Tweak, AblationRow[] NearDetectorAblation, AblationContrast[] NearDetectorContrast, KernelAccuracy KernelRegressionAccuracy,
    double DensityShiftQuality, LazyRichComparison LazyRich, PairedQualityShift LazyPairedShift, PairedQualityShift RichPairedShift,
    StoredDensityCurves HiddenDensity, string Finding, NtkStudyOptions Hyperparameters) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "02-ntk-fixed-features";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 4;
}
