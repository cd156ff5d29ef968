using TicketLab.Detectors;

namespace TicketLab.Ntk;

/// <summary>The knobs of notebook 02.</summary>
/// <param name="TrainPerClass">Training images per class (full-batch gradient descent sees all of them every step).</param>
/// <param name="TestPerClass">Test images per class.</param>
/// <param name="Widths">Hidden widths of the NTK-parametrized 784-w-w-10 nets of the width sweep.</param>
/// <param name="Steps">Full-batch gradient-descent steps of every run.</param>
/// <param name="LearningRate">Step size of the NTK-parametrized runs.</param>
/// <param name="KernelPoints">Test images on which the empirical NTK and the features are compared.</param>
/// <param name="Alphas">Output scales α of the lazy-training sweep (Chizat et al. 2019).</param>
/// <param name="FixedWidth">Hidden width of the α sweep.</param>
/// <param name="LazyRichLayers">Layer sizes of the lazy-against-rich comparison (the baseline's architecture).</param>
/// <param name="MuPLearningRate">Step size of the mean-field / μP run.</param>
/// <param name="DensityQuality">Quality at which the fraction of detectors before and after training is compared.</param>
/// <param name="NtkBiasStd">σb of the NTK-parametrized nets (also their bias multiplier).</param>
/// <param name="Seed">Seed of every net's initialization.</param>
/// <param name="KernelWeightVariance">σw² of the analytic NTK and NNGP (2 for the He initialization of ReLU nets).</param>
/// <param name="KernelBiasVariance">σb² of the analytic kernels (the NTK nets' σb = 0.1, squared).</param>
public sealed record NtkStudyOptions(int TrainPerClass, int TestPerClass, int[] Widths, int Steps, double LearningRate, int KernelPoints, double[] Alphas,
    int FixedWidth, int[] LazyRichLayers, double MuPLearningRate, double DensityQuality, double NtkBiasStd, long Seed, double KernelWeightVariance,
    double KernelBiasVariance);

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
/// <param name="Widths">Widths of the sweep.</param>
/// <param name="WeightChange">Relative weight change per width.</param>
/// <param name="FeatureChange">Relative feature change per width.</param>
/// <param name="KernelChange">Relative NTK change per width.</param>
/// <param name="LinearizationRmse">Net minus its linearization, RMS, per width.</param>
/// <param name="NtkRelativeError">Empirical against analytic NTK at init, per width.</param>
/// <param name="TestAccuracy">Test accuracy per width.</param>
/// <param name="WeightChangeSlope">Log-log slope of the pooled weight change against width (between the layers' own exponents: it mixes −1/2 and −1).</param>
/// <param name="FeatureChangeSlope">Log-log slope of the feature change against width.</param>
/// <param name="KernelRegressionAccuracy">Infinite-width kernel regression.</param>
/// <param name="DensityShiftQuality">The quality of the detector-fraction comparison.</param>
/// <param name="LazyDensityShift">Change of the fraction of detectors at that quality under lazy training.</param>
/// <param name="RichDensityShift">The same under rich training.</param>
/// <param name="LazyDensityDistance">Largest vertical distance between the density curves before and after lazy training.</param>
/// <param name="RichDensityDistance">The same for rich training.</param>
/// <param name="DensityDistanceCritical">The distance two samples of that many units exceed by chance 5% of the time.</param>
/// <param name="LazyRich">The lazy-against-rich comparison.</param>
/// <param name="HiddenDensity">The hidden-unit curves notebook 04 draws.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The notebook's knobs.</param>
/// <param name="LayerWeightChange">Per weight matrix (input layer first), the relative weight change per width.</param>
/// <param name="LayerWeightChangeSlopes">Per weight matrix, the log-log slope against width.</param>
/// <param name="LayerWeightChangeTheory">Per weight matrix, the exponent NTK theory gives (−1/2 for input and readout, −1 for n×n hidden matrices).</param>
public sealed record NtkResults(string Profile, int[] Widths, double[] WeightChange, double[] FeatureChange, double[] KernelChange, double[] LinearizationRmse,
    double[] NtkRelativeError, double[] TestAccuracy, double WeightChangeSlope, double FeatureChangeSlope, KernelAccuracy KernelRegressionAccuracy,
    double DensityShiftQuality, double LazyDensityShift, double RichDensityShift, double LazyDensityDistance, double RichDensityDistance,
    double DensityDistanceCritical, LazyRichComparison LazyRich, StoredDensityCurves HiddenDensity, string Finding, NtkStudyOptions Hyperparameters,
    double[][] LayerWeightChange, double[] LayerWeightChangeSlopes, double[] LayerWeightChangeTheory) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "02-ntk-fixed-features";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 3;
}
