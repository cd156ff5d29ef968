namespace TicketLab.Detectors;

/// <summary>
/// The same exact class-vs-rest AUC as <see cref="Auc.ClassVsRestRows"/> (mid-ranks, ties count half), computed on
/// the CPU with a radix sort: O(n) per unit instead of a comparison sort, which makes ranking cheaper than the matrix
/// product that produces the units. Exact zeros (half of a ReLU unit's values) are counted per class rather than sorted.
/// The random-unit sampler and the rare-event estimators use it; the tests check it against the tensor version and
/// against a count over all pairs.
/// </summary>
public static class RadixAuc
{
    /// <summary>
    /// AUC [class, unit] of <paramref name="units"/> units whose activations on <paramref name="n"/> examples are the rows
    /// of <paramref name="rows"/> (row-major, units x n), against <paramref name="labels"/> in 0..classes−1 (classes ≤ 256).
    /// </summary>
    public static double[,] ClassVsRest(ReadOnlySpan<float> rows, int units, int n, ReadOnlySpan<int> labels, int classes)
    {
        if (rows.Length != (long)units * n) throw new ArgumentException($"expected {units} x {n} values, got {rows.Length}.", nameof(rows));
        if (labels.Length != n) throw new ArgumentException($"expected {n} labels, got {labels.Length}.", nameof(labels));
        if (classes is < 2 or > 256) throw new ArgumentOutOfRangeException(nameof(classes), classes, "accepted: 2 to 256");
        var positives = new long[classes];
        foreach (var l in labels)
        {
            if ((uint)l >= classes) throw new ArgumentOutOfRangeException(nameof(labels), l, $"accepted: 0 to {classes - 1}");
            positives[l]++;
        }
        if (positives.Any(p => p < 1 || p > n - 1))
            throw new ArgumentException("every class needs at least one example in and one out of it for an AUC.", nameof(labels));
        var auc = new double[classes, units];
        var data = rows.ToArray(); // one copy: the parallel loop cannot capture a span
        var labelBytes = labels.ToArray().Select(l => (byte)l).ToArray();
        try
        {
            Parallel.For(0, units, () => (new ulong[n], new ulong[n], new long[classes], new long[classes]), (u, _, buffers) =>
            {
                var (keys, scratch, twiceRankSums, zeros) = buffers;
                Array.Clear(twiceRankSums);
                Array.Clear(zeros);
                var row = data.AsSpan(u * n, n);
                // Exact zeros (half of a ReLU unit's values, all tied) are counted per class, not sorted; the rest are
                // sorted by value with the label in the low byte. The negatives then rank first, the zeros next, the positives last.
                int sorted = 0, negatives = 0;
                for (var i = 0; i < n; i++)
                {
                    var value = row[i];
                    if (value == 0)
                    {
                        zeros[labelBytes[i]]++;
                        continue;
                    }
                    keys[sorted++] = ((ulong)SortableBits(value) << 8) | labelBytes[i];
                    if (value < 0) negatives++;
                }
                var zeroCount = n - sorted;
                long twiceZeroMid = 2L * negatives + zeroCount + 1;
                for (var c = 0; c < classes; c++) twiceRankSums[c] += zeros[c] * twiceZeroMid;
                SortByUpper32(keys, scratch, sorted);
                // Walk runs of equal values: each member gets twice the mid-rank, (start + end + 1) for 1-based ranks, counting
                // the zeros before every positive run.
                for (var start = 0; start < sorted;)
                {
                    var value = keys[start] >> 8;
                    var end = start + 1;
                    while (end < sorted && keys[end] >> 8 == value) end++;
                    var shift = start < negatives ? 0 : zeroCount;
                    long twiceMid = start + end + 2L * shift + 1;
                    for (var j = start; j < end; j++) twiceRankSums[keys[j] & 0xFF] += twiceMid;
                    start = end;
                }
                for (var c = 0; c < classes; c++)
                {
                    double p = positives[c];
                    auc[c, u] = (twiceRankSums[c] / 2.0 - p * (p + 1) / 2) / (p * (n - p));
                }
                return buffers;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerException is ArgumentException bad)
        {
            // A NaN in a row: the same error as a loop on one thread would give, not one wrapped by the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(bad);
        }
        return auc;
    }

    /// <summary>Maps a float to an unsigned integer with the same order (−0 and +0 equal; NaN is rejected).</summary>
    static uint SortableBits(float value)
    {
        if (float.IsNaN(value)) throw new ArgumentException("activations contain NaN: the unit or its inputs diverged.", "rows");
        if (value == 0) value = 0; // −0 → +0 (the AUC counts zeros apart; this keeps the mapping right for any caller)
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }

    /// <summary>
    /// LSD radix sort of the first <paramref name="count"/> keys by bits 8..39 (the value), four 8-bit passes whose counts
    /// are taken in one read; a pass where every key has the same digit is skipped; equal values keep their order. With
    /// 256 buckets the counts stay in the first-level cache: for a few thousand keys this is about three times faster
    /// than three 11-bit passes, whose 2,048 buckets cost more to clear and sum than the keys themselves (a probe).
    /// </summary>
    static void SortByUpper32(ulong[] keys, ulong[] scratch, int count)
    {
        if (count < 2) return;
        Span<int> counts = stackalloc int[4 * 256];
        for (var i = 0; i < count; i++)
        {
            var k = keys[i];
            counts[(int)(k >> 8) & 255]++;
            counts[256 + ((int)(k >> 16) & 255)]++;
            counts[512 + ((int)(k >> 24) & 255)]++;
            counts[768 + ((int)(k >> 32) & 255)]++;
        }
        var source = keys;
        var target = scratch;
        for (var pass = 0; pass < 4; pass++)
        {
            var digits = counts.Slice(pass * 256, 256);
            var shift = 8 + 8 * pass;
            if (digits[(int)(source[0] >> shift) & 255] == count) continue; // every key has the same digit: nothing to do
            var sum = 0;
            for (var d = 0; d < 256; d++)
            {
                var c = digits[d];
                digits[d] = sum;
                sum += c;
            }
            for (var i = 0; i < count; i++)
            {
                var k = source[i];
                target[digits[(int)(k >> shift) & 255]++] = k;
            }
            (source, target) = (target, source);
        }
        if (!ReferenceEquals(source, keys)) source.AsSpan(0, count).CopyTo(keys);
    }
}
