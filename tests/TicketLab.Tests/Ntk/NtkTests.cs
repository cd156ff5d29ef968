using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Ntk;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Ntk;

[Collection("torch")]
public class NtkTests
{
    static Tensor Inputs(int n, int d, int seed) => randn(n, d, generator: new Generator((ulong)seed));

    [Theory]
    [InlineData(Parametrization.Ntk, Activation.Relu, 0.1)]
    [InlineData(Parametrization.Ntk, Activation.Tanh, 0.0)]
    [InlineData(Parametrization.Standard, Activation.Relu, 0.05)]
    [InlineData(Parametrization.MeanField, Activation.Relu, 0.0)]
    public void Fast_kernel_equals_the_autograd_reference(Parametrization parametrization, Activation activation, double biasStd)
    {
        using var net = new Mlp(new MlpOptions([6, 32, 16, 3], parametrization, activation, BiasStd: biasStd), seed: 2);
        using var x1 = Inputs(9, 6, 1);
        using var x2 = Inputs(5, 6, 2);
        using var fast = EmpiricalNtk.Fast(net, x1, x2, blockSize: 4);
        using var reference = EmpiricalNtk.Autograd(net, x1, x2);
        var relative = fast.sub(reference).abs().max().item<double>() / reference.abs().max().item<double>();
        Assert.True(relative < 1e-4, $"fast and autograd NTKs differ by {relative:g3} (relative)");
    }

    [Fact]
    public void Kernel_is_symmetric_and_positive_semidefinite()
    {
        using var net = new Mlp(new MlpOptions([10, 64, 64, 4], Parametrization.Ntk, BiasStd: 0.1), seed: 3);
        using var x = Inputs(40, 10, 4);
        using var k = EmpiricalNtk.Fast(net, x, blockSize: 16);
        Assert.True(k.allclose(k.t(), rtol: 1e-12, atol: 1e-12));
        var eigen = linalg.eigvalsh(k);
        Assert.True(eigen.min().item<double>() > -1e-9 * eigen.max().item<double>());
    }

    [Fact]
    public void Analytic_kernel_matches_the_average_of_wide_empirical_kernels_within_sampling_error()
    {
        const int nets = 12, width = 1024;
        using var x = Inputs(5, 8, 5);
        var (_, analytic) = AnalyticNtk.Relu(x, null, layers: 3, weightVariance: 2.0, biasVariance: 0.01);
        var samples = new List<Tensor>();
        for (var s = 0; s < nets; s++)
        {
            using var net = new Mlp(new MlpOptions([8, width, width, 1], Parametrization.Ntk, WeightStd: Math.Sqrt(2.0), BiasStd: 0.1), seed: 100 + s);
            samples.Add(EmpiricalNtk.Fast(net, x));
        }
        using var stacked = stack(samples);
        var mean = stacked.mean([0]);
        var standardError = stacked.std(0).div(Math.Sqrt(nets));
        var excess = mean.sub(analytic).abs().sub(standardError.mul(4)).sub(analytic.abs().mul(0.02));
        Assert.True(excess.max().item<double>() <= 0, $"analytic vs Monte Carlo:\n{analytic.ToString(TorchSharp.TensorStringStyle.Julia)}\n{mean.ToString(TorchSharp.TensorStringStyle.Julia)}\nSE {standardError.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    [Fact]
    public void Analytic_kernel_has_the_closed_form_of_one_layer()
    {
        // One weight layer: NTK = NNGP = σw² x·x'/d + σb².
        using var x = tensor(new double[,] { { 1, 0 }, { 1, 1 } });
        var (nngp, ntk) = AnalyticNtk.Relu(x, null, layers: 1, weightVariance: 2, biasVariance: 0.5);
        Assert.Equal(new[] { 1.5, 1.5, 1.5, 2.5 }, nngp.flatten().data<double>().ToArray());
        Assert.True(ntk.allclose(nngp));
    }

    [Fact]
    public void The_layer_wise_kernel_refuses_a_pruned_net_and_autograd_handles_it()
    {
        using var net = new Mlp(new MlpOptions([6, 8, 3], Parametrization.Ntk, BiasStd: 0.1), seed: 1);
        using var mask = ones(3, 8);
        mask[0, 0] = 0;
        net.SetMask(1, mask);
        using var x = Inputs(4, 6, 3);
        Assert.Contains("Autograd", Assert.Throws<NotSupportedException>(() => EmpiricalNtk.Fast(net, x)).Message);
        using var kernel = EmpiricalNtk.Autograd(net, x);
        Assert.Equal(new long[] { 4, 4 }, kernel.shape);
    }

    [Fact]
    public void Linearized_model_equals_the_network_at_initialization_and_trains()
    {
        using var net = new Mlp(new MlpOptions([784, 128, 10], Parametrization.Ntk, BiasStd: 0.1), seed: 4);
        using var linear = new LinearizedMlp(net);
        var data = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 30, TestPerClass: 10));
        using var tensors = new TensorData(data);
        using (no_grad())
            Assert.True(linear.forward(tensors.TestX).allclose(net.forward(tensors.TestX), rtol: 1e-5, atol: 1e-5));
        var result = Trainer.Train(linear, tensors, new TrainOptions(Epochs: 3, BatchSize: 30, Optimizer: OptimizerKind.Sgd, LearningRate: 0.5, Loss: LossKind.MeanSquaredError));
        Assert.True(result.FinalTestLoss < result.Curve[0].TestLoss);
        // The network it linearizes is untouched.
        using var copy = new Mlp(net.Options, 4);
        Assert.True(copy.Weight(0).allclose(net.Weight(0), rtol: 0, atol: 0));
    }

    [Fact]
    public void Linearized_model_has_the_networks_gradient_at_initialization()
    {
        using var net = new Mlp(new MlpOptions([12, 16, 16, 3], Parametrization.Ntk, BiasStd: 0.2), seed: 9);
        using var linear = new LinearizedMlp(net);
        using var x = Inputs(7, 12, 10);
        using var y = randint(0, 3, [7], ScalarType.Int64, generator: new Generator(11));
        Trainer.Loss(net.forward(x), y, LossKind.MeanSquaredError, 3).backward();
        Trainer.Loss(linear.forward(x), y, LossKind.MeanSquaredError, 3).backward();
        var netGrads = net.parameters().Select(p => p.grad!).ToList();
        var linearGrads = linear.parameters().Select(p => p.grad!).ToList();
        Assert.Equal(netGrads.Count, linearGrads.Count);
        for (var i = 0; i < netGrads.Count; i++)
            Assert.True(netGrads[i].allclose(linearGrads[i], rtol: 1e-4, atol: 1e-6), $"gradient {i} differs");
    }

    [Fact]
    public void Bad_inputs_are_rejected_clearly()
    {
        using var net = new Mlp(new MlpOptions([6, 8, 2], Parametrization.Ntk), seed: 0);
        using var wrong = Inputs(3, 5, 0);
        Assert.Contains("N x 6", Assert.Throws<ArgumentException>(() => EmpiricalNtk.Fast(net, wrong)).Message);
        Assert.Throws<ArgumentException>(() => AnalyticNtk.Relu(Inputs(3, 6, 0), wrong, 2));
        Assert.Equal("weightVariance", Assert.Throws<ArgumentOutOfRangeException>(() => AnalyticNtk.Relu(wrong, null, 2, weightVariance: 0)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentOutOfRangeException>(() => AnalyticNtk.Relu(wrong, null, 0)).ParamName);
        Assert.Equal("Widths", Assert.Throws<ArgumentOutOfRangeException>(() => new MlpOptions([6, -4, 2]).Validate()).ParamName);
    }

    [Fact]
    public void Kernel_regression_interpolates_its_training_targets()
    {
        using var x = Inputs(30, 5, 6);
        using var y = randint(0, 3, [30], ScalarType.Int64, generator: new Generator(7));
        var (_, k) = AnalyticNtk.Relu(x, null, layers: 3);
        var targets = KernelRegression.Targets(y, 3);
        var predictions = KernelRegression.Predict(k, k, targets);
        Assert.True(predictions.allclose(targets, rtol: 1e-5, atol: 1e-5));
        Assert.Equal(1.0, KernelRegression.Accuracy(predictions, y));
    }
}
