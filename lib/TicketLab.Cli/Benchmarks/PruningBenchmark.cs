using System.Diagnostics;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Pruning;
using TicketLab.Training;

namespace TicketLab.Cli.Benchmarks;

/// <summary>One edge-popup epoch against one dense epoch of the same net, measured in one run.</summary>
/// <param name="DenseSeconds">Median seconds of a dense epoch.</param>
/// <param name="EdgePopupSeconds">Median seconds of an edge-popup epoch.</param>
/// <param name="Ratio">Edge-popup / dense, per round; the median.</param>
/// <param name="Images">Training images per epoch.</param>
public sealed record PruningBenchmarkResult(double DenseSeconds, double EdgePopupSeconds, double Ratio, int Images);

/// <summary>Times the baseline 784-300-100-10 net for one epoch dense and as edge-popup (keep 0.5), interleaved.</summary>
public static class PruningBenchmark
{
    /// <summary>Runs <paramref name="rounds"/> interleaved rounds.</summary>
    public static PruningBenchmarkResult Run(int rounds = 3, int trainPerClass = 2000)
    {
        Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(TrainPerClass: trainPerClass, TestPerClass: 10));
        using var tensors = new TensorData(data);
        var options = new TrainOptions(Epochs: 1, BatchSize: 128, EvaluationsPerEpoch: 1);
        var dense = new List<double>();
        var popup = new List<double>();
        var ratios = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            using var net = new Mlp(new MlpOptions(), seed: r);
            var clock = Stopwatch.StartNew();
            Trainer.Train(net, tensors, options);
            var d = clock.Elapsed.TotalSeconds;
            using var edge = new EdgePopupMlp([784, 300, 100, 10], FrozenInit.SignedKaimingConstant, 0.5, seed: r);
            clock.Restart();
            Trainer.Train(edge, tensors, options with { LearningRate = 0.01 });
            var e = clock.Elapsed.TotalSeconds;
            dense.Add(d);
            popup.Add(e);
            ratios.Add(e / d);
        }
        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        return new PruningBenchmarkResult(Median(dense), Median(popup), Median(ratios), data.Train.Count);
    }
}
