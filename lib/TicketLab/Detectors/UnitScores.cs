using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>
/// Detector scores of a set of units: per class the AUC (direction kept) and the quality max(AUC, 1 − AUC);
/// per unit its best class, that quality, and the class selectivity index (Morcos et al. 2018) when computed.
/// </summary>
public sealed class UnitScores
{
    UnitScores(float[][] auc, float[]? selectivity)
    {
        Auc = auc;
        Selectivity = selectivity;
        var units = auc[0].Length;
        BestQuality = new float[units];
        BestClass = new int[units];
        for (var u = 0; u < units; u++)
        {
            for (var c = 0; c < auc.Length; c++)
            {
                var q = Math.Max(auc[c][u], 1 - auc[c][u]);
                if (q > BestQuality[u]) (BestQuality[u], BestClass[u]) = (q, c);
            }
        }
    }

    /// <summary>AUC per class and unit ([class][unit]); below 0.5 the unit detects the class by low activation.</summary>
    public float[][] Auc { get; }

    /// <summary>Class selectivity index per unit, or null when not computed (the random-unit sampler skips it).</summary>
    public float[]? Selectivity { get; }

    /// <summary>max over classes of max(AUC, 1 − AUC), per unit.</summary>
    public float[] BestQuality { get; }

    /// <summary>The class of <see cref="BestQuality"/>, per unit.</summary>
    public int[] BestClass { get; }

    /// <summary>Number of units.</summary>
    public int Count => BestQuality.Length;

    /// <summary>Number of classes.</summary>
    public int Classes => Auc.Length;

    /// <summary>Quality max(AUC, 1 − AUC) of every unit for one class.</summary>
    public float[] Quality(int @class) => Auc[@class].Select(a => Math.Max(a, 1 - a)).ToArray();

    /// <summary>The unit with the highest quality for <paramref name="class"/>, that quality, and whether it fires for the class (true) or against it.</summary>
    public (int Unit, double Quality, bool FiresForClass) Best(int @class)
    {
        var best = 0;
        var quality = Quality(@class);
        for (var u = 1; u < Count; u++) if (quality[u] > quality[best]) best = u;
        return (best, quality[best], Auc[@class][best] >= 0.5);
    }

    /// <summary>Scores the columns of <paramref name="activations"/> (N x U) against labels 0..classes−1.</summary>
    public static UnitScores Score(Tensor activations, Tensor labels, int classes, bool withSelectivity = true)
    {
        using var scope = NewDisposeScope();
        return FromAuc(Detectors.Auc.ClassVsRest(activations, labels, classes),
            withSelectivity ? Detectors.Auc.SelectivityIndex(activations.to(ScalarType.Float32), labels, classes) : null);
    }

    /// <summary>
    /// Scores units given one per row (U x N), without the selectivity index: the sampler's path. On the CPU it ranks
    /// with <see cref="RadixAuc"/>; elsewhere (e.g. CUDA) with the tensor version.
    /// </summary>
    public static UnitScores ScoreRows(Tensor rows, Tensor labels, int classes)
    {
        if (rows.device_type != TorchSharp.DeviceType.CPU)
        {
            using var scope = NewDisposeScope();
            return FromAuc(Detectors.Auc.ClassVsRestRows(rows, labels, classes), null);
        }
        var (units, n) = ((int)rows.shape[0], (int)rows.shape[1]);
        using var contiguous = rows.to(ScalarType.Float32).contiguous();
        using var labels32 = labels.to(ScalarType.Int32).contiguous();
        var auc = RadixAuc.ClassVsRest(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contiguous.bytes), units, n,
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(labels32.bytes), classes);
        var result = new float[classes][];
        for (var c = 0; c < classes; c++)
        {
            result[c] = new float[units];
            for (var u = 0; u < units; u++) result[c][u] = (float)auc[c, u];
        }
        return new UnitScores(result, null);
    }

    static UnitScores FromAuc(Tensor aucCxU, Tensor? selectivity)
    {
        var auc = aucCxU.to(ScalarType.Float32).contiguous();
        var classes = (int)auc.shape[0];
        var all = auc.data<float>().ToArray();
        var units = (int)auc.shape[1];
        var rows = Enumerable.Range(0, classes).Select(c => all.AsSpan(c * units, units).ToArray()).ToArray();
        return new UnitScores(rows, selectivity?.to(ScalarType.Float32).data<float>().ToArray());
    }

    /// <summary>The scores of the hidden units of every hidden layer of <paramref name="net"/> (layer 1 first).</summary>
    public static IReadOnlyList<UnitScores> ScoreHiddenLayers(Mlp net, Tensor inputs, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        net.eval();
        var activations = net.Activations(inputs);
        return activations.Take(activations.Count - 1).Select(a => Score(a, labels, classes)).ToList();
    }

    /// <summary>All units of several score sets, in order (e.g. the batches of a sampler).</summary>
    public static UnitScores Concat(IReadOnlyList<UnitScores> parts)
    {
        var classes = parts[0].Classes;
        var auc = Enumerable.Range(0, classes).Select(c => parts.SelectMany(p => p.Auc[c]).ToArray()).ToArray();
        var csi = parts.All(p => p.Selectivity is not null) ? parts.SelectMany(p => p.Selectivity!).ToArray() : null;
        return new UnitScores(auc, csi);
    }

    /// <summary>The first <paramref name="count"/> units.</summary>
    public UnitScores Take(int count) =>
        new(Auc.Select(a => a[..Math.Min(count, a.Length)]).ToArray(), Selectivity?[..Math.Min(count, Selectivity.Length)]);
}
