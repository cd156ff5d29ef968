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
/// <param name="Reinit">The same mask on a fresh random initialization that got the ticket's head start: <see cref="ImpOptions.RewindStep"/> dense steps from its own init before the mask (NaN in round 0).</param>
/// <param name="RandomMask">A random mask with the same per-layer counts, from the same rewound weights (NaN in round 0).</param>
/// <param name="TicketValidation">The ticket's accuracy on held-out training images, on which a level is chosen (NaN when no validation images were given).</param>
public sealed record ImpLevel(int Round, double WeightsRemaining, double Ticket, double Reinit, double RandomMask, double TicketValidation = double.NaN);

/// <summary>Runs IMP and its controls.</summary>
public static class Imp
{
    /// <summary>Trains, prunes and rewinds for <see cref="ImpOptions.Rounds"/> rounds; returns one level per round (one training at a time).</summary>
    public static IReadOnlyList<ImpLevel> Run(MlpOptions netOptions, long seed, TensorData data, TrainOptions training, ImpOptions options,
        Action<string>? onProgress = null, EvaluationSet? validation = null) =>
        RunSeeds(netOptions, [seed], data, training, options, parallelTrainings: 1, onProgress, validation)[0];

    /// <summary>
    /// IMP for several seeds with up to <paramref name="parallelTrainings"/> trainings at once. Each seed's tickets form a
    /// chain (round r+1 prunes round r's trained ticket), but the controls of a round and other seeds' chains are
    /// independent, so they fill the other cores; small steps run on one LibTorch thread each (<see cref="IntraOpThreads"/>).
    /// Every training has its own seeds, so the numbers do not depend on the schedule. 0 means one per processor, or twice
    /// that for a single seed: one seed's round (its ticket's training, then the two controls) left a core idle while the
    /// last control trained alone (notebook 03's first seed: 1.5 cores busy), whereas several seeds' chains fill the cores
    /// and more at once only cost processor time.
    /// Each ticket is also scored on <paramref name="validation"/> (held-out training images) when given, so that a level
    /// can be chosen without looking at the test images.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<ImpLevel>> RunSeeds(MlpOptions netOptions, IReadOnlyList<long> seeds, TensorData data, TrainOptions training,
        ImpOptions options, int parallelTrainings = 0, Action<string>? onProgress = null, EvaluationSet? validation = null)
    {
        options.Validate();
        training.Validate();
        var stepsPerRun = training.Epochs * ((data.TrainX.shape[0] + training.BatchSize - 1) / training.BatchSize);
        if (options.RewindStep > stepsPerRun)
            throw new ArgumentOutOfRangeException(nameof(options.RewindStep), options.RewindStep,
                $"accepted: 0 to the {stepsPerRun} steps of one training run ({training.Epochs} epochs of {data.TrainX.shape[0]} images at batch {training.BatchSize}); a later step would never be reached");
        CheckPrunable(netOptions, options);
        if (seeds.Count == 0) return [];
        if (parallelTrainings < 0) throw new ArgumentOutOfRangeException(nameof(parallelTrainings), parallelTrainings, "accepted: 0 (one per processor, two for a single seed) or more");
        using var slots = new SemaphoreSlim(parallelTrainings == 0 ? (seeds.Count == 1 ? 2 : 1) * Environment.ProcessorCount : parallelTrainings);
        var total = seeds.Count * (1 + 3 * options.Rounds);
        var done = 0;
        var running = new List<string>();
        async Task<double> Train(Func<double> run, string what)
        {
            await slots.WaitAsync().ConfigureAwait(false);
            lock (running) running.Add(what);
            try
            {
                return run();
            }
            finally
            {
                lock (running) running.Remove(what);
                Interlocked.Increment(ref done);
                slots.Release();
            }
        }
        var chains = seeds.Select(seed => Task.Run(() => Chain(netOptions, seed, data, training, options, Train, validation))).ToArray();
        SideBySide.Wait(Task.WhenAll(chains), () =>
        {
            string now;
            lock (running) now = string.Join("; ", running);
            onProgress?.Invoke(now.Length == 0 ? $"{Volatile.Read(ref done)} of {total} trainings done" : $"{Volatile.Read(ref done)} of {total} trainings done; training {now}");
        });
        return chains.Select(c => c.Result).ToList();
    }

    static async Task<IReadOnlyList<ImpLevel>> Chain(MlpOptions netOptions, long seed, TensorData data, TrainOptions training, ImpOptions options,
        Func<Func<double>, string, Task<double>> train, EvaluationSet? validation)
    {
        using var rewind = new Mlp(netOptions, seed);
        var layers = rewind.LayerCount;
        var masks = Enumerable.Range(0, layers).Select(l => ones_like(rewind.Weight(l))).ToArray();
        var total = Enumerable.Range(0, layers).Sum(l => rewind.Weight(l).numel());
        var tickets = new List<(int Round, double Remaining, double Ticket, double Validation)>();
        var controls = new List<(Task<double> Reinit, Task<double> Random, Tensor[] Masks)>();
        try
        {
            for (var round = 0; round <= options.Rounds; round++)
            {
                var remaining = masks.Sum(m => m.sum().item<float>()) / total;
                var ticket = new Mlp(netOptions, seed);
                ticket.CopyFrom(rewind);
                for (var l = 0; l < layers; l++) ticket.SetMask(l, masks[l]);
                var isFirst = round == 0;
                var validationAccuracy = double.NaN;
                var accuracy = await train(() =>
                {
                    var result = Trainer.Train(ticket, data, training, afterStep: isFirst && options.RewindStep > 0
                        ? step => { if (step == options.RewindStep) rewind.CopyFrom(ticket); }
                        : null).FinalTestAccuracy;
                    if (validation is not null) validationAccuracy = Trainer.Evaluate(ticket, validation.Inputs, validation.Labels, training.Loss, data.Classes).Accuracy;
                    return result;
                }, $"seed {seed}, round {round} ticket ({remaining:P0} of the weights)").ConfigureAwait(false);
                tickets.Add((round, remaining, accuracy, validationAccuracy));
                if (round > 0)
                {
                    // The controls read the rewound weights (fixed after round 0) and their own copy of this round's masks.
                    var own = masks.Select(m => m.clone()).ToArray();
                    var r = round;
                    controls.Add((
                        Task.Run(() => train(() =>
                        {
                            // A fresh init with the ticket's head start: RewindStep dense steps on the same batches, then the mask.
                            using var fresh = new Mlp(netOptions, seed + 1_000 + r);
                            if (options.RewindStep > 0) Trainer.Train(fresh, data, training, stopAfterSteps: options.RewindStep);
                            for (var l = 0; l < layers; l++) fresh.SetMask(l, own[l]);
                            return Trainer.Train(fresh, data, training).FinalTestAccuracy;
                        }, $"seed {seed}, round {r} re-initialized control")),
                        Task.Run(() => train(() =>
                        {
                            using var shuffled = new Mlp(netOptions, seed);
                            shuffled.CopyFrom(rewind);
                            for (var l = 0; l < layers; l++) shuffled.SetMask(l, RandomMaskLike(own[l], seed * 7919 + r * 31 + l));
                            return Trainer.Train(shuffled, data, training).FinalTestAccuracy;
                        }, $"seed {seed}, round {r} random-mask control")),
                        own));
                }
                if (round < options.Rounds)
                {
                    var next = Prune(ticket, masks, options);
                    foreach (var m in masks) m.Dispose();
                    masks = next;
                }
                ticket.Dispose();
            }
            var levels = new List<ImpLevel>();
            foreach (var (round, remaining, accuracy, validationAccuracy) in tickets)
            {
                var reinit = round == 0 ? double.NaN : await controls[round - 1].Reinit.ConfigureAwait(false);
                var random = round == 0 ? double.NaN : await controls[round - 1].Random.ConfigureAwait(false);
                levels.Add(new ImpLevel(round, remaining, accuracy, reinit, random, validationAccuracy));
            }
            return levels;
        }
        finally
        {
            // Wait for every control before the rewound weights they read are disposed.
            try { await Task.WhenAll(controls.SelectMany(c => new[] { c.Reinit, c.Random })).ConfigureAwait(false); }
            catch (Exception) { /* reported through the awaited results above */ }
            foreach (var c in controls) foreach (var m in c.Masks) m.Dispose();
            foreach (var m in masks) m.Dispose();
        }
    }

    /// <summary>Refuses a schedule that prunes some layer to no weight at all before the last round (it would train a dead net).</summary>
    static void CheckPrunable(MlpOptions netOptions, ImpOptions options)
    {
        var sizes = netOptions.LayerSizes;
        for (var l = 0; l + 1 < sizes.Length; l++)
        {
            var fraction = l == sizes.Length - 2 ? options.OutputPruneFraction : options.PruneFractionPerRound;
            long kept = (long)sizes[l] * sizes[l + 1];
            for (var round = 1; round <= options.Rounds; round++)
            {
                kept -= (long)Math.Round(fraction * kept);
                if (kept < 1)
                    throw new ArgumentOutOfRangeException(nameof(options.Rounds), options.Rounds,
                        $"round {round} would prune layer {l} ({sizes[l]} x {sizes[l + 1]}) to no weight at {fraction:g3} per round; accepted: fewer rounds or a smaller prune fraction");
            }
        }
    }

    /// <summary>The next masks: the smallest-magnitude fraction of the kept weights of <paramref name="trained"/> removed.</summary>
    public static Tensor[] Prune(Mlp trained, Tensor[] masks, ImpOptions options)
    {
        using var _ = no_grad();
        var layers = masks.Length;
        var next = new Tensor[layers];
        if (options.Global)
        {
            var magnitudes = cat(Enumerable.Range(0, layers).Select(l => trained.Weight(l).abs().masked_select(masks[l].Above(0))).ToList(), 0);
            var prune = (long)Math.Round(options.PruneFractionPerRound * magnitudes.numel());
            var threshold = prune == 0 ? -1.0 : magnitudes.kthvalue(prune, 0).values.item<float>();
            for (var l = 0; l < layers; l++) next[l] = masks[l].mul(trained.Weight(l).abs().Above(threshold).to(masks[l].dtype));
            return next;
        }
        for (var l = 0; l < layers; l++)
        {
            var fraction = l == layers - 1 ? options.OutputPruneFraction : options.PruneFractionPerRound;
            var kept = masks[l].Above(0);
            var count = kept.sum().item<long>();
            var prune = (long)Math.Round(fraction * count);
            // Pruned weights rank below every kept one; exactly `prune` of the kept are removed.
            var score = where(kept, trained.Weight(l).abs(), HeldScalars.FullLike(masks[l], -1)).flatten();
            var order = score.argsort();
            var already = masks[l].numel() - count;
            var mask = masks[l].flatten().clone();
            mask.FillAt(0, order.narrow(0, already, prune), 0.0);
            next[l] = mask.view_as(masks[l]);
        }
        return next;
    }

    /// <summary>A random mask with as many kept entries as <paramref name="mask"/>.</summary>
    public static Tensor RandomMaskLike(Tensor mask, long seed)
    {
        var kept = mask.sum().item<float>();
        using var generator = new Generator((ulong)seed);
        var order = randperm(mask.numel(), generator: generator);
        var result = zeros(mask.numel(), mask.dtype);
        result.FillAt(0, order.narrow(0, 0, (long)kept), 1.0);
        return result.view_as(mask);
    }
}
