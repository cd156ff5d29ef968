using System.Diagnostics;
using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>How far training moved a net, and how far it is from its linearization and from the infinite-width kernel.</summary>
/// <param name="Label">Width, α or parametrization.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="RelativeWeightChange">‖W_T − W_0‖ / ‖W_0‖ over all weight matrices.</param>
/// <param name="RelativeFeatureChange">‖A_T − A_0‖ / ‖A_0‖ of the last hidden layer's activations on test images.</param>
/// <param name="RelativeKernelChange">‖Θ_T − Θ_0‖ / ‖Θ_0‖ of the empirical NTK on test images.</param>
/// <param name="LinearizationRmse">RMS difference between the trained net's outputs and its trained linearization's, on test images (NaN when not trained).</param>
/// <param name="NtkRelativeError">‖Θ_0 − Θ_∞‖ / ‖Θ_∞‖: the initial empirical NTK against the analytic one (NaN when not comparable).</param>
/// <param name="TestAccuracy">Test accuracy after training.</param>
/// <param name="Seconds">Wall-clock seconds for this point.</param>
/// <param name="LayerWeightChange">‖W_T − W_0‖ / ‖W_0‖ of each weight matrix, input layer first (under NTK parametrization the input and readout matrices move like n^-1/2, the n×n hidden ones like 1/n).</param>
public sealed record MovementPoint(string Label, int Width, double RelativeWeightChange, double RelativeFeatureChange, double RelativeKernelChange,
    double LinearizationRmse, double NtkRelativeError, double TestAccuracy, double Seconds, double[] LayerWeightChange);

/// <summary>
/// A net trained as α·(f(x; θ) − f(x; θ₀)) (Chizat, Oyallon &amp; Bach 2019): large α makes training lazy; the relative
/// change of the parameters then scales like 1/α. Train it with learning rate η/α² so function-space dynamics match.
/// </summary>
public sealed class OutputScaledNet : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Mlp net;
    readonly Mlp initial;

    /// <summary>Wraps <paramref name="net"/>; a copy of its current parameters is kept as θ₀.</summary>
    public OutputScaledNet(Mlp net, double alpha) : base("OutputScaledNet")
    {
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "accepted: > 0");
        this.net = net;
        Alpha = alpha;
        initial = new Mlp(net.Options, net.Seed);
        initial.CopyFrom(net);
        // θ₀ is the net as it computes, masks included: a unit removed from the net is removed from f₀ too, so f − f₀ starts at zero.
        for (var l = 0; l < net.LayerCount; l++) initial.SetMask(l, net.Mask(l));
        foreach (var p in initial.parameters()) p.requires_grad = false;
        register_module("net", net);
    }

    /// <summary>The output scale α.</summary>
    public double Alpha { get; }

    /// <summary>α·(f(x; θ) − f(x; θ₀)).</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor reference;
        using (no_grad()) reference = initial.forward(input);
        return net.forward(input).sub(reference).Times(Alpha);
    }

    /// <summary>The wrapped net's multipliers.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) => net.LearningRateGroups(adam);
}

/// <summary>The measurements of notebook 02.</summary>
public static class LazyRichStudy
{
    /// <summary>
    /// Trains a copy of a freshly initialized net (and, if asked, its linearization) and measures how much it moved.
    /// <paramref name="kernelInputs"/> are the test images on which kernels and features are compared. <paramref name="cancel"/>
    /// stops both trainings before their next step (<see cref="OperationCanceledException"/>; the nets are freed).
    /// </summary>
    public static (MovementPoint Point, Mlp Initial, Mlp Trained) Measure(string label, MlpOptions options, long seed, TensorData data, TrainOptions training,
        Tensor kernelInputs, bool linearize, double alpha = 1.0, Action<TrainProgress>? onProgress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var initial = new Mlp(options, seed);
        var trained = new Mlp(options, seed);
        try
        {
            return MeasureNets(label, options, initial, trained, data, training, kernelInputs, linearize, alpha, onProgress, clock, cancel);
        }
        catch
        {
            // A diverging run (which a learning-rate rule may provoke on purpose) does not leak its nets.
            initial.Dispose();
            trained.Dispose();
            throw;
        }
    }

    static (MovementPoint Point, Mlp Initial, Mlp Trained) MeasureNets(string label, MlpOptions options, Mlp initial, Mlp trained, TensorData data, TrainOptions training,
        Tensor kernelInputs, bool linearize, double alpha, Action<TrainProgress>? onProgress, Stopwatch clock, CancellationToken cancel)
    {
        using var kernel0 = EmpiricalNtk.Fast(initial, kernelInputs);
        var analyticError = double.NaN;
        if (options.Parametrization == Parametrization.Ntk && options.Activation == Activation.Relu)
        {
            var (_, analytic) = AnalyticNtk.Relu(kernelInputs, null, options.LayerSizes.Length - 1, options.WeightStd * options.WeightStd, options.BiasStd * options.BiasStd);
            analyticError = kernel0.sub(analytic).norm().item<double>() / analytic.norm().item<double>();
            analytic.Dispose();
        }
        // Trained as α·(f − f₀): the initial function is subtracted, so every model starts from zero output.
        var model = new OutputScaledNet(trained, alpha); // not disposed: disposing it would dispose the trained net it wraps
        var result = Trainer.Train(model, data, training with { LearningRate = training.LearningRate / (alpha * alpha) }, onProgress, cancel: cancel);
        cancel.ThrowIfCancellationRequested(); // a cancelled run skips its linearization and kernels too
        var rmse = double.NaN;
        if (linearize)
        {
            using var linear = new LinearizedMlp(initial, centered: true);
            Trainer.Train(linear, data, training with { LearningRate = training.LearningRate / (alpha * alpha) }, cancel: cancel);
            using var _ = no_grad();
            rmse = model.forward(data.TestX).sub(linear.forward(data.TestX).Times(alpha)).Power(2).mean().sqrt().item<float>();
        }
        using var kernelT = EmpiricalNtk.Fast(trained, kernelInputs);
        var point = new MovementPoint(label, options.LayerSizes[1], WeightChange(initial, trained), FeatureChange(initial, trained, kernelInputs),
            kernelT.sub(kernel0).norm().item<double>() / kernel0.norm().item<double>(), rmse, analyticError, result.FinalTestAccuracy, clock.Elapsed.TotalSeconds, LayerWeightChange(initial, trained));
        return (point, initial, trained);
    }

    /// <summary>‖W_T − W_0‖ / ‖W_0‖ over all weight matrices (as the forward pass uses them).</summary>
    public static double WeightChange(Mlp initial, Mlp trained)
    {
        double change = 0, size = 0;
        for (var l = 0; l < initial.LayerCount; l++)
        {
            var m = initial.WeightMultiplier(l);
            change += trained.Weight(l).sub(initial.Weight(l)).Times(m).Power(2).sum().item<float>();
            size += initial.Weight(l).Times(m).Power(2).sum().item<float>();
        }
        return Math.Sqrt(change / size);
    }

    /// <summary>‖W_T − W_0‖ / ‖W_0‖ of each weight matrix on its own, input layer first (the multipliers cancel).</summary>
    public static double[] LayerWeightChange(Mlp initial, Mlp trained) =>
        Enumerable.Range(0, initial.LayerCount).Select(l =>
        {
            using var scope = NewDisposeScope();
            return trained.Weight(l).sub(initial.Weight(l)).norm().item<float>() / (double)initial.Weight(l).norm().item<float>();
        }).ToArray();

    /// <summary>
    /// The width exponent of <see cref="LayerWeightChange"/> under NTK parametrization for a layer of the given fan-in and
    /// fan-out when the hidden width n grows: −1 for an n×n hidden matrix (its norm grows like n, its change stays O(1)),
    /// −1/2 for the input and readout matrices, which have one side fixed.
    /// </summary>
    public static double LayerWeightChangeTheory(int layer, int layers) => layer == 0 || layer == layers - 1 ? -0.5 : -1.0;

    /// <summary>‖A_T − A_0‖ / ‖A_0‖ of the last hidden layer on <paramref name="inputs"/>.</summary>
    public static double FeatureChange(Mlp initial, Mlp trained, Tensor inputs)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a0 = initial.Activations(inputs)[^2];
        var aT = trained.Activations(inputs)[^2];
        return aT.sub(a0).norm().item<float>() / a0.norm().item<float>();
    }

    /// <summary>Test accuracy of kernel regression with the analytic NTK and NNGP of a ReLU net of the given depth.</summary>
    public static (double Ntk, double Nngp) KernelRegressionAccuracy(TensorData data, int layers, double weightVariance, double biasVariance)
    {
        using var scope = NewDisposeScope();
        var targets = KernelRegression.Targets(data.TrainY, data.Classes);
        var (nngpTrain, ntkTrain) = AnalyticNtk.Relu(data.TrainX, null, layers, weightVariance, biasVariance);
        var (nngpTest, ntkTest) = AnalyticNtk.Relu(data.TestX, data.TrainX, layers, weightVariance, biasVariance);
        return (KernelRegression.Accuracy(KernelRegression.Predict(ntkTrain, ntkTest, targets), data.TestY),
                KernelRegression.Accuracy(KernelRegression.Predict(nngpTrain, nngpTest, targets), data.TestY));
    }
}
