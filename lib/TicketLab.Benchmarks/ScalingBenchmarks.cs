using BenchmarkDotNet.Attributes;
using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Ntk;
using TicketLab.Pruning;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Benchmarks;

/// <summary>A cost the scaling benchmarks time at several sizes, so its growth can be fitted and a bigger run predicted.</summary>
/// <param name="Key">The key in benchmarks.json and the bench table.</param>
/// <param name="Method">The benchmark method that times it (its name is unique among the scaling benchmarks).</param>
/// <param name="Cost">What is timed, for the README.</param>
/// <param name="Size">What the size counts.</param>
/// <param name="Sizes">The sizes timed, increasing.</param>
/// <param name="PredictAt">A bigger size whose time the README predicts.</param>
public sealed record ScalingCost(string Key, string Method, string Cost, string Size, int[] Sizes, int PredictAt);

/// <summary>One cost measured at its sizes (median seconds of a call at each), with the power law fitted to them.</summary>
/// <param name="Key">The cost's key.</param>
/// <param name="Cost">What is timed.</param>
/// <param name="Size">What the size counts.</param>
/// <param name="Sizes">The sizes timed.</param>
/// <param name="Seconds">Median seconds at each size.</param>
/// <param name="Exponent">The fitted exponent b of seconds ≈ c·size^b.</param>
/// <param name="ExponentBand">Its 90% band from the residuals of the fit (Student t).</param>
/// <param name="PredictAt">A bigger size.</param>
/// <param name="PredictedSeconds">Seconds predicted there from the largest size: seconds[^1]·(predict_at/sizes[^1])^b.</param>
/// <param name="PredictedBand">The same with both ends of the exponent's band.</param>
public sealed record ScalingResult(string Key, string Cost, string Size, int[] Sizes, double[] Seconds, double Exponent, double[] ExponentBand,
    int PredictAt, double PredictedSeconds, double[] PredictedBand)
{
    /// <summary>Fits the power law to <paramref name="seconds"/> (one per size of <paramref name="cost"/>) and predicts its bigger size.</summary>
    public static ScalingResult Of(ScalingCost cost, IReadOnlyList<double> seconds)
    {
        var sizes = cost.Sizes.Select(s => (double)s).ToArray();
        var law = Fit.PowerLaw(sizes, seconds);
        var (predicted, low, high) = law.Scale(sizes[^1], seconds[^1], cost.PredictAt);
        return new(cost.Key, cost.Cost, cost.Size, cost.Sizes, seconds.ToArray(), law.Exponent, [law.Low, law.High], cost.PredictAt, predicted, [low, high]);
    }

    /// <summary>The same numbers rounded for the results file: seconds to 3 significant digits, exponents to 3 decimals.</summary>
    public ScalingResult Rounded() => this with
    {
        Seconds = Seconds.Select(Significant).ToArray(),
        Exponent = Math.Round(Exponent, 3),
        ExponentBand = ExponentBand.Select(b => Math.Round(b, 3)).ToArray(),
        PredictedSeconds = Significant(PredictedSeconds),
        PredictedBand = PredictedBand.Select(Significant).ToArray(),
    };

    static double Significant(double value) =>
        value == 0 || !double.IsFinite(value) ? value : Math.Round(value, Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15));
}

/// <summary>
/// The suite's main costs against their size, each timed at 4 sizes by BenchmarkDotNet (one warm-up call, then the
/// median of at most <see cref="MaxRounds"/> calls, so the lot takes about a minute and a half on 2 cores) by a
/// <see cref="ScalingBenchmark"/> each: the detector sampler against units, the layer-wise empirical NTK against inputs,
/// notebook 02's analytic kernel regression against training images, and trainings side by side against their number.
/// </summary>
public static class Scaling
{
    /// <summary>Measured calls per size at the most (fewer when the bench runs fewer rounds).</summary>
    public const int MaxRounds = 3;

    /// <summary>Random layer-1 units scored on notebook 01's 2,000 evaluation images.</summary>
    public static readonly ScalingCost Sampler = new("sampler_units", nameof(SamplerScaling.Sample),
        "detector sampler: random layer-1 units scored (exact AUC per class) on 2,000 images", "units", [4_096, 8_192, 16_384, 32_768], 1_000_000);

    /// <summary>The layer-wise empirical NTK of a 784-512-10 net on N inputs (an N x N kernel).</summary>
    public static readonly ScalingCost Ntk = new("ntk_inputs", nameof(NtkScaling.Kernel),
        $"layer-wise empirical NTK of 784-{NtkBenchmarks.Width}-10 (an N x N kernel)", "inputs", [250, 500, 1_000, 2_000], 10_000);

    /// <summary>Notebook 02's kernel regression: analytic NTK and NNGP of a 3-layer ReLU net, two Cholesky solves, 1,000 test images.</summary>
    public static readonly ScalingCost KernelRegression = new("kernel_regression_training_size", nameof(KernelRegressionScaling.Regression),
        "analytic kernel regression (notebook 02): 3-layer ReLU NTK and NNGP kernels, two Cholesky solves, 1,000 test images", "training images",
        [500, 1_000, 1_500, 2_000], 10_000);

    /// <summary>Copies of one small training run at once, each on its own core and one LibTorch thread, as the suite trains seeds.</summary>
    public static readonly ScalingCost SideBySide = new("trainings_side_by_side", nameof(SideBySideScaling.Trainings),
        $"trainings side by side (wall time): each one Adam epoch of 784-300-100-10 on {SideBySideScaling.TrainPerClass * 10:N0} images, batch 128, on one LibTorch thread",
        "trainings", [1, 2, 4, 8], 16);

    /// <summary>Every cost, in the order of the tables.</summary>
    public static IReadOnlyList<ScalingCost> All => [Sampler, Ntk, KernelRegression, SideBySide];
}

/// <summary>A scaling benchmark: BenchmarkDotNet runs it once per size of its <see cref="Cost"/>.</summary>
public abstract class ScalingBenchmark
{
    /// <summary>The cost this class times.</summary>
    public abstract ScalingCost Cost { get; }

    /// <summary>The size of this case (units, inputs, training images or trainings).</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The cost's sizes, for BenchmarkDotNet.</summary>
    public IEnumerable<int> Sizes => Cost.Sizes;
}

/// <summary>The detector sampler of notebook 01 at <see cref="Scaling.Sampler"/>'s numbers of units.</summary>
public class SamplerScaling : ScalingBenchmark
{
    EvaluationSet eval = null!;

    /// <inheritdoc/>
    public override ScalingCost Cost => Scaling.Sampler;

    /// <summary>Loads the 2,000 evaluation images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        eval = EvaluationSet.FromTest(Datasets.Load(new DataOptions(TestPerClass: SamplerBenchmarks.PerClass)), SamplerBenchmarks.PerClass);
    }

    /// <summary>Samples and scores <see cref="ScalingBenchmark.Size"/> random layer-1 units.</summary>
    [Benchmark]
    public UnitScores Sample() => RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, eval.Classes, new SamplerOptions(Units: Size, Seed: 1)).Scores;

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup() => eval.Dispose();
}

/// <summary>The layer-wise empirical NTK of notebook 02 at <see cref="Scaling.Ntk"/>'s numbers of inputs.</summary>
public class NtkScaling : ScalingBenchmark
{
    Mlp net = null!;
    Tensor x = null!;

    /// <inheritdoc/>
    public override ScalingCost Cost => Scaling.Ntk;

    /// <summary>Takes the first training images of the embedded subset (5,000 of them) and builds the net.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(Source: DataSource.Embedded));
        x = data.Train.Take(Size).ImagesTensor(data.PixelMean, data.PixelStd);
        net = new Mlp(new MlpOptions([784, NtkBenchmarks.Width, 10], Parametrization.Ntk, BiasStd: 0.1), seed: 0);
    }

    /// <summary>The N x N kernel.</summary>
    [Benchmark]
    public void Kernel() => EmpiricalNtk.Fast(net, x).Dispose();

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        net.Dispose();
        x.Dispose();
    }
}

/// <summary>Notebook 02's analytic kernel regression at <see cref="Scaling.KernelRegression"/>'s training sizes.</summary>
public class KernelRegressionScaling : ScalingBenchmark
{
    TensorData tensors = null!;

    /// <inheritdoc/>
    public override ScalingCost Cost => Scaling.KernelRegression;

    /// <summary>Loads the training images and 1,000 test images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        tensors = new TensorData(Datasets.Load(new DataOptions(TrainPerClass: Size / 10, TestPerClass: 100)));
    }

    /// <summary>Kernels, solves and accuracies, as notebook 02 calls them (σw² 2, σb² 0.01).</summary>
    [Benchmark]
    public (double Ntk, double Nngp) Regression() => LazyRichStudy.KernelRegressionAccuracy(tensors, layers: 3, weightVariance: 2.0, biasVariance: 0.01);

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup() => tensors.Dispose();
}

/// <summary>Several copies of one small training run at once (<see cref="PruningSweep.Run{T}"/>, one LibTorch thread each), at <see cref="Scaling.SideBySide"/>'s counts.</summary>
public class SideBySideScaling : ScalingBenchmark
{
    /// <summary>Training images per class of each run.</summary>
    public const int TrainPerClass = 1000;

    TensorData tensors = null!;
    readonly TrainOptions options = new(Epochs: 1, BatchSize: 128, EvaluationsPerEpoch: 1);

    /// <inheritdoc/>
    public override ScalingCost Cost => Scaling.SideBySide;

    /// <summary>Loads the training images once; every training reads the same tensors.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        tensors = new TensorData(Datasets.Load(new DataOptions(TrainPerClass: TrainPerClass, TestPerClass: 10)));
    }

    /// <summary><see cref="ScalingBenchmark.Size"/> trainings with their own seeds, all at once; the wall time of the lot.</summary>
    [Benchmark]
    public double Trainings()
    {
        var jobs = Enumerable.Range(0, Size).Select(seed => (Func<double>)(() =>
        {
            using var net = new Mlp(new MlpOptions(), seed);
            return Trainer.Train(net, tensors, options with { Seed = seed }).FinalTestAccuracy;
        })).ToList();
        return PruningSweep.Run(jobs, sideBySide: Size).Sum();
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup() => tensors.Dispose();
}
