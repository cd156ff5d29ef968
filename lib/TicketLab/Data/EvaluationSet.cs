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

    /// <summary>
    /// The test set split into two fixed balanced halves of <paramref name="perClass"/> images per class each
    /// (<see cref="ImageSet.Halves"/>), standardized like the training data: units are selected on A and reported on B.
    /// </summary>
    public static (EvaluationSet A, EvaluationSet B) Halves(LabeledData data, int perClass)
    {
        var (a, b) = data.Test.Halves(perClass);
        EvaluationSet Of(ImageSet set) => new(set.ImagesTensor(data.PixelMean, data.PixelStd), set.LabelsTensor(), data.Info.ClassNames.Length, data.Info.ClassNames);
        return (Of(a), Of(b));
    }

    /// <summary>The first <paramref name="perClass"/> images of each class of this set, in order.</summary>
    public EvaluationSet Subset(int perClass)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "accepted: 1 or more images per class");
        var labels = Labels.to(ScalarType.Int64).data<long>().ToArray();
        var taken = new int[Classes];
        var keep = new List<long>();
        for (var i = 0; i < labels.Length; i++)
            if (taken[labels[i]]++ < perClass) keep.Add(i);
        using var index = tensor(keep.ToArray());
        return new EvaluationSet(Inputs.index_select(0, index), Labels.index_select(0, index), Classes, ClassNames);
    }

    /// <summary>The images of two classes only, relabelled 1 (<paramref name="positive"/>) and 0 (<paramref name="negative"/>): a two-class concept.</summary>
    public EvaluationSet Pair(int positive, int negative)
    {
        using var scope = NewDisposeScope();
        var keep = Labels.EqualTo(positive).logical_or(Labels.EqualTo(negative)).nonzero().squeeze(1);
        var x = Inputs.index_select(0, keep);
        var y = Labels.index_select(0, keep).EqualTo(positive).to(ScalarType.Int64);
        return new EvaluationSet(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), 2, [ClassNames[negative], ClassNames[positive]]);
    }

    /// <summary>Images in the set.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
