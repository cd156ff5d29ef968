using BenchmarkDotNet.Attributes;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Pruning;
using TicketLab.Training;

namespace TicketLab.Benchmarks;

/// <summary>One epoch of the baseline net trained densely against one edge-popup epoch (keep 0.5) on notebook 03's 20,000 images.</summary>
public class PruningBenchmarks
{
    /// <summary>Training images per class.</summary>
    public const int TrainPerClass = 2000;

    TensorData tensors = null!;
    readonly TrainOptions options = new(Epochs: 1, BatchSize: 128, EvaluationsPerEpoch: 1);

    /// <summary>Loads the training images onto the device once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        tensors = new TensorData(Datasets.Load(new DataOptions(TrainPerClass: TrainPerClass, TestPerClass: 10)));
    }

    /// <summary>A fresh baseline net, one epoch of Adam.</summary>
    [Benchmark]
    public double DenseEpoch()
    {
        using var net = new Mlp(new MlpOptions(), seed: 0);
        return Trainer.Train(net, tensors, options).FinalTestAccuracy;
    }

    /// <summary>A fresh edge-popup net (signed Kaiming constant weights, keep 0.5), one epoch of Adam on the scores.</summary>
    [Benchmark]
    public double EdgePopupEpoch()
    {
        using var net = new EdgePopupMlp([784, 300, 100, 10], FrozenInit.SignedKaimingConstant, 0.5, seed: 0);
        return Trainer.Train(net, tensors, options with { LearningRate = 0.01 }).FinalTestAccuracy;
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup() => tensors.Dispose();
}
