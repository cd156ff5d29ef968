using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>Iterative magnitude pruning with rewinding (Frankle &amp; Carbin 2019; Frankle et al. 2020).</summary>
/// <param name="Rounds">Pruning rounds after the dense run.</param>
/// <param name="PruneFractionPerRound">Fraction of the remaining weights of each hidden layer pruned per round (they used 0.2).</param>
/// <param name="OutputPruneFraction">The same for the output layer (they used 0.1).</param>
/// <param name="Global">Prune by one magnitude threshold over all layers instead of layer by layer.</param>
/// <param name="RewindStep">Survivors are reset to their values after this many steps of the first run (0: the initialization).</param>
public sealed record ImpOptions(int Rounds = 5, double PruneFractionPerRound = 0.2, double OutputPruneFraction = 0.1, bool Global = false, long RewindStep = 0)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public ImpOptions Validate()
    {
        if (Rounds is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "accepted: 0 to 100");
        if (!(PruneFractionPerRound > 0 && PruneFractionPerRound < 1))
            throw new ArgumentOutOfRangeException(nameof(PruneFractionPerRound), PruneFractionPerRound, "accepted: a fraction of the remaining weights PRUNED per round, in (0, 1)");
        if (!(OutputPruneFraction >= 0 && OutputPruneFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(OutputPruneFraction), OutputPruneFraction, "accepted: in [0, 1)");
        if (RewindStep < 0) throw new ArgumentOutOfRangeException(nameof(RewindStep), RewindStep, "accepted: 0 or more steps");
        return this;
    }
}

/// <summary>One sparsity level of an IMP run: the ticket and its two controls, trained the same way.</summary>
/// <param name="Round">0 for the dense net.</param>
/// <param name="WeightsRemaining">Fraction of all weights kept.</param>
/// <param name="Ticket">Test accuracy of the pruned net rewound to its own early weights.</param>
/// <param name="Reinit">The same mask with a fresh random initialization (NaN in round 0).</param>
/// <param name="RandomMask">A random mask with the same per-layer counts, from the same rewound weights (NaN in round 0).</param>
public sealed record ImpLevel(int Round, double WeightsRemaining, double Ticket, double Reinit, double RandomMask);

/// <summary>Runs IMP and its controls.</summary>
public static class Imp
{
    /// <summary>Trains, prunes and rewinds for <see cref="ImpOptions.Rounds"/> rounds; returns one level per round.</summary>
    public static IReadOnlyList<ImpLevel> Run(MlpOptions netOptions, long seed, TensorData data, TrainOptions training, ImpOptions options,
        Action<string>? onProgress = null)
    {
        options.Validate();
        using var rewind = new Mlp(netOptions, seed);
        var layers = rewind.LayerCount;
        var masks = Enumerable.Range(0, layers).Select(l => ones_like(rewind.Weight(l))).ToArray();
        var levels = new List<ImpLevel>();
        var total = Enumerable.Range(0, layers).Sum(l => rewind.Weight(l).numel());
        for (var round = 0; round <= options.Rounds; round++)
        {
            var remaining = masks.Sum(m => m.sum().item<float>()) / total;
            onProgress?.Invoke($"round {round}: {remaining:P1} of the weights, training the ticket");
            using var ticket = new Mlp(netOptions, seed);
            ticket.CopyFrom(rewind);
            for (var l = 0; l < layers; l++) ticket.SetMask(l, masks[l]);
            var ticketResult = Trainer.Train(ticket, data, training, afterStep: round == 0 && options.RewindStep > 0
                ? step => { if (step == options.RewindStep) rewind.CopyFrom(ticket); }
                : null);
            double reinit = double.NaN, random = double.NaN;
            if (round > 0)
            {
                onProgress?.Invoke($"round {round}: {remaining:P1} of the weights, training the controls");
                using var fresh = new Mlp(netOptions, seed + 1_000 + round);
                for (var l = 0; l < layers; l++) fresh.SetMask(l, masks[l]);
                reinit = Trainer.Train(fresh, data, training).FinalTestAccuracy;
                using var shuffled = new Mlp(netOptions, seed);
                shuffled.CopyFrom(rewind);
                for (var l = 0; l < layers; l++) shuffled.SetMask(l, RandomMaskLike(masks[l], seed * 7919 + round * 31 + l));
                random = Trainer.Train(shuffled, data, training).FinalTestAccuracy;
            }
            levels.Add(new ImpLevel(round, remaining, ticketResult.FinalTestAccuracy, reinit, random));
            if (round < options.Rounds) masks = Prune(ticket, masks, options);
        }
        foreach (var m in masks) m.Dispose();
        return levels;
    }

    /// <summary>The next masks: the smallest-magnitude fraction of the kept weights of <paramref name="trained"/> removed.</summary>
    public static Tensor[] Prune(Mlp trained, Tensor[] masks, ImpOptions options)
    {
        using var _ = no_grad();
        var layers = masks.Length;
        var next = new Tensor[layers];
        if (options.Global)
        {
            var magnitudes = cat(Enumerable.Range(0, layers).Select(l => trained.Weight(l).abs().masked_select(masks[l].gt(0))).ToList(), 0);
            var prune = (long)Math.Round(options.PruneFractionPerRound * magnitudes.numel());
            var threshold = prune == 0 ? -1.0 : magnitudes.kthvalue(prune, 0).values.item<float>();
            for (var l = 0; l < layers; l++) next[l] = masks[l].mul(trained.Weight(l).abs().gt(threshold).to(masks[l].dtype));
            return next;
        }
        for (var l = 0; l < layers; l++)
        {
            var fraction = l == layers - 1 ? options.OutputPruneFraction : options.PruneFractionPerRound;
            var kept = masks[l].gt(0);
            var count = kept.sum().item<long>();
            var prune = (long)Math.Round(fraction * count);
            // Pruned weights rank below every kept one; exactly `prune` of the kept are removed.
            var score = where(kept, trained.Weight(l).abs(), full_like(masks[l], -1)).flatten();
            var order = score.argsort();
            var already = masks[l].numel() - count;
            var mask = masks[l].flatten().clone();
            mask.index_fill_(0, order.narrow(0, already, prune), 0.0);
            next[l] = mask.view_as(masks[l]);
        }
        return next;
    }

    /// <summary>A random mask with as many kept entries as <paramref name="mask"/>.</summary>
    public static Tensor RandomMaskLike(Tensor mask, long seed)
    {
        var kept = mask.sum().item<float>();
        var order = randperm(mask.numel(), generator: new Generator((ulong)seed));
        var result = zeros(mask.numel(), mask.dtype);
        result.index_fill_(0, order.narrow(0, 0, (long)kept), 1.0);
        return result.view_as(mask);
    }
}
