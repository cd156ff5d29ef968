using System.Text.Json.Serialization;

namespace TicketLab.Benchmarks;

/// <summary>Every measurement a bench run's ratios are made of (milliseconds, seconds, GFLOP/s; null when not measured).</summary>
/// <param name="TorchsharpStepMs">One training step in TorchSharp, 1 thread.</param>
/// <param name="PytorchStepMs">The same in PyTorch.</param>
/// <param name="TorchsharpStepMs2Threads">TorchSharp on 2 threads.</param>
/// <param name="PytorchStepMs2Threads">PyTorch on 2 threads.</param>
/// <param name="TorchsharpVsPytorchStepRatio2Threads">TorchSharp over PyTorch on 2 threads.</param>
/// <param name="StepGflops">The step's rate.</param>
/// <param name="TorchsharpMatmulGflops">TorchSharp's 1024² float32 product rate.</param>
/// <param name="PytorchMatmulGflops">PyTorch's.</param>
/// <param name="SamplerSeconds">The detector sampler.</param>
/// <param name="SamplerProductsSeconds">Its products alone.</param>
/// <param name="NtkFastSeconds">The layer-wise empirical NTK.</param>
/// <param name="NtkAutogradSeconds">The per-example autograd NTK.</param>
/// <param name="NtkMaxRelativeDifference">Largest difference of the two kernels, relative to the largest entry.</param>
/// <param name="DenseEpochSeconds">One dense epoch.</param>
/// <param name="EdgePopupEpochSeconds">One edge-popup epoch.</param>
/// <param name="RareEventEvaluations">Units the rare-event run scored.</param>
/// <param name="RareEventReachedLog2">The depth it reached, in bits.</param>
/// <param name="TorchsharpConvStepMs">One step of notebook 04's convnet in TorchSharp, 1 thread (null in files of older runs).</param>
/// <param name="PytorchConvStepMs">The same in PyTorch.</param>
/// <param name="TorchsharpConvStepMs2Threads">TorchSharp on 2 threads.</param>
/// <param name="PytorchConvStepMs2Threads">PyTorch on 2 threads.</param>
/// <param name="TorchsharpVsPytorchConvStepRatio2Threads">TorchSharp over PyTorch on 2 threads.</param>
public sealed record BenchmarkMeasurements(double TorchsharpStepMs, double? PytorchStepMs,
    [property: JsonPropertyName("torchsharp_step_ms_2_threads")] double TorchsharpStepMs2Threads,
    [property: JsonPropertyName("pytorch_step_ms_2_threads")] double? PytorchStepMs2Threads,
    [property: JsonPropertyName("torchsharp_vs_pytorch_step_ratio_2_threads")] double? TorchsharpVsPytorchStepRatio2Threads,
    double StepGflops, double TorchsharpMatmulGflops, double? PytorchMatmulGflops, double SamplerSeconds, double SamplerProductsSeconds,
    double NtkFastSeconds, double NtkAutogradSeconds, double NtkMaxRelativeDifference, double DenseEpochSeconds, double EdgePopupEpochSeconds,
    long RareEventEvaluations, double RareEventReachedLog2,
    double? TorchsharpConvStepMs = null, double? PytorchConvStepMs = null,
    [property: JsonPropertyName("torchsharp_conv_step_ms_2_threads")] double? TorchsharpConvStepMs2Threads = null,
    [property: JsonPropertyName("pytorch_conv_step_ms_2_threads")] double? PytorchConvStepMs2Threads = null,
    [property: JsonPropertyName("torchsharp_vs_pytorch_conv_step_ratio_2_threads")] double? TorchsharpVsPytorchConvStepRatio2Threads = null);

/// <summary>The PyTorch peer of a bench run.</summary>
/// <param name="Version">torch.__version__.</param>
/// <param name="Blas">The BLAS it uses.</param>
/// <param name="Threads">Threads of its two runs.</param>
/// <param name="Python">The interpreter.</param>
public sealed record PeerSummary(string Version, string Blas, int[] Threads, string Python);

/// <summary>The results file of the bench command (<c>notebooks/results/benchmarks.json</c>), which the README quotes.</summary>
/// <param name="Machine">Processor, cores and operating system.</param>
/// <param name="Threads">LibTorch's default intra-op threads.</param>
/// <param name="Rounds">Measured iterations per benchmark.</param>
/// <param name="TorchsharpVsPytorchStepRatio">TorchSharp over PyTorch step time on 1 thread (target ≤ 1).</param>
/// <param name="StepFractionOfMatmulPeak">The step's rate over the product rate.</param>
/// <param name="DetectorSamplerFractionOfMatmulPeak">The sampler's rate over its products' (target ≥ 0.3).</param>
/// <param name="NtkFastVsAutogradSpeedup">Autograd NTK over layer-wise NTK time (target ≥ 20).</param>
/// <param name="EdgePopupVsDenseEpochRatio">Edge-popup over dense epoch time (target ≤ 2).</param>
/// <param name="NotebookSeconds">Each notebook's full-profile wall time, from the last main-job run.</param>
/// <param name="NotebookPeakMb">Each notebook kernel's peak memory.</param>
/// <param name="SuiteSeconds">Sum of the notebook times.</param>
/// <param name="SlowestCellSeconds">The slowest cell of any notebook.</param>
/// <param name="Measurements">What the ratios are made of.</param>
/// <param name="Pytorch">The peer, or null when it did not run.</param>
/// <param name="PytorchProblem">Why the peer did not run.</param>
/// <param name="NotebookRunsProblem">Why there are no notebook timings.</param>
/// <param name="RareEventFractionOfMatmulPeak">The rare-event estimator's product rate over the machine's.</param>
/// <param name="RareEventSecondsPerClass">Seconds of one rare-event run to 2^-60 for one class.</param>
/// <param name="Scaling">The main costs against their size: seconds at 3 or more sizes, the fitted exponent with its band, and a bigger run predicted.</param>
/// <param name="TorchsharpVsPytorchConvStepRatio">TorchSharp over PyTorch for notebook 04's convnet step on 1 thread (target ≤ 1; null in files of older runs).</param>
public sealed record BenchmarksResults(string Machine, int Threads, int Rounds, double? TorchsharpVsPytorchStepRatio, double StepFractionOfMatmulPeak,
    double DetectorSamplerFractionOfMatmulPeak, double NtkFastVsAutogradSpeedup, double EdgePopupVsDenseEpochRatio,
    double RareEventFractionOfMatmulPeak, double RareEventSecondsPerClass,
    IReadOnlyDictionary<string, double>? NotebookSeconds, IReadOnlyDictionary<string, double>? NotebookPeakMb, double? SuiteSeconds, double? SlowestCellSeconds,
    BenchmarkMeasurements Measurements, PeerSummary? Pytorch, string? PytorchProblem, string? NotebookRunsProblem,
    IReadOnlyList<ScalingResult> Scaling, double? TorchsharpVsPytorchConvStepRatio = null) : IResultsFile
{
    /// <inheritdoc/>
    public static string FileName => "benchmarks";

    /// <inheritdoc/>
    public static int Schema => 4;

    /// <inheritdoc/>
    public static string Producer => "run the bench command (dotnet run --project lib/TicketLab.Cli -c Release -- bench)";
}
