namespace TicketLab.Detectors;

/// <summary>
/// The same exact class-vs-rest AUC as <see cref="Auc.ClassVsRestRows"/> (mid-ranks, ties count half), computed on
/// the CPU with a radix sort: O(n) per unit instead of a comparison sort, which makes ranking cheaper than the matrix
/// product that produces the units. The random-unit sampler uses it; the tests check it against the tensor version.
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
        Parallel.For(0, units, () => (new ulong[n], new ulong[n], new long[classes]), (u, _, buffers) =>
        {
            var (keys, scratch, twiceRankSums) = buffers;
            Array.Clear(twiceRankSums);
            var row = data.AsSpan(u * n, n);
            for (var i = 0; i < n; i++) keys[i] = ((ulong)SortableBits(row[i]) << 8) | labelBytes[i];
            SortByUpper32(keys, scratch);
            // Walk runs of equal values: each member gets twice the mid-rank, (start + end + 1) for 1-based ranks.
            for (var start = 0; start < n;)
            {
                var value = keys[start] >> 8;
                var end = start + 1;
                while (end < n && keys[end] >> 8 == value) end++;
                long twiceMid = start + end + 1;
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
        return auc;
    }

    /// <summary>Maps a float to an unsigned integer with the same order (−0 and +0 equal; NaN is rejected).</summary>
    static uint SortableBits(float value)
    {
        if (float.IsNaN(value)) throw new ArgumentException("activations contain NaN: the unit or its inputs diverged.");
        if (value == 0) value = 0; // −0 → +0
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }

    /// <summary>LSD radix sort by bits 8..39 (the value), three 11-bit passes; equal values keep their order.</summary>
    static void SortByUpper32(ulong[] keys, ulong[] scratch)
    {
        const int digitBits = 11, buckets = 1 << digitBits, mask = buckets - 1;
        Span<int> counts = stackalloc int[buckets];
        var source = keys;
        var target = scratch;
        var n = keys.Length;
        for (var shift = 8; shift < 40; shift += digitBits)
        {
            counts.Clear();
            for (var i = 0; i < n; i++) counts[(int)(source[i] >> shift) & mask]++;
            var first = (int)(source[0] >> shift) & mask;
            if (counts[first] == n) continue; // every key has the same digit: nothing to do
            var sum = 0;
            for (var d = 0; d < buckets; d++)
            {
                var c = counts[d];
                counts[d] = sum;
                sum += c;
            }
            for (var i = 0; i < n; i++)
            {
                var k = source[i];
                target[counts[(int)(k >> shift) & mask]++] = k;
            }
            (source, target) = (target, source);
        }
        if (!ReferenceEquals(source, keys)) source.AsSpan().CopyTo(keys);
    }
}
