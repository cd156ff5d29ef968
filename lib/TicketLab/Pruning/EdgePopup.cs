using TicketLab.Nets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>How the frozen weights of an edge-popup net are drawn (Ramanujan et al. 2020).</summary>
public enum FrozenInit
{
    /// <summary>N(0, 2/fan_in).</summary>
    KaimingNormal,
    /// <summary>±√(2/fan_in) with random signs: the paper's best ("signed Kaiming constant").</summary>
    SignedKaimingConstant,
}

/// <summary>
/// The top-k mask of edge-popup as a custom autograd function: forward keeps the <c>KeepFraction</c> of entries with
/// the largest score (exactly round(k·n) of them), backward passes the gradient straight through to the scores.
/// </summary>
public sealed class TopKMask : TorchSharp.torch.autograd.SingleTensorFunction<TopKMask>
{
    /// <summary>Function name.</summary>
    public override string Name => "TopKMask";

    /// <summary>vars: the scores (any shape) and the keep fraction (double).</summary>
    public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var scores = (Tensor)vars[0];
        var keep = (double)vars[1];
        var kept = KeptCount(scores.numel(), keep);
        using var flat = scores.detach().flatten();
        var n = flat.numel();
        if (kept == 0) return zeros_like(scores);
        if (kept == n) return ones_like(scores);
        if (flat.device_type == TorchSharp.DeviceType.CPU && flat.dtype == ScalarType.Float32 && RadixMask(flat, kept) is { } cpuMask)
            return cpuMask.view_as(scores);
        // Elsewhere: the k-th largest value as a threshold (linear time); only if ties at it would keep too many, top-k.
        Tensor mask;
        using (var threshold = flat.kthvalue(n - kept + 1, 0).values)
        {
            mask = flat.ge(threshold).to(flat.dtype);
            if (mask.sum().item<float>() == kept) return mask.view_as(scores);
        }
        mask.Dispose();
        mask = zeros_like(flat);
        using var top = flat.topk((int)kept).indexes;
        mask.FillAt(0, top, 1.0);
        return mask.view_as(scores);
    }

    /// <summary>
    /// The 0/1 mask of the <paramref name="kept"/> largest entries by a two-pass radix select on the float bits (16 bits
    /// per pass), which also counts exactly how many entries reach the threshold; null when ties at the threshold would
    /// keep more than <paramref name="kept"/> (the caller then uses top-k). It reads the tensor's memory in place and
    /// writes the mask straight into a new tensor, with pooled scratch arrays: a step of a 784-300-100-10 net selects
    /// three masks, and copying and allocating them cost more than the selection itself.
    /// </summary>
    static Tensor? RadixMask(Tensor flat, long kept)
    {
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(flat.bytes);
        var pool = System.Buffers.ArrayPool<uint>.Shared;
        var keys = pool.Rent(values.Length);
        var high = System.Buffers.ArrayPool<int>.Shared.Rent(65536);
        var low = System.Buffers.ArrayPool<int>.Shared.Rent(65536);
        try
        {
            Array.Clear(high, 0, 65536);
            Array.Clear(low, 0, 65536);
            for (var i = 0; i < values.Length; i++)
            {
                // Order-preserving map from float to unsigned int: flip all bits of negatives, the sign bit of the rest.
                var bits = BitConverter.SingleToUInt32Bits(values[i]);
                var key = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
                keys[i] = key;
                high[key >> 16]++;
            }
            long above = 0;
            var bin = 65535;
            while (above + high[bin] < kept) above += high[bin--];
            for (var i = 0; i < values.Length; i++)
                if (keys[i] >> 16 == bin) low[keys[i] & 0xFFFF]++;
            var sub = 65535;
            while (above + low[sub] < kept) above += low[sub--];
            if (above + low[sub] != kept) return null; // ties at the threshold
            var threshold = ((uint)bin << 16) | (uint)sub;
            var mask = empty(values.Length, dtype: ScalarType.Float32);
            var written = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mask.bytes);
            // 1 where key >= threshold, without a branch (at keep 0.5 the branch is a coin flip): the borrow of key - threshold.
            for (var i = 0; i < values.Length; i++) written[i] = 1 - (float)(((ulong)keys[i] - threshold) >> 63);
            return mask;
        }
        finally
        {
            pool.Return(keys);
            System.Buffers.ArrayPool<int>.Shared.Return(high);
            System.Buffers.ArrayPool<int>.Shared.Return(low);
        }
    }

    /// <summary>Straight-through: the scores receive the mask's gradient unchanged.</summary>
    public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output) => [grad_output, null!]; // none for the keep fraction

    /// <summary>round(keep · n), the number of entries kept.</summary>
    public static long KeptCount(long entries, double keepFraction) => (long)Math.Round(keepFraction * entries);
}

/// <summary>
/// Edge-popup (Ramanujan et al. 2020): an MLP whose weights stay frozen at initialization; every weight has a score,
/// and the forward pass uses only the <see cref="KeepFraction"/> of each layer's weights with the largest |score|.
/// Training moves the scores only. No biases, as in the paper's code.
/// </summary>
public sealed class EdgePopupMlp : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Tensor[] weights;
    readonly Parameter[] scores;

    /// <summary>Draws the frozen weights and the scores of a net with the given layer sizes from <paramref name="seed"/>.</summary>
    public EdgePopupMlp(int[] layerSizes, FrozenInit init, double keepFraction, long seed, Device? device = null) : base("EdgePopupMlp")
    {
        if (!(keepFraction > 0 && keepFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, "accepted: a fraction of weights KEPT, in (0, 1]");
        CheckSizes(layerSizes);
        for (var l = 0; l + 1 < layerSizes.Length; l++)
            if (TopKMask.KeptCount((long)layerSizes[l] * layerSizes[l + 1], keepFraction) < 1)
                throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction,
                    $"keeps no weight of layer {l} ({layerSizes[l]} x {layerSizes[l + 1]} = {(long)layerSizes[l] * layerSizes[l + 1]} weights); accepted: more than {0.5 / ((long)layerSizes[l] * layerSizes[l + 1]):g3} for these layer sizes");
        KeepFraction = keepFraction;
        Init = init;
        (weights, var drawnScores) = Draw(layerSizes, init, seed, device);
        scores = new Parameter[weights.Length];
        for (var l = 0; l < weights.Length; l++)
        {
            register_buffer($"weight{l}", weights[l]);
            scores[l] = new Parameter(drawnScores[l], requires_grad: true);
            register_parameter($"score{l}", scores[l]);
        }
    }

    /// <summary>
    /// The frozen weights and initial scores of a net with these sizes, as <see cref="EdgePopupMlp"/> draws them from
    /// <paramref name="seed"/> (one generator, layer by layer: weights, then scores): the same random net for every method
    /// that starts from it (<see cref="RandomFeaturesMlp"/>).
    /// </summary>
    public static (Tensor[] Weights, Tensor[] Scores) Draw(int[] layerSizes, FrozenInit init, long seed, Device? device = null)
    {
        CheckSizes(layerSizes);
        if (!Enum.IsDefined(init)) throw new ArgumentOutOfRangeException(nameof(init), init, "accepted: KaimingNormal, SignedKaimingConstant");
        using var generator = new Generator((ulong)seed);
        var layers = layerSizes.Length - 1;
        var weights = new Tensor[layers];
        var scores = new Tensor[layers];
        for (var l = 0; l < layers; l++)
        {
            var (fanIn, fanOut) = (layerSizes[l], layerSizes[l + 1]);
            var std = Math.Sqrt(2.0 / fanIn);
            var w = init == FrozenInit.KaimingNormal
                ? Draws.Normal([fanOut, fanIn], generator).TimesInPlace(std)
                : randint(0, 2, [fanOut, fanIn], generator: generator).to(ScalarType.Float32).TimesInPlace(2).MinusInPlace(1).TimesInPlace(std);
            weights[l] = w.to(device ?? CPU);
            // Scores as the paper's code draws them: Kaiming uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in).
            var bound = 1.0 / Math.Sqrt(fanIn);
            scores[l] = rand([fanOut, fanIn], generator: generator).TimesInPlace(2 * bound).MinusInPlace(bound).to(device ?? CPU);
        }
        return (weights, scores);
    }

    static void CheckSizes(int[] layerSizes)
    {
        if (layerSizes.Length < 2 || layerSizes.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(layerSizes), $"[{string.Join(", ", layerSizes)}]", "accepted: at least two sizes, each at least 1");
    }

    /// <summary>Fraction of each layer's weights kept in the forward pass.</summary>
    public double KeepFraction { get; }

    /// <summary>How the frozen weights were drawn.</summary>
    public FrozenInit Init { get; }

    /// <summary>Number of weight layers.</summary>
    public int LayerCount => weights.Length;

    /// <summary>The frozen weights of a layer.</summary>
    public Tensor Weight(int layer) => weights[layer];

    /// <summary>The scores of a layer.</summary>
    public Parameter Scores(int layer) => scores[layer];

    /// <summary>The current 0/1 mask of a layer (top <see cref="KeepFraction"/> by |score|).</summary>
    public Tensor Mask(int layer)
    {
        using var _ = no_grad();
        return TopKMask.apply(scores[layer].abs(), KeepFraction);
    }

    /// <summary>The post-ReLU output of every hidden layer, then the logits, with the current masks.</summary>
    public IReadOnlyList<Tensor> Activations(Tensor input)
    {
        using var _ = no_grad();
        var outputs = new List<Tensor>();
        Propagate(input, Mask, outputs);
        return outputs;
    }

    /// <summary>The same frozen weights under a random mask with the same per-layer counts (a control): test accuracy.</summary>
    public double RandomMaskAccuracy(Tensor inputs, Tensor labels, long seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Propagate(inputs, l => Imp.RandomMaskLike(Mask(l), seed + l)).argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Logits; hidden layers use ReLU.</summary>
    public override Tensor forward(Tensor input) => Propagate(input, l => TopKMask.apply(scores[l].abs(), KeepFraction));

    /// <summary>
    /// Logits with the current masks and some hidden units silenced: <paramref name="unitMasks"/>[l] is a 0/1 vector over
    /// hidden layer l's units (null keeps them all), multiplied into that layer's output (an ablation). No gradients.
    /// </summary>
    public Tensor ForwardWithUnits(Tensor input, IReadOnlyList<Tensor?> unitMasks)
    {
        if (unitMasks.Count != weights.Length - 1)
            throw new ArgumentException($"{unitMasks.Count} unit masks for {weights.Length - 1} hidden layers; accepted: one per hidden layer (null keeps a layer whole).", nameof(unitMasks));
        using var _ = no_grad();
        return Propagate(input, Mask, null, unitMasks);
    }

    /// <summary>The last hidden layer's output with the current masks (no gradients): the features a linear probe reads.</summary>
    public Tensor HiddenFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = Activations(input);
        return outputs[^2].MoveToOuterDisposeScope();
    }

    /// <summary>The masked net: each layer's frozen weights times <paramref name="mask"/> of that layer, ReLU between layers; every layer's output goes to <paramref name="outputs"/> when given.</summary>
    Tensor Propagate(Tensor input, Func<int, Tensor> mask, List<Tensor>? outputs = null, IReadOnlyList<Tensor?>? unitMasks = null)
    {
        var h = input;
        for (var l = 0; l < weights.Length; l++)
        {
            h = nn.functional.linear(h, weights[l].mul(mask(l)));
            if (l < weights.Length - 1)
            {
                h = nn.functional.relu(h);
                if (unitMasks?[l] is { } keep) h = h.mul(keep);
            }
            outputs?.Add(h);
        }
        return h;
    }

    /// <summary>Only the scores train.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) =>
        scores.Select(s => (s, 1.0)).ToList();
}

/// <summary>
/// Random features: the frozen random net of <see cref="EdgePopupMlp"/> (the same draw from the same seed, every weight
/// kept), with only the readout trained, plus a readout bias. This is the comparison the debate is about: a linear model
/// on fixed random features against a mask search over the same weights (edge-popup) and against dense training.
/// </summary>
public sealed class RandomFeaturesMlp : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Tensor[] hidden;
    readonly Parameter readout;
    readonly Parameter bias;

    /// <summary>Draws the frozen net from <paramref name="seed"/>; the readout starts at the frozen net's readout weights, the bias at zero.</summary>
    public RandomFeaturesMlp(int[] layerSizes, FrozenInit init, long seed, Device? device = null) : base("RandomFeaturesMlp")
    {
        var (weights, scores) = EdgePopupMlp.Draw(layerSizes, init, seed, device);
        foreach (var s in scores) s.Dispose();
        Init = init;
        hidden = weights[..^1];
        for (var l = 0; l < hidden.Length; l++) register_buffer($"weight{l}", hidden[l]);
        readout = new Parameter(weights[^1], requires_grad: true);
        register_parameter("readout", readout);
        bias = new Parameter(zeros(layerSizes[^1], device: device ?? CPU), requires_grad: true);
        register_parameter("bias", bias);
    }

    /// <summary>How the frozen weights were drawn.</summary>
    public FrozenInit Init { get; }

    /// <summary>Logits: the frozen ReLU layers, then the trained readout.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor h;
        using (no_grad())
        {
            h = input;
            foreach (var w in hidden) h = nn.functional.relu(nn.functional.linear(h, w));
        }
        return nn.functional.linear(h, readout, bias).MoveToOuterDisposeScope();
    }

    /// <summary>The output of every frozen hidden layer (no gradients).</summary>
    public IReadOnlyList<Tensor> HiddenActivations(Tensor input)
    {
        using var _ = no_grad();
        var outputs = new List<Tensor>();
        var h = input;
        foreach (var w in hidden) outputs.Add(h = nn.functional.relu(nn.functional.linear(h, w)));
        return outputs;
    }

    /// <summary>Logits with some hidden units silenced: <paramref name="unitMasks"/>[l] is a 0/1 vector over hidden layer l's units (null keeps them all). No gradients.</summary>
    public Tensor ForwardWithUnits(Tensor input, IReadOnlyList<Tensor?> unitMasks)
    {
        if (unitMasks.Count != hidden.Length)
            throw new ArgumentException($"{unitMasks.Count} unit masks for {hidden.Length} hidden layers; accepted: one per hidden layer (null keeps a layer whole).", nameof(unitMasks));
        using var _ = no_grad();
        var h = input;
        for (var l = 0; l < hidden.Length; l++)
        {
            h = nn.functional.relu(nn.functional.linear(h, hidden[l]));
            if (unitMasks[l] is { } keep) h = h.mul(keep);
        }
        return nn.functional.linear(h, readout, bias);
    }

    /// <summary>Only the readout trains.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam) => [(readout, 1.0), (bias, 1.0)];
}
