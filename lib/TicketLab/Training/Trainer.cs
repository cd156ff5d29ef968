using System.Diagnostics;
using TicketLab.Data;
using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>Mini-batch training and evaluation of an <see cref="Mlp"/>; reports progress through a callback and stops on divergence.</summary>
public static class Trainer
{
    const int EvaluationBatch = 4096;

    /// <summary>Images (N x channels x side x side) are evaluated in smaller batches: a 4096-image batch of a convnet's first feature maps is half a gigabyte and runs slower than 1000 at a time.</summary>
    const int ImageEvaluationBatch = 1000;

    /// <summary>Steps between progress reports that are not evaluations.</summary>
    public const int ProgressSteps = 50;

    /// <summary>
    /// Trains <paramref name="model"/> in place and returns its learning curve. Same seeds, same numbers.
    /// <paramref name="afterStep"/> is called with the step count after every optimizer step (e.g. to keep early weights).
    /// <paramref name="stopAfterSteps"/> ends the run early, after that many steps (a head start), with one evaluation then.
    /// <paramref name="cancel"/> ends it before its next step with <see cref="OperationCanceledException"/> (a run whose
    /// result is no longer wanted, e.g. beside one that diverged).
    /// </summary>
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, TensorData data, TrainOptions options, Action<TrainProgress>? onProgress = null,
        Action<long>? afterStep = null, long stopAfterSteps = long.MaxValue, CancellationToken cancel = default)
    {
        options.Validate();
        if (stopAfterSteps < 1) throw new ArgumentOutOfRangeException(nameof(stopAfterSteps), stopAfterSteps, "accepted: 1 or more steps");
        CheckShapes(model, data);
        var clock = Stopwatch.StartNew();
        var n = data.TrainX.shape[0];
        using var threads = IntraOpThreads.ForStep(model.parameters().Sum(p => p.numel()), Math.Min(options.BatchSize, n));
        var stepsPerEpoch = (n + options.BatchSize - 1) / options.BatchSize;
        var evaluateAt = Enumerable.Range(1, options.EvaluationsPerEpoch)
            .Select(i => (long)Math.Round(i * (double)stepsPerEpoch / options.EvaluationsPerEpoch)).ToHashSet();
        using var generator = new Generator((ulong)options.Seed);
        using var optimizer = CreateOptimizer(model, options);
        using var stepper = new SafeStep(optimizer); // optimizer.step(), without its Scalar race under side-by-side trainings
        var schedule = options.Schedule == ScheduleKind.Cosine
            ? optim.lr_scheduler.CosineAnnealingLR(optimizer, (int)Math.Min(int.MaxValue, (long)options.Epochs * stepsPerEpoch)) // over the whole run, also for a head start
            : null;
        // The curve's points before the last score a strided subset of the test set when asked (CurveTestStride); the last, every image.
        using var curveIndex = options.CurveTestStride == 1 ? null
            : tensor(Enumerable.Range(0, (int)data.TestX.shape[0]).Where(i => i % options.CurveTestStride == 0).Select(i => (long)i).ToArray(), device: data.TestX.device);
        using var curveX = curveIndex is null ? null : data.TestX.index_select(0, curveIndex);
        using var curveY = curveIndex is null ? null : data.TestY.index_select(0, curveIndex);
        (double Loss, double Accuracy) EvaluateCurve(bool last) => last || curveX is null
            ? Evaluate(model, data.TestX, data.TestY, options.Loss, data.Classes)
            : Evaluate(model, curveX, curveY!, options.Loss, data.Classes);
        var (initialLoss, initialAccuracy) = EvaluateCurve(last: false);
        var curve = new List<CurvePoint> { new(0, 0, double.NaN, initialLoss, initialAccuracy) };
        onProgress?.Invoke(new TrainProgress(0, options.Epochs, 0, double.NaN, initialAccuracy, clock.Elapsed.TotalSeconds));
        long step = 0;
        double lossSum = 0;
        var lossCount = 0;
        model.train();
        for (var epoch = 0; epoch < options.Epochs && step < stopAfterSteps; epoch++)
        {
            using var order = randperm(n, generator: generator).to(data.TrainX.device);
            for (long batch = 0; batch < stepsPerEpoch && step < stopAfterSteps; batch++)
            {
                cancel.ThrowIfCancellationRequested();
                using (var scope = NewDisposeScope())
                {
                    var index = order.narrow(0, batch * options.BatchSize, Math.Min(options.BatchSize, n - batch * options.BatchSize));
                    var x = data.TrainX.index_select(0, index);
                    var y = data.TrainY.index_select(0, index);
                    optimizer.zero_grad();
                    var loss = Loss(model.forward(x), y, options.Loss, data.Classes);
                    var value = loss.item<float>();
                    if (!float.IsFinite(value))
                        throw new TrainingDivergedException(DivergenceMessage(options, epoch, batch, step, value));
                    loss.backward();
                    stepper.Step();
                    schedule?.step();
                    lossSum += value;
                    lossCount++;
                }
                step++;
                afterStep?.Invoke(step);
                // Between evaluations (a convnet epoch takes a minute or more), a report every ProgressSteps steps with the last measured accuracy.
                if (step % ProgressSteps == 0 && !evaluateAt.Contains(batch + 1) && lossCount > 0)
                    onProgress?.Invoke(new TrainProgress(epoch + (batch + 1) / (double)stepsPerEpoch, options.Epochs, step, lossSum / lossCount, curve[^1].TestAccuracy, clock.Elapsed.TotalSeconds));
                if (evaluateAt.Contains(batch + 1) && ((epoch + 1) % options.EvaluateEveryEpochs == 0 || epoch == options.Epochs - 1))
                {
                    var (testLoss, accuracy) = EvaluateCurve(last: (epoch == options.Epochs - 1 && batch + 1 == stepsPerEpoch) || step >= stopAfterSteps);
                    var point = new CurvePoint(epoch + (batch + 1) / (double)stepsPerEpoch, step, lossSum / lossCount, testLoss, accuracy);
                    curve.Add(point);
                    if (Runaway(curve, data.Classes) is { } why)
                        throw new TrainingDivergedException($"Training ran away at epoch {point.Epoch:0.##} of {options.Epochs} (step {step}): {why}. "
                            + $"Lower LearningRate (now {options.LearningRate:g4}; try {options.LearningRate / 10:g4})"
                            + (options.Optimizer == OptimizerKind.Sgd && options.Momentum > 0 ? $" or Momentum (now {options.Momentum})" : "") + ", and check that the inputs are standardized.");
                    lossSum = 0;
                    lossCount = 0;
                    model.train();
                    onProgress?.Invoke(new TrainProgress(point.Epoch, options.Epochs, step, point.TrainLoss, accuracy, clock.Elapsed.TotalSeconds));
                }
            }
        }
        if (step < (long)options.Epochs * stepsPerEpoch && curve[^1].Step != step)
        {
            // Stopped early: one evaluation of where the head start ended.
            var (testLoss, accuracy) = Evaluate(model, data.TestX, data.TestY, options.Loss, data.Classes);
            curve.Add(new CurvePoint(step / (double)stepsPerEpoch, step, lossCount == 0 ? double.NaN : lossSum / lossCount, testLoss, accuracy));
        }
        var last = curve[^1];
        return new TrainResult(curve, last.TestAccuracy, last.TestLoss, step, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One forward pass on one training image, before any step: a net whose input size disagrees with the data, or whose
    /// output is not one logit per class, fails here with both shapes named instead of deep inside LibTorch.
    /// </summary>
    static void CheckShapes(nn.Module<Tensor, Tensor> model, TensorData data)
    {
        if (data.TrainX.shape[0] == 0) throw new ArgumentException("the data hold no training images.", nameof(data));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = data.TrainX.shape.Length == 2 ? data.TrainX.shape[1] : -1;
        Tensor output;
        try
        {
            output = model.forward(data.TrainX.narrow(0, 0, 1));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"the model cannot read the data: one training image of shape [{string.Join(", ", data.TrainX.shape.Skip(1))}] fails its forward pass "
                + $"({e.GetBaseException().Message.Split('\n')[0]}); accepted: a net whose input size is {features} and whose output has {data.Classes} logits.", nameof(model), e);
        }
        if (output.dim() != 2 || output.shape[1] != data.Classes)
            throw new ArgumentException($"the model's output has shape [{string.Join(", ", output.shape)}] for one image; accepted: [1, {data.Classes}], one logit per class of the data.", nameof(model));
    }

    /// <summary>A run whose test loss exceeds this many times its initial value is running away.</summary>
    public const double RunawayLossFactor = 100;

    /// <summary>How many evaluations in a row a runaway sign must persist before the run is stopped.</summary>
    public const int RunawayEvaluations = 3;

    /// <summary>
    /// Why a learning curve has run away, or null: the test loss above <see cref="RunawayLossFactor"/> times its initial value,
    /// or the test accuracy back within 0.02 of chance after having been 0.3 above it, for the last
    /// <see cref="RunawayEvaluations"/> evaluations. NaN and infinity are caught per step before this.
    /// </summary>
    public static string? Runaway(IReadOnlyList<CurvePoint> curve, int classes)
    {
        if (curve.Count <= RunawayEvaluations) return null;
        var initial = curve[0].TestLoss;
        var recent = curve.Skip(curve.Count - RunawayEvaluations).ToList();
        if (initial > 0 && recent.All(p => p.TestLoss > RunawayLossFactor * initial))
            return $"the test loss is {recent[^1].TestLoss:g3}, over {RunawayLossFactor:0} times its initial {initial:g3}, for {RunawayEvaluations} evaluations";
        var chance = 1.0 / classes;
        var best = curve.Take(curve.Count - RunawayEvaluations).Max(p => p.TestAccuracy);
        if (best >= chance + 0.3 && recent.All(p => p.TestAccuracy <= chance + 0.02))
            return $"the test accuracy fell back to {recent[^1].TestAccuracy:0.000}, chance level, after reaching {best:0.000}";
        return null;
    }

    /// <summary>Mean loss and accuracy of <paramref name="model"/> on a labelled set, in batches, without gradients.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, LossKind lossKind = LossKind.CrossEntropy, int classes = 10)
    {
        model.eval();
        using var _ = no_grad();
        var n = x.shape[0];
        double lossSum = 0;
        long correct = 0;
        var batchSize = x.dim() == 4 ? ImageEvaluationBatch : EvaluationBatch;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batchSize, n - start);
            var xb = x.narrow(0, start, length);
            var yb = y.narrow(0, start, length);
            var output = model.forward(xb);
            lossSum += Loss(output, yb, lossKind, classes).item<float>() * length;
            correct += output.argmax(1).eq(yb).sum().item<long>();
        }
        return (lossSum / n, correct / (double)n);
    }

    /// <summary>The batch loss: softmax cross-entropy, or ½‖f(x) − onehot(y)‖² averaged over the batch.</summary>
    public static Tensor Loss(Tensor output, Tensor labels, LossKind kind, int classes) => kind switch
    {
        LossKind.CrossEntropy => nn.functional.cross_entropy(output, labels),
        _ => output.sub(nn.functional.one_hot(labels, classes).to(output.dtype)).Power(2).sum(1).mean().Times(0.5),
    };

    static optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model, TrainOptions options)
    {
        var adam = options.Optimizer == OptimizerKind.Adam;
        var perTensor = model is ILearningRateGroups scaled
            ? scaled.LearningRateGroups(adam)
            : model.parameters().Select(p => (Parameter: p, LearningRateMultiplier: 1.0)).ToList();
        var groups = perTensor.GroupBy(g => g.LearningRateMultiplier);
        if (adam)
            return optim.Adam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Select(p => p.Parameter),
                new TorchSharp.Modules.Adam.Options { LearningRate = options.LearningRate * g.Key })), options.LearningRate, weight_decay: options.WeightDecay);
        return optim.SGD(groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g.Select(p => p.Parameter),
            new TorchSharp.Modules.SGD.Options { LearningRate = options.LearningRate * g.Key })), options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay);
    }

    static string DivergenceMessage(TrainOptions options, int epoch, long batch, long step, float value) =>
        $"Training diverged: the {options.Loss} loss was {value} at epoch {epoch + 1} of {options.Epochs}, batch {batch + 1} (step {step + 1}). "
        + $"Lower LearningRate (now {options.LearningRate:g4}; try {options.LearningRate / 10:g4})"
        + (options.Optimizer == OptimizerKind.Sgd ? (options.Momentum > 0 ? $", lower Momentum (now {options.Momentum})" : "") + " or switch Optimizer to Adam" : "")
        + ", and check that the inputs are standardized.";
}
