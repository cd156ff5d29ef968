namespace TicketLab.Training;

/// <summary>One learning-curve point.</summary>
/// <param name="Epoch">Fractional epoch at which it was measured (e.g. 1.25).</param>
/// <param name="Step">Optimizer steps so far.</param>
/// <param name="TrainLoss">Mean training loss over the steps since the previous point.</param>
/// <param name="TestLoss">Loss on the test set.</param>
/// <param name="TestAccuracy">Fraction of the test set classified correctly.</param>
public sealed record CurvePoint(double Epoch, long Step, double TrainLoss, double TestLoss, double TestAccuracy);

/// <summary>Progress of a running training, passed to the caller's callback after every evaluation.</summary>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="TotalEpochs">Epochs planned.</param>
/// <param name="Step">Steps so far.</param>
/// <param name="TrainLoss">Latest mean training loss.</param>
/// <param name="TestAccuracy">Latest test accuracy.</param>
/// <param name="Seconds">Seconds since the start.</param>
public sealed record TrainProgress(double Epoch, int TotalEpochs, long Step, double TrainLoss, double TestAccuracy, double Seconds) : IProgressReport
{
    /// <summary>Fraction done, 0 to 1.</summary>
    public double Fraction => Math.Clamp(Epoch / TotalEpochs, 0, 1);

    /// <summary>The one-line status (see <see cref="ToString"/>).</summary>
    public string Text => ToString();

    /// <summary>A one-line status such as "epoch 3.0/10 · step 1407 · train loss 0.412 · test accuracy 0.853 · 12 s".</summary>
    public override string ToString() =>
        $"epoch {Epoch:0.0}/{TotalEpochs} · step {Step} · train loss {TrainLoss:0.000} · test accuracy {TestAccuracy:0.000} · {Seconds:0} s";
}

/// <summary>The outcome of a training run.</summary>
/// <param name="Curve">Learning-curve points, the first one before any step.</param>
/// <param name="FinalTestAccuracy">Test accuracy at the end.</param>
/// <param name="FinalTestLoss">Test loss at the end.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="Seconds">Wall-clock seconds of the run (0 when loaded from the cache).</param>
public sealed record TrainResult(IReadOnlyList<CurvePoint> Curve, double FinalTestAccuracy, double FinalTestLoss, long Steps, double Seconds);

/// <summary>Training produced a NaN or infinite loss; the message names where and what to change.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
