using BenchmarkDotNet.Attributes;
using TicketLab.Data;
using TicketLab.Detectors;

namespace TicketLab.Benchmarks;

/// <summary>
/// The rare-event estimator of notebook 01 as the full profile runs it: one subset-simulation run, from the
/// initialization law of a random layer-1 unit down to 2^-60, for one class on half B of the test set (500 images per
/// class). Its unit scorings are products of the latent rows with the images, so their rate is compared with the
/// machine's float32 product rate.
/// </summary>
public class RareEventBenchmarks
{
    /// <summary>Images per class of half B.</summary>
    public const int PerClass = 500;

    /// <summary>The class: Sandal, the rarest in notebook 01.</summary>
    public const int Class = 5;

    EvaluationSet? halfA, halfB;
    RandomUnitQuality quality = null!;

    /// <summary>The last run, so that the suite can read its evaluation count and depth.</summary>
    public static RareEventRun? LastRun { get; private set; }

    /// <summary>Multiply-adds of one unit's scoring, times 2 (set by <see cref="Setup"/>).</summary>
    public static double FlopsPerUnit { get; private set; }

    /// <summary>Loads the full test set's half B and the scorer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions());
        (halfA, halfB) = EvaluationSet.Halves(data, PerClass);
        quality = new RandomUnitQuality(halfB.Inputs, halfB.Labels, Class, Math.Sqrt(2));
        FlopsPerUnit = quality.FlopsPerUnit;
    }

    /// <summary>One run to 2^-60 with the notebook's options (N = 1000, p0 = 0.1).</summary>
    [Benchmark]
    public RareEventRun ToSixtyBits() => LastRun = SubsetSimulation.Run(quality.Score, quality.Dimension, new RareEventOptions(), seed: 1);

    /// <summary>Frees the images.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        quality.Dispose();
        halfA?.Dispose();
        halfB?.Dispose();
    }
}
