using System.Diagnostics;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Ntk;
using static TorchSharp.torch;

namespace TicketLab.Cli.Benchmarks;

/// <summary>The fast empirical NTK against the autograd reference, measured in one run.</summary>
/// <param name="FastSeconds">Seconds of the layer-wise kernel (median of three).</param>
/// <param name="AutogradSeconds">Seconds of the per-example-gradient kernel.</param>
/// <param name="Speedup">Autograd / fast.</param>
/// <param name="MaxRelativeDifference">Largest difference between the two kernels, relative to the kernel's largest entry.</param>
public sealed record NtkBenchmarkResult(double FastSeconds, double AutogradSeconds, double Speedup, double MaxRelativeDifference);

/// <summary>Times both empirical NTKs of a 784-width-10 NTK-parametrized MLP on the first test images.</summary>
public static class NtkBenchmark
{
    /// <summary>Runs the comparison (width 512 and 500 examples by default, as issue 4 asks).</summary>
    public static NtkBenchmarkResult Run(int width = 512, int examples = 500)
    {
        Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(Source: DataSource.Embedded));
        using var x = data.Test.Take(examples).ImagesTensor(data.PixelMean, data.PixelStd);
        using var net = new Mlp(new MlpOptions([784, width, 10], Parametrization.Ntk, BiasStd: 0.1), seed: 0);
        EmpiricalNtk.Fast(net, x.narrow(0, 0, 8)).Dispose();
        var fastTimes = new List<double>();
        Tensor? fast = null;
        for (var r = 0; r < 3; r++)
        {
            fast?.Dispose();
            var clock = Stopwatch.StartNew();
            fast = EmpiricalNtk.Fast(net, x);
            fastTimes.Add(clock.Elapsed.TotalSeconds);
        }
        var autogradClock = Stopwatch.StartNew();
        using var reference = EmpiricalNtk.Autograd(net, x);
        var autogradSeconds = autogradClock.Elapsed.TotalSeconds;
        var fastSeconds = fastTimes.Order().ElementAt(1);
        var difference = fast!.sub(reference).abs().max().item<double>() / reference.abs().max().item<double>();
        fast.Dispose();
        return new NtkBenchmarkResult(fastSeconds, autogradSeconds, autogradSeconds / fastSeconds, difference);
    }
}
