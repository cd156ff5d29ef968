using TicketLab.Nets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>
/// Neuron-subset selection plus a trained readout, the weak baseline of Malach et al. 2020: the frozen random net of
/// <see cref="EdgePopupMlp"/> (the same draw from the same seed) where pruning may only drop whole hidden neurons. Every
/// hidden neuron has a score; each hidden layer keeps the <see cref="KeepFraction"/> of its neurons with the largest
/// |score| (the top-k mask of edge-popup, over neurons instead of weights, straight-through), and the readout and its
/// bias train with the scores. Choosing among 2^m neuron subsets is what Malach et al. show to be no stronger than random
/// features; a mask over weights chooses among 2^n.
/// </summary>
public sealed class NeuronSubsetMlp : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Tensor[] hidden;
    readonly Parameter[] scores;
    readonly Parameter readout;
    readonly Parameter bias;

    /// <summary>Draws the frozen net from <paramref name="seed"/> (as <see cref="EdgePopupMlp.Draw"/>) and the neuron scores from a generator of their own.</summary>
    public NeuronSubsetMlp(int[] layerSizes, FrozenInit init, double keepFraction, long seed, Device? device = null) : base("NeuronSubsetMlp")
    {
        if (!(keepFraction > 0 && keepFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, "accepted: a fraction of hidden neurons KEPT, in (0, 1]");
        if (layerSizes.Length < 3)
            throw new ArgumentOutOfRangeException(nameof(layerSizes), $"[{string.Join(", ", layerSizes)}]", "accepted: at least one hidden layer (three sizes or more)");
        for (var l = 1; l < layerSizes.Length - 1; l++)
            if (TopKMask.KeptCount(layerSizes[l], keepFraction) < 1)
                throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction,
                    $"keeps no neuron of hidden layer {l} ({layerSizes[l]} neurons); accepted: more than {0.5 / layerSizes[l]:g3} for these sizes");
        var (weights, weightScores) = EdgePopupMlp.Draw(layerSizes, init, seed, device);
        foreach (var s in weightScores) s.Dispose();
        KeepFraction = keepFraction;
        Init = init;
        hidden = weights[..^1];
        for (var l = 0; l < hidden.Length; l++) register_buffer($"weight{l}", hidden[l]);
        using var generator = new Generator((ulong)seed ^ 0x5eed_0f_4e75_0a5UL);
        scores = new Parameter[hidden.Length];
        for (var l = 0; l < hidden.Length; l++)
        {
            // As edge-popup's scores: U(−1/√fan_in, 1/√fan_in).
            var bound = 1.0 / Math.Sqrt(layerSizes[l]);
            scores[l] = new Parameter(rand([layerSizes[l + 1]], generator: generator).TimesInPlace(2 * bound).MinusInPlace(bound).to(device ?? CPU), requires_grad: true);
            register_parameter($"score{l}", scores[l]);
        }
        readout = new Parameter(weights[^1], requires_grad: true);
        register_parameter("readout", readout);
        bias = new Parameter(zeros(layerSizes[^1], device: device ?? CPU), requires_grad: true);
        register_parameter("bias", bias);
    }

    /// <summary>Fraction of each hidden layer's neurons kept.</summary>
    public double KeepFraction { get; }

    /// <summary>How the frozen weights were drawn.</summary>
    public FrozenInit Init { get; }

    /// <summary>The current 0/1 mask over hidden layer <paramref name="layer"/>'s neurons.</summary>
    public Tensor NeuronMask(int layer)
    {
        using var _ = no_grad();
        return TopKMask.apply(scores[layer].abs(), KeepFraction);
    }

    /// <summary>Logits: each frozen ReLU layer with its kept neurons, then the trained readout.</summary>
    public override Tensor forward(Tensor input)
    {
        // The frozen weights are buffers: gradients reach the scores of earlier layers through them, never the weights.
        var h = input;
        for (var l = 0; l < hidden.Length; l++)
            h = nn.functional.relu(nn.functional.linear(h, hidden[l])).mul(TopKMask.apply(scores[l].abs(), KeepFraction));
        return nn.functional.linear(h, readout, bias);
    }

    /// <summary>The neuron scores, the readout and its bias train.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) =>
        scores.Select(s => (s, 1.0)).Append((readout, 1.0)).Append((bias, 1.0)).ToList();
}
