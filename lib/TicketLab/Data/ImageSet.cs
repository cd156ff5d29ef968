using static TorchSharp.torch;

namespace TicketLab.Data;

/// <summary>Grey-scale images with integer labels, kept as the bytes of the IDX files.</summary>
public sealed record ImageSet(byte[] Pixels, byte[] Labels, int Rows, int Columns, IReadOnlyList<string> ClassNames)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixels per image.</summary>
    public int Features => Rows * Columns;

    /// <summary>Builds a set from an image IDX array (N x rows x cols) and a label IDX array (N), checking they agree.</summary>
    public static ImageSet FromIdx(IdxArray images, IdxArray labels, IReadOnlyList<string> classNames, string source)
    {
        if (images.Dimensions.Length != 3)
            throw new InvalidDataException($"{source}: image file has {images.Dimensions.Length} dimensions; expected 3 (count x rows x columns).");
        if (labels.Dimensions.Length != 1)
            throw new InvalidDataException($"{source}: label file has {labels.Dimensions.Length} dimensions; expected 1.");
        if (images.Count != labels.Count)
            throw new InvalidDataException($"{source}: {images.Count} images but {labels.Count} labels.");
        var bad = Array.FindIndex(labels.Values, l => l >= classNames.Count);
        if (bad >= 0)
            throw new InvalidDataException($"{source}: label {labels.Values[bad]} at index {bad} is outside 0..{classNames.Count - 1}.");
        return new ImageSet(images.Values, labels.Values, images.Dimensions[1], images.Dimensions[2], classNames);
    }

    /// <summary>The first <paramref name="perClass"/> images of each class, in file order (a deterministic, balanced subset).</summary>
    public ImageSet BalancedSubset(int perClass)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "accepted: 1 or more images per class");
        var taken = new int[ClassNames.Count];
        var keep = new List<int>();
        for (var i = 0; i < Count; i++)
            if (taken[Labels[i]] < perClass) { taken[Labels[i]]++; keep.Add(i); }
        return Select(keep);
    }

    /// <summary>
    /// Two disjoint balanced halves: per class, its first <paramref name="perClass"/> images in file order go to A and the
    /// next <paramref name="perClass"/> to B (a fixed split: select on A, report on B).
    /// </summary>
    public (ImageSet A, ImageSet B) Halves(int perClass)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "accepted: 1 or more images per class and half");
        return Parts(perClass, perClass, (taken, c) => new ArgumentOutOfRangeException(nameof(perClass), perClass,
            $"accepted: at most {taken.Min() / 2} (class {ClassNames[c]} has {taken[c]} images, and two halves need {2 * perClass})"));
    }

    /// <summary>
    /// Two disjoint balanced parts: per class, its first <paramref name="firstPerClass"/> images in file order go to the first
    /// and the next <paramref name="secondPerClass"/> to the second (for example training images and held-out validation images).
    /// </summary>
    public (ImageSet First, ImageSet Second) Split(int firstPerClass, int secondPerClass)
    {
        if (firstPerClass < 1) throw new ArgumentOutOfRangeException(nameof(firstPerClass), firstPerClass, "accepted: 1 or more images per class");
        if (secondPerClass < 1) throw new ArgumentOutOfRangeException(nameof(secondPerClass), secondPerClass, "accepted: 1 or more images per class");
        return Parts(firstPerClass, secondPerClass, (taken, c) => taken[c] <= firstPerClass
            ? new ArgumentOutOfRangeException(nameof(firstPerClass), firstPerClass, $"accepted: fewer than {taken.Min()} (class {ClassNames[c]} has {taken[c]} images, and the second part needs some too)")
            : new ArgumentOutOfRangeException(nameof(secondPerClass), secondPerClass, $"accepted: at most {taken.Min() - firstPerClass} after {firstPerClass} per class (class {ClassNames[c]} has {taken[c]} images)"));
    }

    (ImageSet, ImageSet) Parts(int first, int second, Func<int[], int, Exception> tooFew)
    {
        var taken = new int[ClassNames.Count];
        List<int> a = [], b = [];
        for (var i = 0; i < Count; i++)
        {
            var seen = taken[Labels[i]]++;
            if (seen < first) a.Add(i);
            else if (seen < first + second) b.Add(i);
        }
        var short_ = Enumerable.Range(0, ClassNames.Count).FirstOrDefault(c => taken[c] < first + second, -1);
        if (short_ >= 0) throw tooFew(taken, short_);
        return (Select(a), Select(b));
    }

    /// <summary>The first <paramref name="count"/> images.</summary>
    public ImageSet Take(int count) =>
        count >= Count ? this : Select(Enumerable.Range(0, count).ToList());

    /// <summary>Images per class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Count];
        foreach (var l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>The pixels of image <paramref name="index"/> (row-major bytes).</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Features, Features);

    /// <summary>Images as a float32 tensor (N x features) scaled to [0, 1], then standardized as (x - mean) / std.</summary>
    public Tensor ImagesTensor(double mean, double std, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var x = tensor(Pixels, dtype: ScalarType.Byte).reshape(Count, Features).to(ScalarType.Float32).div_(255.0);
        x = x.sub_(mean).div_(std);
        return x.to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>Labels as an int64 tensor (N).</summary>
    public Tensor LabelsTensor(Device? device = null) =>
        tensor(Labels, dtype: ScalarType.Byte).to(ScalarType.Int64).to(device ?? CPU);

    ImageSet Select(List<int> indices)
    {
        var pixels = new byte[indices.Count * Features];
        var labels = new byte[indices.Count];
        for (var j = 0; j < indices.Count; j++)
        {
            Image(indices[j]).CopyTo(pixels.AsSpan(j * Features));
            labels[j] = Labels[indices[j]];
        }
        return this with { Pixels = pixels, Labels = labels };
    }
}
