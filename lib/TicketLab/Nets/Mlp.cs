using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Nets;

/// <summary>A trainable model that says how to scale the learning rate of each parameter tensor.</summary>
public interface ILearningRateGroups
{
    /// <summary>Each trainable parameter with its learning-rate multiplier (1 unless the parametrization asks otherwise).</summary>
    IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam);
}

/// <summary>
/// A fully connected net whose every layer computes a = φ(m_w·W a_prev + m_b·b). The multipliers m and the init
/// scales come from the parametrization; per-tensor learning-rate multipliers (μP) are exposed to the trainer.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Parameter[] weights;
    readonly Parameter[] biases;
    readonly double[] weightMultipliers;
    readonly double[] biasMultipliers;
    readonly Tensor?[] masks;

    /// <summary>The options the net was built with.</summary>
    public MlpOptions Options { get; }

    /// <summary>The seed of its initialization.</summary>
    public long Seed { get; }

    /// <summary>Builds and initializes the net from <paramref name="seed"/> alone (same seed, same weights), on <paramref name="device"/>.</summary>
    public Mlp(MlpOptions options, long seed, Device? device = null) : base("Mlp")
    {
        Options = options.Validate();
        Seed = seed;
        var sizes = options.LayerSizes;
        var layers = sizes.Length - 1;
        weights = new Parameter[layers];
        biases = new Parameter[layers];
        weightMultipliers = new double[layers];
        biasMultipliers = new double[layers];
        masks = new Tensor?[layers];
        using var generator = new Generator((ulong)seed);
        for (var l = 0; l < layers; l++)
        {
            var (fanIn, fanOut) = (sizes[l], sizes[l + 1]);
            var (weightStd, weightMultiplier, biasStd, biasMultiplier) = Scales(options, l, layers, fanIn);
            using var w = Draws.Normal([fanOut, fanIn], generator).TimesInPlace(weightStd);
            using var b = Draws.Normal([fanOut], generator).TimesInPlace(biasStd);
            weights[l] = new Parameter(w.to(device ?? CPU), requires_grad: true);
            biases[l] = new Parameter(b.to(device ?? CPU), requires_grad: true);
            weightMultipliers[l] = weightMultiplier;
            biasMultipliers[l] = biasMultiplier;
            register_parameter($"weight{l}", weights[l]);
            register_parameter($"bias{l}", biases[l]);
        }
    }

    /// <summary>Number of weight layers.</summary>
    public int LayerCount => weights.Length;

    /// <summary>The trainable weight matrix of layer <paramref name="layer"/> (fan_out x fan_in), before its multiplier.</summary>
    public Parameter Weight(int layer) => weights[layer];

    /// <summary>The trainable bias of layer <paramref name="layer"/>, before its multiplier.</summary>
    public Parameter Bias(int layer) => biases[layer];

    /// <summary>The forward multiplier of layer <paramref name="layer"/>'s weights (1 unless NTK).</summary>
    public double WeightMultiplier(int layer) => weightMultipliers[layer];

    /// <summary>
    /// Prunes layer <paramref name="layer"/>: the forward pass uses W ⊙ <paramref name="mask"/> (1 keeps a weight, 0 prunes
    /// it; pruned weights get no gradient). Null removes the mask.
    /// </summary>
    public void SetMask(int layer, Tensor? mask)
    {
        if (mask is not null && !mask.shape.SequenceEqual(weights[layer].shape))
            throw new ArgumentException($"mask has shape [{string.Join(", ", mask.shape)}]; layer {layer} has weights [{string.Join(", ", weights[layer].shape)}].", nameof(mask));
        masks[layer]?.Dispose();
        masks[layer] = mask?.to(weights[layer].dtype).to(weights[layer].device).detach().clone();
    }

    /// <summary>The mask of layer <paramref name="layer"/>, or null when it is dense.</summary>
    public Tensor? Mask(int layer) => masks[layer];

    /// <summary>Fraction of layer <paramref name="layer"/>'s weights that are kept (1 when dense).</summary>
    public double KeptFraction(int layer) => masks[layer] is { } m ? m.sum().item<float>() / m.numel() : 1.0;

    /// <summary>The forward multiplier of layer <paramref name="layer"/>'s bias (0 disables it).</summary>
    public double BiasMultiplier(int layer) => biasMultipliers[layer];

    /// <summary>Logits (or regression outputs) for a batch of inputs (N x input size).</summary>
    public override Tensor forward(Tensor input)
    {
        var h = input;
        for (var l = 0; l < weights.Length; l++)
        {
            var next = PreActivation(h, l);
            if (l < weights.Length - 1) next = Activate(next);
            h = next;
        }
        return h;
    }

    /// <summary>
    /// Logits with some hidden units silenced: <paramref name="unitMasks"/>[l] is a 0/1 vector over hidden layer l's units
    /// (null keeps them all), multiplied into that layer's output (an ablation).
    /// </summary>
    public Tensor ForwardWithUnits(Tensor input, IReadOnlyList<Tensor?> unitMasks)
    {
        if (unitMasks.Count != weights.Length - 1)
            throw new ArgumentException($"{unitMasks.Count} unit masks for {weights.Length - 1} hidden layers; accepted: one per hidden layer (null keeps a layer whole).", nameof(unitMasks));
        var h = input;
        for (var l = 0; l < weights.Length; l++)
        {
            h = PreActivation(h, l);
            if (l < weights.Length - 1)
            {
                h = Activate(h);
                if (unitMasks[l] is { } keep) h = h.mul(keep);
            }
        }
        return h;
    }

    /// <summary>The post-activation output of every hidden layer, then the logits, for a batch of inputs.</summary>
    public IReadOnlyList<Tensor> Activations(Tensor input)
    {
        var outputs = new List<Tensor>();
        var h = input;
        for (var l = 0; l < weights.Length; l++)
        {
            h = PreActivation(h, l);
            if (l < weights.Length - 1) h = Activate(h);
            outputs.Add(h);
        }
        return outputs;
    }

    /// <summary>
    /// Per-tensor learning-rate multipliers: all 1 except under μP, where (relative to <see cref="MlpOptions.BaseWidth"/>)
    /// SGD scales input weights and biases by fan_out and the readout by 1/fan_in, and Adam scales hidden and
    /// readout weights by 1/fan_in (Yang et al. 2022, Table 3).
    /// </summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam)
    {
        var groups = new List<(Parameter, double)>();
        var sizes = Options.LayerSizes;
        for (var l = 0; l < weights.Length; l++)
        {
            double weightScale = 1, biasScale = 1;
            if (Options.Parametrization == Parametrization.MeanField)
            {
                var fanInRatio = (double)sizes[l] / Options.BaseWidth;
                var fanOutRatio = (double)sizes[l + 1] / Options.BaseWidth;
                var isInput = l == 0;
                var isOutput = l == weights.Length - 1;
                if (adam)
                    weightScale = isInput ? 1 : 1 / fanInRatio;
                else
                {
                    weightScale = isOutput ? 1 / fanInRatio : isInput ? fanOutRatio : 1;
                    biasScale = fanOutRatio;
                }
            }
            groups.Add((weights[l], weightScale));
            groups.Add((biases[l], biasScale));
        }
        return groups;
    }

    /// <summary>A copy of every parameter (for comparing before and after training); the caller disposes them.</summary>
    public Dictionary<string, Tensor> Snapshot() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>Copies the parameter values of <paramref name="source"/> (same options) into this net.</summary>
    public void CopyFrom(Mlp source)
    {
        if (!source.Options.LayerSizes.SequenceEqual(Options.LayerSizes) || source.Options.Parametrization != Options.Parametrization)
            throw new ArgumentException($"cannot copy a {source.Options} net into a {Options} net.", nameof(source));
        using var _ = no_grad();
        for (var l = 0; l < weights.Length; l++)
        {
            weights[l].copy_(source.weights[l]);
            biases[l].copy_(source.biases[l]);
        }
    }

    Tensor PreActivation(Tensor h, int l)
    {
        var z = nn.functional.linear(h, masks[l] is { } mask ? weights[l].mul(mask) : weights[l]);
        if (weightMultipliers[l] != 1) z = z.Times(weightMultipliers[l]);
        return biasMultipliers[l] == 0 ? z
            : biasMultipliers[l] == 1 ? z.add(biases[l])
            : z.PlusScaled(biases[l], biasMultipliers[l]);
    }

    Tensor Activate(Tensor z) => Options.Activation switch
    {
        Activation.Relu => nn.functional.relu(z),
        _ => z.tanh(),
    };

    /// <summary>Init std and forward multiplier of one layer's weights and bias.</summary>
    static (double WeightStd, double WeightMultiplier, double BiasStd, double BiasMultiplier) Scales(MlpOptions o, int layer, int layers, int fanIn)
    {
        var isOutput = layer == layers - 1;
        return o.Parametrization switch
        {
            Parametrization.Standard => (o.WeightStd / Math.Sqrt(fanIn), 1, o.BiasStd, 1),
            // NTK: parameters are N(0, 1); the 1/√fan_in lives in the forward pass, so gradients scale with width.
            Parametrization.Ntk => (1, o.WeightStd / Math.Sqrt(fanIn), 1, o.BiasStd),
            // μP: the readout starts with variance 1/fan_in² (relative to the base width), so the output is
            // o(1) at init and the hidden features must move to fit the data.
            _ => isOutput
                ? (Math.Sqrt((double)o.BaseWidth / fanIn) / Math.Sqrt(fanIn), 1, o.BiasStd, 1)
                : (o.WeightStd / Math.Sqrt(fanIn), 1, o.BiasStd, 1),
        };
    }
}
