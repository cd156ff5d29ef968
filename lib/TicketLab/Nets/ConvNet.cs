using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Nets;

/// <summary>How a convolutional channel's feature map becomes one number per image: the unit's activation.</summary>
public enum UnitPooling
{
    /// <summary>The largest value over positions: "does the channel fire anywhere in the image" (the suite's unit).</summary>
    Max,
    /// <summary>The mean over positions: "how much of the image makes it fire".</summary>
    Mean,
}

/// <summary>
/// A small convolutional net: blocks of 3 x 3 convolution (padding 1, bias), ReLU and 2 x 2 max-pool, then a linear readout
/// of the last block's flattened output. Defaults: 3-32-64-128 channels on 32 x 32 RGB images, 10 classes, He init.
/// </summary>
/// <param name="Channels">Output channels of each block, e.g. [32, 64, 128] (the depth is their count).</param>
/// <param name="Classes">Outputs of the readout.</param>
/// <param name="InputChannels">Channels of the input images.</param>
/// <param name="InputSide">Side of the (square) input images in pixels; halved by each block.</param>
/// <param name="WeightStd">σw: every weight is N(0, σw²/fan_in) at init (√2, He, by default); biases start at 0.</param>
public sealed record ConvNetOptions(int[]? Channels = null, int Classes = 10, int InputChannels = 3, int InputSide = 32, double WeightStd = 1.4142135623730951)
{
    /// <summary>The block channels, with the default's when none were given.</summary>
    public int[] BlockChannels => Channels ?? [32, 64, 128];

    /// <summary>Number of convolutional blocks.</summary>
    public int Depth => BlockChannels.Length;

    /// <summary>Side of block <paramref name="block"/>'s feature maps (before its pool), 0-based.</summary>
    public int SideOf(int block) => InputSide >> block;

    /// <summary>Features the readout reads: the last block's channels times its pooled side squared.</summary>
    public int ReadoutFeatures => BlockChannels[^1] * (InputSide >> Depth) * (InputSide >> Depth);

    /// <summary>Channels of the convolutional units, summed over blocks (the units the suite scores).</summary>
    public int ChannelUnits => BlockChannels.Sum();

    /// <summary>Neurons counted as an MLP's are, one per activation: every channel at every position of every block, before pooling.</summary>
    public long PositionUnits => BlockChannels.Select((c, b) => (long)c * SideOf(b) * SideOf(b)).Sum();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field, its value and what is accepted.</summary>
    public ConvNetOptions Validate()
    {
        var channels = BlockChannels;
        if (channels.Length < 1 || channels.Any(c => c < 1 || c > 4096))
            throw new ArgumentOutOfRangeException(nameof(Channels), $"[{string.Join(", ", channels)}]", "accepted: one or more blocks of 1 to 4096 channels, e.g. [32, 64, 128]");
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "accepted: 2 or more");
        if (InputChannels < 1) throw new ArgumentOutOfRangeException(nameof(InputChannels), InputChannels, "accepted: 1 or more");
        if (InputSide < 2 || (InputSide >> channels.Length) < 1 || InputSide % (1 << channels.Length) != 0)
            throw new ArgumentOutOfRangeException(nameof(InputSide), InputSide, $"accepted: a side divisible by 2^depth = {1 << channels.Length} (each block halves it)");
        if (!(WeightStd > 0) || double.IsInfinity(WeightStd)) throw new ArgumentOutOfRangeException(nameof(WeightStd), WeightStd, "accepted: a finite number > 0 (√2 for ReLU)");
        return this;
    }

    /// <summary>A short description such as "conv 3-32-64-128, 3x3, max-pool, linear readout".</summary>
    public override string ToString() => $"conv {InputChannels}-{string.Join("-", BlockChannels)} (3x3, ReLU, 2x2 max-pool per block), linear readout of {ReadoutFeatures}";
}

/// <summary>A convolutional net whose blocks' post-ReLU feature maps can be read (the units a detector study scores).</summary>
public interface IConvUnits
{
    /// <summary>The options the net was built with.</summary>
    ConvNetOptions Options { get; }

    /// <summary>The post-ReLU feature maps of every block (N x C x side x side, before the pool), no gradients.</summary>
    IReadOnlyList<Tensor> BlockMaps(Tensor input);
}

/// <summary>The convolutional net (<see cref="ConvNetOptions"/>), trained densely, or with only its readout trained.</summary>
public sealed class ConvNet : nn.Module<Tensor, Tensor>, ILearningRateGroups, IConvUnits
{
    readonly Parameter[] weights;
    readonly Parameter[] biases;

    /// <summary>The options the net was built with.</summary>
    public ConvNetOptions Options { get; }

    /// <summary>The seed of its initialization.</summary>
    public long Seed { get; }

    /// <summary>Whether only the readout trains (random features: the blocks stay at their initialization).</summary>
    public bool ReadoutOnly { get; }

    /// <summary>Builds and initializes the net from <paramref name="seed"/> alone (same seed, same weights), on <paramref name="device"/>.</summary>
    public ConvNet(ConvNetOptions options, long seed, bool readoutOnly = false, Device? device = null) : base("ConvNet")
    {
        Options = options.Validate();
        Seed = seed;
        ReadoutOnly = readoutOnly;
        var drawn = Draw(options, seed, device);
        biases = drawn.Select(w => new Parameter(zeros(w.shape[0], device: device ?? CPU), requires_grad: true)).ToArray();
        weights = drawn.Select(w => new Parameter(w, requires_grad: true)).ToArray();
        for (var l = 0; l < weights.Length; l++)
        {
            register_parameter($"weight{l}", weights[l]);
            register_parameter($"bias{l}", biases[l]);
        }
    }

    /// <summary>
    /// The initial weights of every layer (blocks, then the readout as a matrix) drawn from <paramref name="seed"/>, layer
    /// by layer, N(0, σw²/fan_in): the same draw for the dense net, the readout-only net and the edge-popup net of a seed.
    /// </summary>
    public static Tensor[] Draw(ConvNetOptions options, long seed, Device? device = null)
    {
        options.Validate();
        using var generator = new Generator((ulong)seed);
        var list = new List<Tensor>();
        var inChannels = options.InputChannels;
        foreach (var c in options.BlockChannels)
        {
            var fanIn = inChannels * 9;
            list.Add(Draws.Normal([c, inChannels, 3, 3], generator).TimesInPlace(options.WeightStd / Math.Sqrt(fanIn)).to(device ?? CPU));
            inChannels = c;
        }
        list.Add(Draws.Normal([options.Classes, options.ReadoutFeatures], generator).TimesInPlace(options.WeightStd / Math.Sqrt(options.ReadoutFeatures)).to(device ?? CPU));
        return list.ToArray();
    }

    /// <summary>Number of convolutional blocks.</summary>
    public int Depth => weights.Length - 1;

    /// <summary>The weights of layer <paramref name="layer"/> (blocks 0 to depth − 1, then the readout).</summary>
    public Parameter Weight(int layer) => weights[layer];

    /// <summary>The bias of layer <paramref name="layer"/>.</summary>
    public Parameter Bias(int layer) => biases[layer];

    /// <summary>Logits for a batch of images (N x channels x side x side).</summary>
    public override Tensor forward(Tensor input)
    {
        if (!ReadoutOnly) return Propagate(input, Depth, l => weights[l], l => biases[l]);
        using var scope = NewDisposeScope();
        Tensor features;
        using (no_grad()) features = Features(input);
        return nn.functional.linear(features, weights[^1], biases[^1]).MoveToOuterDisposeScope();
    }

    /// <summary>The flattened output of the last block: what the readout reads (no gradients when called under no_grad).</summary>
    public Tensor Features(Tensor input)
    {
        var h = ChannelsLast(input);
        for (var l = 0; l < Depth; l++) h = Block(h, weights[l], biases[l]);
        return h.flatten(1);
    }

    /// <inheritdoc />
    public IReadOnlyList<Tensor> BlockMaps(Tensor input)
    {
        using var _ = no_grad();
        var maps = new List<Tensor>();
        var h = ChannelsLast(input);
        for (var l = 0; l < Depth; l++)
        {
            var map = nn.functional.conv2d(h, weights[l], biases[l], padding: [1, 1]).relu_(); // no gradients here: rectified in place
            maps.Add(map);
            h = nn.functional.max_pool2d(map, 2);
        }
        return maps;
    }

    /// <summary>Logits with some channels silenced: <paramref name="unitMasks"/>[b] is a 0/1 vector over block b's channels (null keeps them). No gradients.</summary>
    public Tensor ForwardWithUnits(Tensor input, IReadOnlyList<Tensor?> unitMasks)
    {
        using var _ = no_grad();
        return Propagate(input, Depth, l => weights[l], l => biases[l], unitMasks);
    }

    /// <summary>Trainable tensors: everything, or only the readout.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) => ReadoutOnly
        ? [(weights[^1], 1.0), (biases[^1], 1.0)]
        : weights.Zip(biases).SelectMany(p => new[] { (p.First, 1.0), (p.Second, 1.0) }).ToList();

    /// <summary>Copies the parameter values of <paramref name="source"/> (same options) into this net.</summary>
    public void CopyFrom(ConvNet source)
    {
        if (!source.Options.BlockChannels.SequenceEqual(Options.BlockChannels) || source.Options.ReadoutFeatures != Options.ReadoutFeatures)
            throw new ArgumentException($"cannot copy a {source.Options} net into a {Options} net.", nameof(source));
        using var _ = no_grad();
        for (var l = 0; l < weights.Length; l++)
        {
            weights[l].copy_(source.weights[l]);
            biases[l].copy_(source.biases[l]);
        }
    }

    /// <summary>
    /// The same images stored channels-last (N x H x W x C in memory, still indexed N x C x H x W). Convolution, ReLU and
    /// max-pool keep that layout, and LibTorch runs all three faster in it on a CPU: the 2 x 2 max-pool of an N x C x H x W
    /// map loops over windows one element at a time, of an N x H x W x C one over channels in vector registers; a training
    /// step of the 3-32-64-128 net on one thread took 95 ms in N x C x H x W and 66 ms this way (bench's conv step). The
    /// values are the same up to the order of the convolutions' sums. A tensor already in this layout is not copied (a new view of it is returned).
    /// </summary>
    public static Tensor ChannelsLast(Tensor images) =>
        images.dim() != 4 ? throw new ArgumentException($"images of shape [{string.Join(", ", images.shape)}]; accepted: N x C x H x W.", nameof(images))
        : images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>One block: convolution, ReLU, 2 x 2 max-pool, in the channels-last layout (<see cref="ChannelsLast"/>; no copy when the input is in it already).</summary>
    internal static Tensor Block(Tensor h, Tensor weight, Tensor? bias) =>
        nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(ChannelsLast(h), weight, bias, padding: [1, 1])), 2);

    /// <summary>The net with the weights and biases given per layer; channels of block b multiplied by <paramref name="unitMasks"/>[b] when given.</summary>
    internal static Tensor Propagate(Tensor input, int blocks, Func<int, Tensor> weight, Func<int, Tensor?> bias, IReadOnlyList<Tensor?>? unitMasks = null)
    {
        if (unitMasks is not null && unitMasks.Count != blocks)
            throw new ArgumentException($"{unitMasks.Count} unit masks for {blocks} blocks; accepted: one per block (null keeps a block whole).", nameof(unitMasks));
        var h = ChannelsLast(input);
        for (var l = 0; l < blocks; l++)
        {
            var map = nn.functional.relu(nn.functional.conv2d(h, weight(l), bias(l), padding: [1, 1]));
            if (unitMasks?[l] is { } keep) map = map.mul(keep.reshape(1, -1, 1, 1));
            h = nn.functional.max_pool2d(map, 2);
        }
        return nn.functional.linear(h.flatten(1), weight(blocks), bias(blocks));
    }
}

/// <summary>Unit activations of convolutional nets: each channel of each block, pooled over positions.</summary>
public static class ConvUnits
{
    /// <summary>
    /// Every block's units for a batch of images: N x C per block, the post-ReLU map of each channel max- or mean-pooled
    /// over positions; computed in batches of <paramref name="batch"/> images, by default as many as keep the first block's
    /// maps of a batch near 16 MB (<see cref="BatchFor"/>).
    /// </summary>
    public static IReadOnlyList<Tensor> Pooled(IConvUnits net, Tensor images, UnitPooling pooling, int batch = 0)
    {
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "accepted: Max, Mean");
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "accepted: 0 (chosen from the net's size) or a positive number of images");
        if (batch == 0) batch = BatchFor(net.Options);
        if (net is nn.Module module) module.eval();
        var parts = Enumerable.Range(0, net.Options.Depth).Select(_ => new List<Tensor>()).ToList();
        using (no_grad())
            for (long start = 0; start < images.shape[0]; start += batch)
            {
                using var scope = NewDisposeScope();
                var maps = net.BlockMaps(images.narrow(0, start, Math.Min(batch, images.shape[0] - start)));
                for (var b = 0; b < maps.Count; b++)
                    parts[b].Add(Pool(maps[b], pooling).MoveToOuterDisposeScope());
            }
        return parts.Select(p =>
        {
            var joined = cat(p, 0);
            foreach (var t in p) t.Dispose();
            return joined;
        }).ToList();
    }

    /// <summary>
    /// Images per batch whose first-block maps (the largest) take about 16 MB, 1 to 500: a batch's maps of 500 images of the
    /// 32-channel block are 65 MB, beyond the 32 MB that the C library keeps for reuse (see TorchRuntime), so each batch's
    /// maps were mapped and paged in anew: the units of the 3-32-64-128 net on 1,000 images took 0.5 to 0.7 s in batches of
    /// 500 and 0.2 s in batches of 128 (one thread, a probe).
    /// </summary>
    public static int BatchFor(ConvNetOptions options) =>
        (int)Math.Clamp((4L << 20) / ((long)options.BlockChannels[0] * options.InputSide * options.InputSide), 1, 500);

    /// <summary>N x C x H x W maps to N x C units.</summary>
    public static Tensor Pool(Tensor maps, UnitPooling pooling) => pooling == UnitPooling.Max ? maps.amax([2, 3]) : maps.mean([2, 3]);
}
