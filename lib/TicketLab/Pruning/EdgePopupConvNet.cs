using TicketLab.Nets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>
/// Edge-popup on the convolutional net (Ramanujan et al. 2020): the weights stay frozen at the seed's initialization (the
/// same draw as <see cref="ConvNet"/>'s, biases zero), every weight has a score, and each layer uses only the
/// <see cref="KeepFraction"/> of its weights with the largest |score|. Only the scores train.
/// </summary>
public sealed class EdgePopupConvNet : nn.Module<Tensor, Tensor>, ILearningRateGroups, IConvUnits
{
    readonly Tensor[] weights;
    readonly Parameter[] scores;

    /// <summary>The options the net was built with.</summary>
    public ConvNetOptions Options { get; }

    /// <summary>Fraction of each layer's weights kept.</summary>
    public double KeepFraction { get; }

    /// <summary>The seed of the frozen weights.</summary>
    public long Seed { get; }

    /// <summary>Freezes the seed's initial weights and draws the scores (Kaiming uniform, as the paper's code does) from a generator seeded by the seed too.</summary>
    public EdgePopupConvNet(ConvNetOptions options, double keepFraction, long seed, Device? device = null) : base("EdgePopupConvNet")
    {
        Options = options.Validate();
        if (!(keepFraction > 0 && keepFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, "accepted: a fraction of weights KEPT, in (0, 1]");
        KeepFraction = keepFraction;
        Seed = seed;
        weights = ConvNet.Draw(options, seed, device);
        for (var l = 0; l < weights.Length; l++)
            if (TopKMask.KeptCount(weights[l].numel(), keepFraction) < 1)
                throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, $"keeps no weight of layer {l} ({weights[l].numel()} weights); accepted: more than {0.5 / weights[l].numel():g3}");
        using var generator = new Generator((ulong)seed ^ 0x5C0DE5UL);
        scores = new Parameter[weights.Length];
        for (var l = 0; l < weights.Length; l++)
        {
            register_buffer($"weight{l}", weights[l]);
            var fanIn = weights[l].numel() / weights[l].shape[0];
            var bound = 1.0 / Math.Sqrt(fanIn);
            scores[l] = new Parameter(rand(weights[l].shape, generator: generator).TimesInPlace(2 * bound).MinusInPlace(bound).to(device ?? CPU), requires_grad: true);
            register_parameter($"score{l}", scores[l]);
        }
    }

    /// <summary>Number of convolutional blocks.</summary>
    public int Depth => weights.Length - 1;

    /// <summary>The current 0/1 mask of a layer.</summary>
    public Tensor Mask(int layer)
    {
        using var _ = no_grad();
        return TopKMask.apply(scores[layer].abs(), KeepFraction);
    }

    /// <summary>Logits with the top-k masks (gradients reach the scores straight through).</summary>
    public override Tensor forward(Tensor input) =>
        ConvNet.Propagate(input, Depth, l => weights[l].mul(TopKMask.apply(scores[l].abs(), KeepFraction)), _ => null);

    /// <inheritdoc />
    public IReadOnlyList<Tensor> BlockMaps(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var maps = new List<Tensor>();
        var h = ConvNet.ChannelsLast(input);
        for (var l = 0; l < Depth; l++)
        {
            var map = nn.functional.conv2d(h, weights[l].mul(Mask(l)), padding: [1, 1]).relu_(); // no gradients here: rectified in place
            maps.Add(map.MoveToOuterDisposeScope());
            h = nn.functional.max_pool2d(map, 2);
        }
        return maps;
    }

    /// <summary>Only the scores train.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) => scores.Select(s => (s, 1.0)).ToList();
}
