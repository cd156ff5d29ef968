using BenchmarkDotNet.Attributes;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Ntk;
using static TorchSharp.torch;

namespace TicketLab.Benchmarks;

/// <summary>The layer-wise empirical NTK of notebook 02 against the per-example-gradient reference (width 512, 500 test images).</summary>
public class NtkBenchmarks
{
    /// <summary>Hidden width of the 784-width-10 NTK-parametrized net.</summary>
    public const int Width = 512;

    /// <summary>Images, so kernels are 500 x 500 x 10 x 10.</summary>
    public const int Examples = 500;

    Mlp net = null!;
    Tensor x = null!;

    /// <summary>Loads the images and builds the net.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(Source: DataSource.Embedded));
        x = data.Test.Take(Examples).ImagesTensor(data.PixelMean, data.PixelStd);
        net = new Mlp(new MlpOptions([784, Width, 10], Parametrization.Ntk, BiasStd: 0.1), seed: 0);
    }

    /// <summary>Layer-wise: per-layer Gram products of activations and back-propagated signals, in blocks.</summary>
    [Benchmark]
    public void Fast() => EmpiricalNtk.Fast(net, x).Dispose();

    /// <summary>Reference: one backward pass per example and output, then the Gram matrix of the Jacobian.</summary>
    [Benchmark]
    public void Autograd() => EmpiricalNtk.Autograd(net, x).Dispose();

    /// <summary>Largest difference between the two kernels on the first 100 images, relative to the largest entry (a check, not timed).</summary>
    public double MaxRelativeDifference()
    {
        using var subset = x.narrow(0, 0, 100);
        using var fast = EmpiricalNtk.Fast(net, subset);
        using var reference = EmpiricalNtk.Autograd(net, subset);
        return fast.sub(reference).abs().max().to_type(ScalarType.Float64).item<double>() / reference.abs().max().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        net.Dispose();
        x.Dispose();
    }
}
