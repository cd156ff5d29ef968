using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>
/// The quality, for one concept, of random convolutional units of one block drawn as the net's initialization draws them:
/// a 3 x 3 filter over fixed input maps (the images for block 1; the pooled output of random lower blocks above it), weights
/// N(0, σw²/fan_in) with fan_in = 9 · input channels, bias 0, then ReLU and spatial max- or mean-pooling, scored by
/// max(AUC, 1 − AUC). The latent Gaussian row z is the filter divided by σw/√fan_in.
/// <para>
/// The 3 x 3 patches of the maps are unfolded once (fan_in x N·positions), so scoring units is matrix products (a slab of
/// images at a time) instead of convolutions: with three input channels a convolution runs at a tenth of the machine's
/// product rate.
/// </para>
/// </summary>
public sealed class ConvUnitQuality : IDisposable
{
    readonly Tensor patches;
    readonly int[] binaryLabels;
    readonly double scale;
    readonly UnitPooling pooling;
    Tensor? buffer;

    /// <summary>Scores units on <paramref name="inputMaps"/> (N x C x H x W) for "label is <paramref name="class"/>".</summary>
    public ConvUnitQuality(Tensor inputMaps, Tensor labels, int @class, double weightStd, UnitPooling pooling)
    {
        if (inputMaps.dim() != 4) throw new ArgumentException($"inputMaps must be N x C x H x W; got {inputMaps.dim()} dimensions.", nameof(inputMaps));
        if (!(weightStd > 0)) throw new ArgumentOutOfRangeException(nameof(weightStd), weightStd, "accepted: > 0");
        binaryLabels = labels.to(ScalarType.Int64).data<long>().Select(l => l == @class ? 1 : 0).ToArray();
        if (binaryLabels.Length != inputMaps.shape[0]) throw new ArgumentException("inputMaps and labels must have the same number of images.", nameof(labels));
        var positives = binaryLabels.Sum();
        if (positives == 0 || positives == binaryLabels.Length)
            throw new ArgumentOutOfRangeException(nameof(@class), @class, "accepted: a class with images both in and out of it in the evaluation set");
        Dimension = (int)inputMaps.shape[1] * 9;
        Examples = binaryLabels.Length;
        Positions = inputMaps.shape[2] * inputMaps.shape[3];
        scale = weightStd / Math.Sqrt(Dimension);
        this.pooling = pooling;
        using (var scope = NewDisposeScope())
        {
            // N x fan_in x positions, in the (channel, row, column) order of a conv2d weight's fan_in, then fan_in x (N·positions):
            // each unit's map of an image is then one contiguous row of the product, and its pooling a pass along it.
            var unfolded = nn.functional.unfold(inputMaps.to(ScalarType.Float32).contiguous(), kernel_size: 3, padding: 1);
            patches = unfolded.permute(1, 0, 2).reshape(Dimension, Examples * Positions).contiguous().MoveToOuterDisposeScope();
        }
    }

    /// <summary>Units of one product: more amortize its start, fewer keep its output in the cache.</summary>
    const int UnitsPerProduct = 256;

    /// <summary>Images per product for <paramref name="units"/> units: an output near 2^19 floats (2 MB), which the pooling reads while it is in the cache.</summary>
    int ImagesPerSlab(int units) => (int)Math.Clamp((1L << 19) / (Positions * units), 1, Examples);

    /// <summary>fan_in = 9 x input channels: the latent dimension.</summary>
    public int Dimension { get; }

    /// <summary>Evaluation images.</summary>
    public int Examples { get; }

    /// <summary>Positions of each feature map.</summary>
    public long Positions { get; }

    /// <summary>Multiply-adds of one unit's scoring, times 2.</summary>
    public double FlopsPerUnit => 2.0 * Dimension * Examples * Positions;

    /// <summary>The quality of each latent row (B x d). Not for two threads at once: the calls share one product buffer.</summary>
    /// <remarks>
    /// Units x fan_in filters times fan_in x positions patches, a slab of images at a time, so that each product's output
    /// (units x images x positions) is pooled along its rows while it is still in the cache. For the subset simulation's
    /// batches of 50 units on 1,000 images, the product of every image at once as (images·positions) x units, pooled across
    /// its rows, took 108 ms on one thread for block 1 of the 3-32-64-128 net and this way 43 ms (145 and 112 ms for block 2;
    /// a probe). One buffer serves every product of every call: a fresh output per product is mapped and paged in anew
    /// each time when it is above what the C library keeps for reuse (see TorchRuntime). It is detached from any dispose
    /// scope the caller has open: it lives as long as this instance.
    /// </remarks>
    public float[] Score(Tensor latent) => Score(latent, [pooling])[0];

    /// <summary>
    /// The quality of each latent row under each of <paramref name="poolings"/>, from one product per slab: the maps are the
    /// same whatever the pooling, so scoring units under max- and mean-pooling together costs one product instead of two,
    /// and each pooling's qualities are those <see cref="Score(Tensor)"/> gives under it alone. Not for two threads at once.
    /// </summary>
    public float[][] Score(Tensor latent, IReadOnlyList<UnitPooling> poolings)
    {
        if (poolings.Count == 0 || poolings.Any(p => !Enum.IsDefined(p)) || poolings.Distinct().Count() != poolings.Count)
            throw new ArgumentOutOfRangeException(nameof(poolings), $"[{string.Join(", ", poolings)}]", "accepted: one or more distinct poolings (Max, Mean)");
        var units = (int)latent.shape[0];
        var quality = poolings.Select(_ => new float[units]).ToArray();
        if (units == 0) return quality;
        var perProduct = Math.Min(units, UnitsPerProduct);
        var needed = (long)perProduct * ImagesPerSlab(perProduct) * Positions;
        if (buffer is null || buffer.shape[0] < needed)
        {
            buffer?.Dispose();
            buffer = empty(Math.Max(needed, 1L << 19), dtype: ScalarType.Float32, device: patches.device).DetachFromDisposeScope();
        }
        // Max first: it reads the map without changing it; mean rectifies the map in place.
        var order = Enumerable.Range(0, poolings.Count).OrderBy(k => poolings[k] == UnitPooling.Max ? 0 : 1).ToArray();
        var pooledAll = poolings.Select(_ => empty([perProduct, Examples], dtype: ScalarType.Float32, device: patches.device)).ToArray();
        try
        {
            for (var start = 0; start < units; start += UnitsPerProduct)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var count = Math.Min(UnitsPerProduct, units - start);
                var filters = latent.narrow(0, start, count).to(ScalarType.Float32).Times(scale);
                var slab = ImagesPerSlab(count);
                for (long first = 0; first < Examples; first += slab)
                {
                    using var slabScope = NewDisposeScope();
                    var images = Math.Min(slab, Examples - first);
                    var columns = images * Positions;
                    var product = buffer.narrow(0, 0, count * columns).view(count, columns).addmm_(filters, patches.narrow(1, first * Positions, columns), beta: 0, alpha: 1);
                    var maps = product.view(count, images, Positions);
                    foreach (var k in order)
                        // ReLU is monotone, so the maximum of the rectified map is the rectified maximum: one pass fewer over the map.
                        pooledAll[k].narrow(0, 0, count).narrow(1, first, images).copy_(poolings[k] == UnitPooling.Max ? maps.amax(2).relu_() : maps.relu_().mean([2L]));
                }
                for (var k = 0; k < poolings.Count; k++)
                {
                    var auc = RadixAuc.ClassVsRest(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(pooledAll[k].narrow(0, 0, count).contiguous().bytes), count, Examples, binaryLabels, 2);
                    for (var u = 0; u < count; u++) quality[k][start + u] = (float)Math.Max(auc[1, u], 1 - auc[1, u]);
                }
            }
        }
        finally
        {
            foreach (var t in pooledAll) t.Dispose();
        }
        return quality;
    }

    /// <summary>Frees the maps and the product buffer.</summary>
    public void Dispose()
    {
        patches.Dispose();
        buffer?.Dispose();
    }
}

/// <summary>
/// Detector density in convolutional nets, block by block: each trained net's best unit of a block chosen on half A and
/// scored on half B, against random units of the same block at initialization, conditioned on random lower blocks, by the
/// rare-event estimator (whose first level is plain Monte Carlo), with the same joint bands as the MLP study.
/// </summary>
public static class ConvDensity
{
    /// <summary>Each net's best unit for the concept in every block (selected on A, scored on B).</summary>
    public static IReadOnlyList<SelectedDetector> Select(IReadOnlyList<(long Seed, IConvUnits Net)> nets, Concept concept, UnitPooling pooling)
    {
        var list = new List<SelectedDetector>();
        foreach (var (seed, net) in nets)
        {
            var onA = Scores(net, concept.A, pooling);
            var onB = Scores(net, concept.B, pooling);
            for (var b = 0; b < onA.Count; b++)
            {
                var (unit, qualityA, fires) = onA[b].Best(concept.Class);
                var aucB = onB[b].Auc[concept.Class][unit];
                list.Add(new SelectedDetector(seed, b + 1, unit, fires, qualityA, fires ? aucB : 1 - aucB, onB[b].Quality(concept.Class)));
            }
        }
        return list;
    }

    /// <summary>Every block's units scored on a set (block 1 first).</summary>
    public static IReadOnlyList<UnitScores> Scores(IConvUnits net, EvaluationSet set, UnitPooling pooling)
    {
        var pooled = ConvUnits.Pooled(net, set.Inputs, pooling);
        try
        {
            return pooled.Select(p => UnitScores.Score(p, set.Labels, set.Classes, withSelectivity: false)).ToList();
        }
        finally
        {
            foreach (var p in pooled) p.Dispose();
        }
    }

    /// <summary>The pooled activations of one unit (block 1-based) on the images of a set.</summary>
    public static float[] UnitActivations(IConvUnits net, int block, int unit, EvaluationSet set, UnitPooling pooling)
    {
        var pooled = ConvUnits.Pooled(net, set.Inputs, pooling);
        try
        {
            return pooled[block - 1][.., unit].contiguous().data<float>().ToArray();
        }
        finally
        {
            foreach (var p in pooled) p.Dispose();
        }
    }

    /// <summary>
    /// The input maps of block <paramref name="block"/> (1-based) on <paramref name="images"/> under random lower blocks drawn
    /// from <paramref name="seed"/> (block 1: the images themselves).
    /// </summary>
    public static Tensor RandomInputMaps(ConvNetOptions options, int block, Tensor images, long seed)
    {
        if (block < 1 || block > options.Depth) throw new ArgumentOutOfRangeException(nameof(block), block, $"accepted: 1 to {options.Depth}");
        if (block == 1) return images.alias();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var weights = ConvNet.Draw(options with { Channels = options.BlockChannels[..(block - 1)] }, seed);
        var h = images;
        for (var l = 0; l < block - 1; l++) h = ConvNet.Block(h, weights[l], null);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the estimator for random units of block <paramref name="block"/> (1-based) on half B: for block 1,
    /// <see cref="RobustDensityOptions.Layer1Runs"/> independent runs on the images; above it, one run on each of
    /// <see cref="RobustDensityOptions.Layer2FirstLayers"/> draws of the random lower blocks.
    /// <para>With <c>stopScore</c>, each run ends once the density at that quality is read off (see <see cref="SubsetSimulation.Run"/>).</para>
    /// </summary>
    public static RareEventCurve Estimate(Concept concept, ConvNetOptions net, int block, UnitPooling pooling, RobustDensityOptions options, Action<string>? onProgress = null,
        double? stopScore = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (block < 1 || block > net.Depth) throw new ArgumentOutOfRangeException(nameof(block), block, $"accepted: 1 to {net.Depth}");
        return EstimateAll([new EstimateRequest(concept, net, block, options, stopScore)], pooling, onProgress)[0];
    }

    /// <summary>
    /// <see cref="Estimate"/> for several requests at once (say every width and block of a sweep), their runs in one queue in
    /// the order given: a request's runs do not wait for another's to end, so no core idles while the last run of one request
    /// ends. Each run is the same as <see cref="Estimate"/>'s (its seeds depend on the request alone), so every curve is too.
    /// </summary>
    /// <param name="requests">The requests, their runs queued in this order.</param>
    /// <param name="pooling">How a unit's map becomes one number per image.</param>
    /// <param name="onProgress">Called from the caller's thread with the latest run's line.</param>
    /// <param name="atOnce">Runs at most at once (default twice the cores).</param>
    public static IReadOnlyList<RareEventCurve> EstimateAll(IReadOnlyList<EstimateRequest> requests, UnitPooling pooling, Action<string>? onProgress = null, int? atOnce = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (atOnce < 1) throw new ArgumentOutOfRangeException(nameof(atOnce), atOnce, "accepted: 1 or more runs at once, or null for twice the cores");
        foreach (var r in requests)
        {
            if (r?.Concept is null || r.Net is null || r.Options is null)
                throw new ArgumentException("accepted: requests with a concept, a net and options; one is null.", nameof(requests));
            r.Options.Validate();
            r.Net.Validate();
            if (r.Block < 1 || r.Block > r.Net.Depth)
                throw new ArgumentOutOfRangeException(nameof(requests), r.Block, $"block {r.Block} of the {string.Join("-", r.Net.BlockChannels)} net; accepted: 1 to {r.Net.Depth}");
        }
        var runs = requests.Select(r => new RareEventRun?[r.Block == 1 ? r.Options.Layer1Runs : r.Options.Layer2FirstLayers]).ToArray();
        var jobs = requests.SelectMany((r, i) => Enumerable.Range(0, runs[i].Length).Select(k => (Request: i, Run: k))).ToList();
        var finished = 0;
        string? line = null;
        // The runs are independent (each has its own seeds and, above block 1, its own lower blocks), so they run side by
        // side, each on one LibTorch thread: its numbers do not depend on the machine's core count. The chains of a level are
        // scored p0·N units at a time (25 in notebook 04's full profile), too few to keep two threads busy in one product; block 1's three runs took 43 s one
        // after another on two threads and 20 s side by side with the patch layout of ConvUnitQuality (the 3-32-64-128 net,
        // 1,000 images, a probe). Up to twice as many runs as cores start at once: three runs on two cores two at a time leave
        // a core idle while the third runs alone, whereas three at once share both cores to the end. Every running run holds
        // its patches (about 300 MB each for block 2 of that net), so peak memory grows with the runs at once.
        string? shown = null;
        SideBySide.Run(Enumerable.Range(0, jobs.Count).ToList(), Math.Max(1, Math.Min(jobs.Count, atOnce ?? 2 * Environment.ProcessorCount)), j =>
        {
            var (i, k) = jobs[j];
            var (concept, net, block, options, stopScore) = requests[i];
            using var maps = RandomInputMaps(net, block, concept.B.Inputs, RobustDensity.RunSeed(options.Seed, $"lower blocks {string.Join("-", net.BlockChannels)}", block, k));
            using var quality = new ConvUnitQuality(maps, concept.B.Labels, concept.Class, net.WeightStd, pooling);
            var run = SubsetSimulation.Run(quality.Score, quality.Dimension, options.RareEvent,
                RobustDensity.RunSeed(options.Seed, $"{concept.Name} {pooling} {string.Join("-", net.BlockChannels)}", block, k), stopScore);
            lock (runs)
            {
                runs[i][k] = run;
                finished++;
                var where = requests.Count == 1 ? $"{concept.Name}, block {block}" : $"{concept.Name}, {string.Join("-", net.BlockChannels)} net, block {block}";
                line = $"{where}: {finished} of {jobs.Count} runs done (run {k + 1} reached 2^{run.ReachedLog2:0.0})";
            }
        }, () =>
        {
            string? now;
            lock (runs) now = line;
            if (now is not null && now != shown) onProgress?.Invoke(shown = now);
        });
        return requests.Select((r, i) => new RareEventCurve(r.Concept.Name, r.Block, runs[i].Select(x => x!).ToList())).ToList();
    }

    /// <summary>
    /// Measures one concept in every block: the trained nets' units chosen on A and scored on B, the estimator for random
    /// units of each block on B, and each block's row with its joint replicates.
    /// </summary>
    public static ConceptMeasurement Measure(Concept concept, IReadOnlyList<(long Seed, ConvNet Net)> nets, UnitPooling pooling, RobustDensityOptions options,
        Action<string>? onProgress = null)
    {
        if (nets.Count == 0) throw new ArgumentException("accepted: one or more trained nets.", nameof(nets));
        var net = nets[0].Net.Options;
        return Assemble(concept, nets, pooling, Enumerable.Range(1, net.Depth).Select(b => Estimate(concept, net, b, pooling, options, onProgress)).ToList(), options);
    }

    /// <summary>
    /// <see cref="Measure"/> from estimator curves already run (one per block, block 1 first, e.g. one notebook cell per block):
    /// the trained nets' units chosen on A and scored on B, and each block's row with its joint replicates.
    /// </summary>
    public static ConceptMeasurement Assemble(Concept concept, IReadOnlyList<(long Seed, ConvNet Net)> nets, UnitPooling pooling, IReadOnlyList<RareEventCurve> curves,
        RobustDensityOptions options)
    {
        if (nets.Count == 0) throw new ArgumentException("accepted: one or more trained nets.", nameof(nets));
        var depth = nets[0].Net.Options.Depth;
        if (curves.Count != depth || curves.Select((c, i) => c.Layer != i + 1 || c.Concept != concept.Name).Any(bad => bad))
            throw new ArgumentException($"accepted: one curve of concept '{concept.Name}' per block, blocks 1 to {depth} in order; got {string.Join(", ", curves.Select(c => $"'{c.Concept}' block {c.Layer}"))}.", nameof(curves));
        var selected = Select(nets.Select(n => (n.Seed, (IConvUnits)n.Net)).ToList(), concept, pooling);
        var rows = curves.Select(c =>
        {
            var units = selected.Where(s => s.Layer == c.Layer).ToList();
            var activations = units.Select((u, i) => UnitActivations(nets[i].Net, c.Layer, u.Unit, concept.B, pooling)).ToArray();
            return RobustDensity.Row(concept, c.Layer, selected, activations, c, options);
        }).ToList();
        return new ConceptMeasurement(concept, selected, curves, rows);
    }
}

/// <summary>One estimator request of <see cref="ConvDensity.EstimateAll"/>: random units of <paramref name="Block"/> (1-based) of a
/// net shaped like <paramref name="Net"/>, scored for <paramref name="Concept"/> on its half B.</summary>
/// <param name="Concept">The concept and its halves.</param>
/// <param name="Net">The net's shape (its weights are drawn per run).</param>
/// <param name="Block">The block, 1-based.</param>
/// <param name="Options">The estimator's options (samples, runs, seed).</param>
/// <param name="StopScore">When set, each run ends once the density at this quality is read off.</param>
public sealed record EstimateRequest(Concept Concept, ConvNetOptions Net, int Block, RobustDensityOptions Options, double? StopScore = null);
