namespace TicketLab.Pruning;

/// <summary>The best subset of random values to approximate a target (the SubsetSum step of the strong-LTH proofs).</summary>
/// <param name="Error">|target − sum of the chosen values|.</param>
/// <param name="Chosen">Which values are kept.</param>
public sealed record SubsetSumResult(double Error, bool[] Chosen);

/// <summary>
/// Exact best subset sum by meet in the middle: the subset sums of each half (2^(n/2) each), one half sorted, and for
/// every sum of the other the nearest complement by binary search. O(2^(n/2) n); n up to about 44.
/// </summary>
public static class SubsetSum
{
    /// <summary>The subset of <paramref name="values"/> whose sum is closest to <paramref name="target"/> (the empty subset included).</summary>
    public static SubsetSumResult Best(double target, IReadOnlyList<double> values)
    {
        var n = values.Count;
        if (n > 44) throw new ArgumentOutOfRangeException(nameof(values), n, "accepted: at most 44 values (2^22 subset sums per half)");
        var half = n / 2;
        var left = Sums(values.Take(half).ToArray());
        var right = Sums(values.Skip(half).ToArray());
        var order = Enumerable.Range(0, right.Length).ToArray();
        var sortedRight = (double[])right.Clone();
        Array.Sort(sortedRight, order);
        var (bestError, bestLeft, bestRight) = (double.PositiveInfinity, 0, 0);
        for (var i = 0; i < left.Length; i++)
        {
            var want = target - left[i];
            var j = Array.BinarySearch(sortedRight, want);
            if (j < 0) j = ~j;
            foreach (var candidate in new[] { j - 1, j })
            {
                if (candidate < 0 || candidate >= sortedRight.Length) continue;
                var error = Math.Abs(want - sortedRight[candidate]);
                if (error < bestError) (bestError, bestLeft, bestRight) = (error, i, order[candidate]);
            }
        }
        var chosen = new bool[n];
        for (var b = 0; b < half; b++) chosen[b] = (bestLeft >> b & 1) == 1;
        for (var b = 0; b < n - half; b++) chosen[half + b] = (bestRight >> b & 1) == 1;
        return new SubsetSumResult(bestError, chosen);
    }

    static double[] Sums(double[] values)
    {
        var sums = new double[1 << values.Length];
        for (var b = 0; b < values.Length; b++)
        {
            var size = 1 << b;
            for (var s = 0; s < size; s++) sums[size + s] = sums[s] + values[b];
        }
        return sums;
    }
}
