namespace TicketLab.Pruning;

/// <summary>
/// Pruning alone, no training, approximating a target neuron's pre-activation w·x (x in [−1, 1]^d). Weight pruning
/// follows Pensia et al. 2020: each input coordinate gets n random hidden units relu(a_j x_i) with random output
/// weights b_j; keeping a subset makes Σ b_j relu(a_j x_i) = (Σ b_j a_j)·relu(x_i) for a_j &gt; 0 (and likewise for
/// relu(−x_i) with a_j &lt; 0), so each of w_i and −w_i is a SubsetSum of the products b_j·|a_j|: the error falls
/// exponentially in n. Neuron pruning may only drop whole random neurons relu(u·x) of a random net; its error falls
/// only polynomially (Malach et al. 2020: Ω(1/ε) neurons are needed).
/// </summary>
public static class StrongLottery
{
    /// <summary>RMS error over random inputs of the best weight-pruned random net with <paramref name="unitsPerWeight"/> units per input.</summary>
    public static double WeightPruningError(double[] target, int unitsPerWeight, int samples = 2000, int seed = 0)
    {
        if (unitsPerWeight is < 2 or > 88) throw new ArgumentOutOfRangeException(nameof(unitsPerWeight), unitsPerWeight, "accepted: 2 to 88 (two SubsetSums of up to 44 values)");
        var random = new Random(seed);
        var d = target.Length;
        // Coefficients realized by the kept units on relu(x_i) and relu(−x_i).
        var positive = new double[d];
        var negative = new double[d];
        for (var i = 0; i < d; i++)
        {
            var a = Enumerable.Range(0, unitsPerWeight).Select(_ => Uniform53(random) * 2 - 1).ToArray();
            var b = Enumerable.Range(0, unitsPerWeight).Select(_ => Uniform53(random) * 2 - 1).ToArray();
            var up = Enumerable.Range(0, unitsPerWeight).Where(j => a[j] > 0).Select(j => b[j] * a[j]).ToArray();
            var down = Enumerable.Range(0, unitsPerWeight).Where(j => a[j] < 0).Select(j => b[j] * -a[j]).ToArray();
            var chosenUp = SubsetSum.Best(target[i], up);
            var chosenDown = SubsetSum.Best(-target[i], down);
            positive[i] = up.Where((_, j) => chosenUp.Chosen[j]).Sum();
            negative[i] = down.Where((_, j) => chosenDown.Chosen[j]).Sum();
        }
        return RmsError(target, samples, random, x => Enumerable.Range(0, d).Sum(i => positive[i] * Math.Max(0, x[i]) + negative[i] * Math.Max(0, -x[i])));
    }

    /// <summary>
    /// RMS error over random inputs when only whole neurons of a random one-hidden-layer net (<paramref name="neurons"/>
    /// units relu(u·x), output weights v) may be dropped; the subset is chosen greedily (forward selection), an upper
    /// bound on the best subset's error.
    /// </summary>
    public static double NeuronPruningError(double[] target, int neurons, int samples = 2000, int seed = 0)
    {
        if (neurons < 1) throw new ArgumentOutOfRangeException(nameof(neurons), neurons, "accepted: at least 1");
        var random = new Random(seed);
        var d = target.Length;
        var xs = Enumerable.Range(0, samples).Select(_ => Enumerable.Range(0, d).Select(_ => Uniform53(random) * 2 - 1).ToArray()).ToArray();
        var goal = xs.Select(x => Dot(target, x)).ToArray();
        var contributions = Enumerable.Range(0, neurons).Select(_ =>
        {
            var u = Enumerable.Range(0, d).Select(_ => Uniform53(random) * 2 - 1).ToArray();
            var v = Uniform53(random) * 2 - 1;
            return xs.Select(x => v * Math.Max(0, Dot(u, x))).ToArray();
        }).ToList();
        var current = new double[samples];
        var remaining = Enumerable.Range(0, neurons).ToHashSet();
        var best = Rms(current, goal);
        while (remaining.Count > 0)
        {
            var (pick, error) = remaining.Select(j => (j, Rms(current.Select((c, s) => c + contributions[j][s]).ToArray(), goal))).MinBy(t => t.Item2);
            if (error >= best) break;
            best = error;
            remaining.Remove(pick);
            for (var s = 0; s < samples; s++) current[s] += contributions[pick][s];
        }
        return best;
    }

    static double RmsError(double[] target, int samples, Random random, Func<double[], double> approximation)
    {
        double sum = 0;
        for (var s = 0; s < samples; s++)
        {
            var x = Enumerable.Range(0, target.Length).Select(_ => Uniform53(random) * 2 - 1).ToArray();
            var e = approximation(x) - Dot(target, x);
            sum += e * e;
        }
        return Math.Sqrt(sum / samples);
    }

    static double Rms(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (p, q) => (p - q) * (p - q)).Average());

    static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// A uniform double on [0, 1) with all 53 bits of the mantissa random: a seeded System.Random's NextDouble lies on a
    /// 1/(2^31 - 1) grid, which would floor SubsetSum errors near 1e-10 and make the large-n errors artefacts.
    /// </summary>
    public static double Uniform53(Random random) => (((long)random.Next(1 << 26) << 27) | (long)random.Next(1 << 27)) / 9007199254740992.0;
}
