using BenchmarkDotNet.Attributes;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Benchmarks;

/// <summary>
/// One training step of the baseline MLP (784-300-100-10, batch 128, Adam, cross-entropy) and the machine's float32
/// square matrix product, the two things the PyTorch peer (pytorch_peer.py) times in the same way, at one LibTorch thread
/// (what the trainer uses for a step this small, see IntraOpThreads) and at two.
/// </summary>
public class StepBenchmarks
{
    /// <summary>LibTorch intra-op threads for this case.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    int previousThreads;
    /// <summary>Side of the square matrices of the peak-rate product.</summary>
    public const int MatmulSize = 1024;

    /// <summary>Batch size of the step.</summary>
    public const int BatchSize = 128;

    Mlp net = null!;
    optim.Optimizer optimizer = null!;
    Tensor x = null!, y = null!, a = null!, b = null!;
    ConvNet conv = null!;
    optim.Optimizer convOptimizer = null!;
    Tensor images = null!;

    /// <summary>Channels of the convnet of notebook 04, whose step <see cref="ConvTrainingStep"/> times.</summary>
    public static readonly int[] ConvChannels = [32, 64, 128];

    /// <summary>Floating-point operations of one step: forward, weight gradients, and input gradients of every layer but the first.</summary>
    public static double StepFlops(IReadOnlyList<int> sizes, int batch)
    {
        double forward = 0, inputGradients = 0;
        for (var l = 0; l + 1 < sizes.Count; l++)
        {
            forward += 2.0 * batch * sizes[l] * sizes[l + 1];
            if (l > 0) inputGradients += 2.0 * batch * sizes[l] * sizes[l + 1];
        }
        return 2 * forward + inputGradients;
    }

    /// <summary>Floating-point operations of one square product.</summary>
    public static double MatmulFlops => 2.0 * MatmulSize * MatmulSize * MatmulSize;

    /// <summary>Builds the net, its optimizer, one fixed batch and the product's operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        previousThreads = get_num_threads();
        set_num_threads(Threads);
        var generator = new Generator(0);
        net = new Mlp(new MlpOptions(), seed: 0);
        optimizer = optim.Adam(net.parameters(), 1e-3);
        x = randn([BatchSize, 784], generator: generator);
        y = randint(0, 10, [BatchSize], generator: generator);
        a = randn([MatmulSize, MatmulSize], generator: generator);
        b = randn([MatmulSize, MatmulSize], generator: generator);
        conv = new ConvNet(new ConvNetOptions(ConvChannels), seed: 0);
        convOptimizer = optim.Adam(conv.parameters(), 1e-3);
        images = randn([BatchSize, 3, 32, 32], generator: generator);
    }

    /// <summary>The same step for notebook 04's convnet 3-32-64-128 on a batch of 128 images of 3 x 32 x 32.</summary>
    [Benchmark]
    public void ConvTrainingStep()
    {
        using var scope = NewDisposeScope();
        convOptimizer.zero_grad();
        var loss = Trainer.Loss(conv.forward(images), y, LossKind.CrossEntropy, 10);
        loss.item<float>();
        loss.backward();
        convOptimizer.step();
    }

    /// <summary>zero_grad, forward, loss (read back, as the trainer does), backward, update.</summary>
    [Benchmark]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = Trainer.Loss(net.forward(x), y, LossKind.CrossEntropy, 10);
        loss.item<float>();
        loss.backward();
        optimizer.step();
    }

    /// <summary>A plain float32 product of two square matrices.</summary>
    [Benchmark]
    public void Matmul()
    {
        using var product = a.mm(b);
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        set_num_threads(previousThreads);
        optimizer.Dispose();
        net.Dispose();
        convOptimizer.Dispose();
        conv.Dispose();
        foreach (var t in new[] { x, y, a, b, images }) t.Dispose();
    }
}
