using BenchmarkDotNet.Attributes;
using TicketLab.Data;
using TicketLab.Detectors;
using static TorchSharp.torch;

namespace TicketLab.Benchmarks;

/// <summary>
/// The random-unit sampler of notebook 01 against a plain float32 product of the same shapes (the sampler's arithmetic
/// without its ranking), on the notebook's 2,000 evaluation images.
/// </summary>
public class SamplerBenchmarks
{
    /// <summary>Random units scored per invocation.</summary>
    public const int Units = 32_768;

    /// <summary>Evaluation images per class (the notebook's full profile).</summary>
    public const int PerClass = 200;

    EvaluationSet eval = null!;
    Tensor inputsByColumn = null!, weights = null!;
    SamplerOptions options = null!;

    /// <summary>Images scored per unit.</summary>
    public static int Examples => PerClass * 10;

    /// <summary>Floating-point operations of the products of one invocation.</summary>
    public static double ProductFlops => 2.0 * Units * 784 * Examples;

    /// <summary>Loads the evaluation images and one batch of random weights.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(TestPerClass: PerClass));
        eval = EvaluationSet.FromTest(data, PerClass);
        inputsByColumn = eval.Inputs.t().contiguous();
        options = new SamplerOptions(Units: Units, Seed: 1);
        weights = randn([options.BatchSize, inputsByColumn.shape[0]], generator: new Generator(1));
    }

    /// <summary>Samples and scores <see cref="Units"/> random layer-1 units (exact AUC per class).</summary>
    [Benchmark]
    public UnitScores Sampler() => RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, eval.Classes, options).Scores;

    /// <summary>The same number of products of the same shapes, nothing else.</summary>
    [Benchmark]
    public void Products()
    {
        for (var i = 0; i < Units / options.BatchSize; i++)
        {
            using var product = weights.mm(inputsByColumn);
        }
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        eval.Dispose();
        inputsByColumn.Dispose();
        weights.Dispose();
    }
}
