using MathNet.Numerics;

namespace TicketLab.Pruning;

/// <summary>How many ways there are to prune: masks of weights against subsets of neurons (in bits).</summary>
public static class Counting
{
    /// <summary>log2 C(n, k): the masks of <paramref name="weights"/> weights that keep exactly <paramref name="kept"/> of them.</summary>
    public static double Log2MasksKeeping(long weights, long kept)
    {
        if (weights < 0 || kept < 0 || kept > weights)
            throw new ArgumentOutOfRangeException(nameof(kept), kept, $"accepted: 0 to {weights} kept weights");
        return SpecialFunctions.BinomialLn((int)Math.Min(weights, int.MaxValue), (int)kept) / Math.Log(2);
    }

    /// <summary>log2 of all 2^n masks of <paramref name="weights"/> weights (n bits).</summary>
    public static double Log2AllMasks(long weights) => weights;

    /// <summary>log2 of the subsets of <paramref name="neurons"/> neurons (m bits).</summary>
    public static double Log2NeuronSubsets(long neurons) => neurons;

    /// <summary>n·H(k) bits: the entropy approximation of log2 C(n, k n).</summary>
    public static double EntropyBits(long weights, double keepFraction)
    {
        if (!(keepFraction > 0 && keepFraction < 1)) return 0;
        return weights * -(keepFraction * Math.Log2(keepFraction) + (1 - keepFraction) * Math.Log2(1 - keepFraction));
    }
}
