namespace TicketLab.Training;

/// <summary>Optimizer of a training run.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, optionally with momentum.</summary>
    Sgd,
    /// <summary>Adam (Kingma &amp; Ba 2015).</summary>
    Adam,
}

/// <summary>How the step size changes over a training run.</summary>
public enum ScheduleKind
{
    /// <summary>The same step size throughout.</summary>
    Constant,
    /// <summary>Cosine annealing from the step size to 0 over the run's steps, updated after every step (as Ramanujan et al. 2020 train edge-popup, there per epoch).</summary>
    Cosine,
}

/// <summary>Loss of a training run.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy on the logits.</summary>
    CrossEntropy,
    /// <summary>Mean squared error against one-hot targets (the loss of NTK theory).</summary>
    MeanSquaredError,
}

/// <summary>How to train. Defaults: the suite's baseline run (Adam, learning rate 1e-3, batch 128, 10 epochs, seed 0).</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="LearningRate">Step size (before any per-tensor μP multiplier).</param>
/// <param name="Optimizer">SGD or Adam.</param>
/// <param name="Momentum">SGD momentum (ignored by Adam).</param>
/// <param name="WeightDecay">L2 penalty coefficient.</param>
/// <param name="Loss">Cross-entropy or mean squared error.</param>
/// <param name="Seed">Seed of the batch order (the net's init has its own seed).</param>
/// <param name="EvaluationsPerEpoch">How many times per epoch the test set is evaluated (learning-curve points).</param>
/// <param name="Device">"cpu" (default), "cuda" or "cuda:N" where the TorchSharp build supports CUDA.</param>
/// <param name="Schedule">Constant step size, or cosine annealing to 0 over the run.</param>
/// <param name="EvaluateEveryEpochs">Evaluate only every this many epochs (and always after the last): full-batch runs, where an
/// epoch is one step, would otherwise spend as long evaluating as training. Does not change the trained weights.</param>
/// <param name="CurveTestStride">The learning curve's points before the last score every this-many-th test image (a subset
/// with every class in it when the test set is in class order); the last point, which gives the reported test accuracy,
/// always scores every test image. For convnets, where each evaluation of 10,000 images costs a sixth of an epoch's
/// steps. Does not change the trained weights.</param>
public sealed record TrainOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    double Momentum = 0.0,
    double WeightDecay = 0.0,
    LossKind Loss = LossKind.CrossEntropy,
    long Seed = 0,
    int EvaluationsPerEpoch = 4,
    string Device = "cpu",
    int EvaluateEveryEpochs = 1,
    ScheduleKind Schedule = ScheduleKind.Constant,
    int CurveTestStride = 1)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field, its value and what is accepted.</summary>
    public TrainOptions Validate()
    {
        if (Epochs is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "accepted: 1 to 10000");
        if (BatchSize is < 1 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "accepted: 1 to 1000000");
        if (!(LearningRate > 0) || LearningRate > 100 || double.IsNaN(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "accepted: a number > 0 and <= 100 (typical: 1e-3 for Adam, 0.01-1 for SGD)");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "accepted: Sgd, Adam");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "accepted: 0 <= momentum < 1");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "accepted: a finite number >= 0");
        if (!Enum.IsDefined(Loss)) throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "accepted: CrossEntropy, MeanSquaredError");
        if (EvaluationsPerEpoch is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(EvaluationsPerEpoch), EvaluationsPerEpoch, "accepted: 1 to 1000");
        if (EvaluateEveryEpochs is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(EvaluateEveryEpochs), EvaluateEveryEpochs, "accepted: 1 to 10000");
        if (!Enum.IsDefined(Schedule)) throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "accepted: Constant, Cosine");
        if (CurveTestStride is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(CurveTestStride), CurveTestStride, "accepted: 1 (every test image) to 1000");
        Devices.Parse(Device);
        return this;
    }
}
