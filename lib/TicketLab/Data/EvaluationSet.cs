using static TorchSharp.torch;

namespace TicketLab.Data;

/// <summary>Inputs and labels on which units are scored.</summary>
public sealed record EvaluationSet(Tensor Inputs, Tensor Labels, int Classes, IReadOnlyList<string> ClassNames) : IDisposable
{
    /// <summary>The first <paramref name="perClass"/> test images of each class, standardized like the training data.</summary>
    public static EvaluationSet FromTest(LabeledData data, int perClass)
    {
        var test = data.Test.BalancedSubset(perClass);
        return new EvaluationSet(test.ImagesTensor(data.PixelMean, data.PixelStd), test.LabelsTensor(), data.Info.ClassNames.Length, data.Info.ClassNames);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
