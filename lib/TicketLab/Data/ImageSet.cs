using static TorchSharp.torch;

namespace TicketLab.Data;

/// <summary>
/// Images with integer labels, kept as bytes: grey-scale (the bytes of the IDX files) or, with <paramref name="Channels"/> &gt; 1,
/// colour images stored channel by channel (all red bytes of an image, then green, then blue: the CIFAR-10 binary layout).
/// </summary>
public sealed record ImageSet(byte[] Pixels, byte[] Labels, int Rows, int Columns, IReadOnlyList<string> ClassNames, int Channels = 1)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Bytes per image (channels x rows x columns).</summary>
    public int Features => Channels * Rows * Columns;

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
        var x = tensor(Pixels, dtype: ScalarType.Byte).reshape(Count, Features).to(ScalarType.Float32).DividedByInPlace(255.0);
        x = x.sub_(mean).div_(std);
        return x.to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Images as a float32 tensor (N x channels x rows x columns) scaled to [0, 1], then standardized per channel as
    /// (x - mean[c]) / std[c].
    /// </summary>
    public Tensor ImagesTensorChannels(IReadOnlyList<double> mean, IReadOnlyList<double> std, Device? device = null)
    {
        if (mean.Count != Channels) throw new ArgumentException($"{mean.Count} channel means for {Channels} channels; accepted: one per channel.", nameof(mean));
        if (std.Count != Channels) throw new ArgumentException($"{std.Count} channel standard deviations for {Channels} channels; accepted: one per channel.", nameof(std));
        using var scope = NewDisposeScope();
        var x = tensor(Pixels, dtype: ScalarType.Byte).reshape(Count, Channels, Rows, Columns).to(ScalarType.Float32).DividedByInPlace(255.0);
        using var m = tensor(mean.Select(v => (float)v).ToArray()).reshape(1, Channels, 1, 1);
        using var s = tensor(std.Select(v => (float)v).ToArray()).reshape(1, Channels, 1, 1);
        x = x.sub_(m).div_(s);
        return x.to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>Mean and standard deviation of each channel's pixels in [0, 1], over all images.</summary>
    public (double[] Mean, double[] Std) ChannelStatistics()
    {
        var plane = Rows * Columns;
        var sum = new double[Channels];
        var squares = new double[Channels];
        for (var i = 0; i < Count; i++)
            for (var c = 0; c < Channels; c++)
            {
                long s = 0, q = 0;
                foreach (var p in Pixels.AsSpan(i * Features + c * plane, plane)) { s += p; q += p * p; }
                sum[c] += s / 255.0;
                squares[c] += q / (255.0 * 255.0);
            }
        var n = (double)Count * plane;
        var mean = sum.Select(v => v / n).ToArray();
        var std = squares.Select((q, c) => Math.Sqrt(Math.Max(q / n - mean[c] * mean[c], 1e-12))).ToArray();
        return (mean, std);
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
