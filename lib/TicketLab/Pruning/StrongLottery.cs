using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>One overparameterization factor of the strong-LTH construction on the trained baseline.</summary>
/// <param name="Overparameterization">Random hidden units per input of every target layer (n): the random net is n times wider than the target.</param>
/// <param name="LayerErrors">Per target layer: ‖approximate − trained pre-activations‖ / ‖trained pre-activations‖ on the test images, each layer fed the trained net's own inputs.</param>
/// <param name="LayerError">The largest of those.</param>
/// <param name="Accuracy">Test accuracy of the pruned-only network: every layer replaced by its pruned random approximation, nothing trained.</param>
/// <param name="TargetAccuracy">The trained net's own test accuracy.</param>
public sealed record StrongLthRow(int Overparameterization, double[] LayerErrors, double LayerError, double Accuracy, double TargetAccuracy);

/// <summary>
/// One trained layer z = W x + b as the pruned random two-layer block of Pensia et al. 2020 computes it:
/// z = P·relu(x) + N·relu(−x) + c, where every entry of P, N and c is the sum of the products b·|a| that SubsetSum keeps.
/// </summary>
/// <param name="Positive">P (out × in): the kept units with a &gt; 0 on each input.</param>
/// <param name="Negative">N (out × in), ≈ −W: the kept units with a &lt; 0 (zero when the inputs are never negative: those units are all pruned).</param>
/// <param name="Bias">c (out): the kept units on a constant input 1.</param>
public sealed record PrunedLayer(Tensor Positive, Tensor Negative, Tensor Bias) : IDisposable
{
    /// <summary>The block's output for a batch (N × in).</summary>
    public Tensor Forward(Tensor x) => nn.functional.linear(nn.functional.relu(x), Positive, Bias).add(nn.functional.linear(nn.functional.relu(x.neg()), Negative));

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Positive.Dispose();
        Negative.Dispose();
        Bias.Dispose();
    }
}

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
        if (unitsPerWeight is < 2 or > 44) throw new ArgumentOutOfRangeException(nameof(unitsPerWeight), unitsPerWeight, "accepted: 2 to 44 (the units of one sign, up to all of them, go into one exact SubsetSum of at most 44 values)");
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

    /// <summary>
    /// Prunes a random block n = <paramref name="unitsPerWeight"/> times wider into <paramref name="weight"/> (out × in) and
    /// <paramref name="bias"/>: every input i gets n random units relu(a_ik x_i) (a uniform in [−1, 1], 53-bit), every output
    /// j random weights b_jik on them, and for each (j, i) the units kept are the SubsetSum of their products b·|a| closest to
    /// w_ji (for a &gt; 0) and to −w_ji (for a &lt; 0); the bias likewise on n units of a constant input. With
    /// <paramref name="nonnegativeInputs"/> (the inputs are ReLU outputs) relu(−x) = 0 and the a &lt; 0 units are pruned.
    /// The draws are made per output from <paramref name="seed"/>, so the result does not depend on the core count.
    /// </summary>
    public static PrunedLayer ApproximateLayer(Tensor weight, Tensor bias, int unitsPerWeight, bool nonnegativeInputs, int seed)
    {
        if (unitsPerWeight is < 2 or > 44) throw new ArgumentOutOfRangeException(nameof(unitsPerWeight), unitsPerWeight, "accepted: 2 to 44 (the units of one sign, up to all of them, go into one exact SubsetSum of at most 44 values)");
        if (weight.dim() != 2 || bias.dim() != 1 || bias.shape[0] != weight.shape[0])
            throw new ArgumentException($"weight [{string.Join(", ", weight.shape)}] and bias [{string.Join(", ", bias.shape)}]; accepted: out x in and out.", nameof(weight));
        var (outs, ins) = ((int)weight.shape[0], (int)weight.shape[1]);
        var w = weight.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var c = bias.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        // The first layer of the block, shared by every output: n units per input, and n on the constant input.
        var shared = new Random(seed);
        var a = Enumerable.Range(0, ins + 1).Select(_ => Enumerable.Range(0, unitsPerWeight).Select(_ => Uniform53(shared) * 2 - 1).ToArray()).ToArray();
        var positive = new double[outs * ins];
        var negative = new double[outs * ins];
        var constant = new double[outs];
        Parallel.For(0, outs, j =>
        {
            var random = new Random(unchecked(seed * 1_000_003 + j + 1));
            var up = new List<double>(unitsPerWeight);
            var down = new List<double>(unitsPerWeight);
            for (var i = 0; i <= ins; i++)
            {
                up.Clear();
                down.Clear();
                for (var k = 0; k < unitsPerWeight; k++)
                {
                    var b = Uniform53(random) * 2 - 1;
                    if (a[i][k] > 0) up.Add(b * a[i][k]);
                    else down.Add(b * -a[i][k]);
                }
                var target = i < ins ? w[j * ins + i] : c[j];
                var kept = Kept(target, up);
                if (i == ins) { constant[j] = kept; continue; }
                positive[j * ins + i] = kept;
                negative[j * ins + i] = nonnegativeInputs ? 0 : Kept(-target, down);
            }
        });
        return new PrunedLayer(tensor(positive, [outs, ins]).to(ScalarType.Float32), tensor(negative, [outs, ins]).to(ScalarType.Float32), tensor(constant).to(ScalarType.Float32));

        static double Kept(double target, List<double> values)
        {
            if (values.Count == 0) return 0;
            var best = SubsetSum.Best(target, values);
            double sum = 0;
            for (var k = 0; k < values.Count; k++) if (best.Chosen[k]) sum += values[k];
            return sum;
        }
    }

    /// <summary>
    /// The strong-LTH construction on a trained ReLU net: every layer replaced by a pruned random block
    /// (<see cref="ApproximateLayer"/>) <paramref name="unitsPerWeight"/> times wider; returns each layer's relative error on
    /// <paramref name="testX"/> (fed the trained net's own inputs) and the pruned-only network's test accuracy.
    /// </summary>
    public static StrongLthRow ApproximateNet(Mlp trained, int unitsPerWeight, Tensor testX, Tensor testY, int seed)
    {
        if (trained.Options.Activation != Activation.Relu)
            throw new ArgumentException($"the net uses {trained.Options.Activation}; accepted: a ReLU net (the construction writes each weight through relu(x) and relu(−x)).", nameof(trained));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var layers = Enumerable.Range(0, trained.LayerCount).Select(l =>
        {
            var weight = trained.Weight(l).Times(trained.WeightMultiplier(l));
            if (trained.Mask(l) is { } mask) weight = weight.mul(mask);
            return ApproximateLayer(weight, trained.Bias(l).Times(trained.BiasMultiplier(l)), unitsPerWeight, nonnegativeInputs: l > 0, seed + 7919 * l);
        }).ToList();
        var inputs = new List<Tensor> { testX };
        inputs.AddRange(trained.Activations(testX).SkipLast(1));
        var truths = trained.Activations(testX);
        var errors = new double[layers.Count];
        for (var l = 0; l < layers.Count; l++)
        {
            // The trained pre-activation: the activation before the ReLU is recovered by running the layer itself.
            var truth = l == layers.Count - 1 ? truths[l] : PreActivation(trained, l, inputs[l]);
            errors[l] = Math.Round(layers[l].Forward(inputs[l]).sub(truth).norm().item<float>() / truth.norm().item<float>(), 5);
        }
        var h = testX;
        for (var l = 0; l < layers.Count; l++)
        {
            h = layers[l].Forward(h);
            if (l < layers.Count - 1) h = nn.functional.relu(h);
        }
        var accuracy = h.argmax(1).eq(testY).to(ScalarType.Float64).mean().item<double>();
        var target = trained.forward(testX).argmax(1).eq(testY).to(ScalarType.Float64).mean().item<double>();
        foreach (var layer in layers) layer.Dispose();
        return new StrongLthRow(unitsPerWeight, errors, errors.Max(), accuracy, target);
    }

    static Tensor PreActivation(Mlp net, int layer, Tensor input)
    {
        var weight = net.Weight(layer).Times(net.WeightMultiplier(layer));
        if (net.Mask(layer) is { } mask) weight = weight.mul(mask);
        return nn.functional.linear(input, weight, net.Bias(layer).Times(net.BiasMultiplier(layer)));
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
