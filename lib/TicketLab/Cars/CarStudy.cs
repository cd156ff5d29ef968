using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Pruning;
using TicketLab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Cars;

/// <summary>The hyperparameters of the car-detector study (notebook 04).</summary>
/// <param name="Data">Which CIFAR-10 copy (the committed subset in the quick profile).</param>
/// <param name="Channels">The convnet's block channels, e.g. [32, 64, 128].</param>
/// <param name="Seeds">One dense training per seed (its initialization and batch order).</param>
/// <param name="Training">The dense recipe: Adam, cosine schedule.</param>
/// <param name="EdgePopupTraining">Edge-popup's recipe (Ramanujan et al. 2020: SGD 0.1, momentum 0.9, weight decay 5e-4, cosine).</param>
/// <param name="EdgePopupKeep">Fraction of each layer's weights edge-popup keeps.</param>
/// <param name="ReadoutTraining">The readout-only recipe (a linear model on the frozen random net's last-block features).</param>
/// <param name="HalfPerClass">Test images per class in each half: units are chosen on half A and reported on half B.</param>
/// <param name="Density">The estimator of at-init densities (runs per block, replicates, seed).</param>
/// <param name="Pooling">The unit: a channel's post-ReLU map pooled by its maximum (the headline) or its mean (compared below).</param>
/// <param name="SweepBaseWidths">Width sweep: nets c-2c-4c for each c.</param>
/// <param name="SweepSeeds">Random nets per width.</param>
/// <param name="SweepDensity">The estimator in the width sweep (upper blocks, conditioned on random lower blocks of that width).</param>
/// <param name="PoolingUnits">Random units per block scored by plain Monte Carlo in the max-against-mean comparison.</param>
/// <param name="TopImages">Images per unit in the picture grids.</param>
public sealed record CarStudyOptions(CifarOptions Data, int[] Channels, long[] Seeds, TrainOptions Training, TrainOptions EdgePopupTraining, double EdgePopupKeep,
    TrainOptions ReadoutTraining, int HalfPerClass, RobustDensityOptions Density, UnitPooling Pooling, int[] SweepBaseWidths, long[] SweepSeeds,
    RobustDensityOptions SweepDensity, int PoolingUnits, int TopImages)
{
    /// <summary>The net these options describe.</summary>
    public ConvNetOptions Net => new(Channels);

    /// <summary>Throws an error naming the first invalid field, its value and what is accepted.</summary>
    public CarStudyOptions Validate()
    {
        Data.Validate();
        Net.Validate();
        Training.Validate();
        EdgePopupTraining.Validate();
        ReadoutTraining.Validate();
        Density.Validate();
        SweepDensity.Validate();
        if (Seeds.Length < 1 || Seeds.Distinct().Count() != Seeds.Length)
            throw new ArgumentOutOfRangeException(nameof(Seeds), $"[{string.Join(", ", Seeds)}]", "accepted: one or more distinct seeds (3 or more for a seed band)");
        if (!(EdgePopupKeep > 0 && EdgePopupKeep <= 1)) throw new ArgumentOutOfRangeException(nameof(EdgePopupKeep), EdgePopupKeep, "accepted: a fraction of weights kept in (0, 1]");
        if (HalfPerClass < 2) throw new ArgumentOutOfRangeException(nameof(HalfPerClass), HalfPerClass, "accepted: 2 or more test images per class and half");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "accepted: Max, Mean");
        if (SweepBaseWidths.Length < 2 || SweepBaseWidths.Any(w => w < 1 || w > 1024) || SweepBaseWidths.Distinct().Count() != SweepBaseWidths.Length)
            throw new ArgumentOutOfRangeException(nameof(SweepBaseWidths), $"[{string.Join(", ", SweepBaseWidths)}]", "accepted: 2 or more distinct widths from 1 to 1024 (4 or more for a trend)");
        if (SweepSeeds.Length < 1 || SweepSeeds.Distinct().Count() != SweepSeeds.Length)
            throw new ArgumentOutOfRangeException(nameof(SweepSeeds), $"[{string.Join(", ", SweepSeeds)}]", "accepted: one or more distinct seeds");
        if (PoolingUnits is < 100 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(PoolingUnits), PoolingUnits, "accepted: 100 to 1000000");
        if (TopImages is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(TopImages), TopImages, "accepted: 1 to 100");
        return this;
    }
}

/// <summary>CIFAR-10 as the study uses it: tensors standardized per channel with the training set's statistics, and the two test halves.</summary>
public sealed class CarData : IDisposable
{
    /// <summary>The loaded copy.</summary>
    public CifarData Source { get; }
    /// <summary>Training and test tensors (N x 3 x 32 x 32).</summary>
    public TensorData Tensors { get; }
    /// <summary>Half A of the test set (selection).</summary>
    public EvaluationSet A { get; }
    /// <summary>Half B of the test set (report).</summary>
    public EvaluationSet B { get; }
    /// <summary>Half B's images as bytes, for pictures.</summary>
    public ImageSet BImages { get; }

    /// <summary>Loads the copy and builds the halves (per class, the first <paramref name="halfPerClass"/> test images go to A, the next to B).</summary>
    public CarData(CifarOptions options, int halfPerClass)
    {
        Source = Cifar10.Load(options);
        var (mean, std) = (Source.Mean, Source.Std);
        Tensors = new TensorData(Source.Train.ImagesTensorChannels(mean, std), Source.Train.LabelsTensor(),
            Source.Test.ImagesTensorChannels(mean, std), Source.Test.LabelsTensor(), Cifar10.ClassNames.Length);
        var (a, b) = Source.Test.Halves(halfPerClass);
        BImages = b;
        EvaluationSet Of(ImageSet set) => new(set.ImagesTensorChannels(mean, std), set.LabelsTensor(), Cifar10.ClassNames.Length, Cifar10.ClassNames);
        A = Of(a);
        B = Of(b);
    }

    /// <summary>Automobile against the nine other classes.</summary>
    public Concept Automobile() => new("automobile", A, B, Cifar10.Automobile);

    /// <summary>Automobile against truck only (the hard pair), relabelled 1 for automobile.</summary>
    public Concept AutomobileVsTruck() => new("automobile vs truck", A.Pair(Cifar10.Automobile, Cifar10.Truck), B.Pair(Cifar10.Automobile, Cifar10.Truck), 1);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Tensors.Dispose();
        A.Dispose();
        B.Dispose();
    }
}

/// <summary>A trained net of the study with its learning curve.</summary>
/// <param name="Kind">"dense", "edge-popup" or "readout-only".</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Result">Learning curve and accuracy.</param>
/// <param name="Source">Trained now or loaded, and why.</param>
public sealed record CarTraining(string Kind, long Seed, TrainResult Result, string Source);

/// <summary>The study's trained nets: dense ones per seed, and edge-popup on the first seed's frozen random net.</summary>
public sealed class CarNets : IDisposable
{
    /// <summary>The dense nets, one per seed, in seed order.</summary>
    public required IReadOnlyList<(long Seed, ConvNet Net)> Dense { get; init; }
    /// <summary>Edge-popup on the first seed's random net.</summary>
    public required EdgePopupConvNet EdgePopup { get; init; }
    /// <summary>Every training, dense first.</summary>
    public required IReadOnlyList<CarTraining> Trainings { get; init; }

    /// <summary>Frees the nets.</summary>
    public void Dispose()
    {
        foreach (var (_, net) in Dense) net.Dispose();
        EdgePopup.Dispose();
    }
}

/// <summary>The car study's computations, one per notebook section.</summary>
public static class CarStudy
{
    /// <summary>
    /// The cache key of a training: everything that determines its weights, and what determines its cached learning curve
    /// (how often and on how many test images it is scored).
    /// </summary>
    public static string Key(string kind, CifarData data, ConvNetOptions net, TrainOptions training, long seed, double keep = 1) => ModelCache.Key(new
    {
        format = 1,
        kind,
        data = new { data.Copy, train = data.Train.Count, test = data.Test.Count },
        net = new { net.BlockChannels, net.Classes, net.WeightStd },
        training = new { training.Epochs, training.BatchSize, training.LearningRate, training.Optimizer, training.Momentum, training.WeightDecay, training.Loss, training.Seed, training.Schedule, training.EvaluationsPerEpoch, training.CurveTestStride },
        seed,
        keep,
        threads = IntraOpThreads.SmallStepThreads,
    });

    /// <summary>
    /// Loads or trains the dense nets (one per seed) and edge-popup on the first seed's frozen random net, side by side, one
    /// training per core, each on one LibTorch thread (so its weights do not depend on the machine's core count).
    /// <paramref name="onProgress"/> gets one line per training, about once a second, from the calling thread.
    /// </summary>
    public static CarNets TrainOrLoad(CarStudyOptions options, CarData data, Action<IReadOnlyList<string>>? onProgress = null)
    {
        options.Validate();
        var net = options.Net;
        var jobs = options.Seeds.Select(s => ("dense", s)).Append(("edge-popup", options.Seeds[0])).ToArray();
        var lines = jobs.Select(j => $"{j.Item1} seed {j.Item2}: waiting").ToArray();
        var nets = new nn.Module<Tensor, Tensor>?[jobs.Length];
        var trainings = new CarTraining?[jobs.Length];
        // Edge-popup first: its epochs cost the most, so it should not start last.
        var order = Enumerable.Range(0, jobs.Length).OrderBy(i => jobs[i].Item1 == "edge-popup" ? 0 : 1).ThenBy(i => i).ToArray();
        void Show()
        {
            if (onProgress is null) return;
            string[] now;
            lock (lines) now = (string[])lines.Clone();
            onProgress(now);
        }
        SideBySide.Run(order, Environment.ProcessorCount, i =>
        {
            var (kind, seed) = jobs[i];
            void Report(TrainProgress p)
            {
                lock (lines) lines[i] = $"{kind} seed {seed}: {p.Text}";
            }
            if (kind == "dense")
            {
                var training = options.Training with { Seed = seed };
                var (model, result, source) = TrainOrLoadOne(Key(kind, data.Source, net, training, seed), () => new ConvNet(net, seed), data, training, Report);
                nets[i] = model;
                trainings[i] = new CarTraining(kind, seed, result, source);
            }
            else
            {
                var training = options.EdgePopupTraining with { Seed = seed };
                var (model, result, source) = TrainOrLoadOne(Key(kind, data.Source, net, training, seed, options.EdgePopupKeep),
                    () => new EdgePopupConvNet(net, options.EdgePopupKeep, seed), data, training, Report);
                nets[i] = model;
                trainings[i] = new CarTraining(kind, seed, result, source);
            }
            lock (lines) lines[i] = $"{kind} seed {seed}: test accuracy {trainings[i]!.Result.FinalTestAccuracy:0.0000} ({trainings[i]!.Source})";
        }, Show);
        return new CarNets
        {
            Dense = jobs.Select((j, i) => (j, i)).Where(x => x.j.Item1 == "dense").Select(x => (x.j.Item2, (ConvNet)nets[x.i]!)).ToList(),
            EdgePopup = (EdgePopupConvNet)nets[^1]!,
            Trainings = trainings.Select(t => t!).ToList(),
        };
    }

    static (TNet Net, TrainResult Result, string Source) TrainOrLoadOne<TNet>(string key, Func<TNet> create, CarData data, TrainOptions training, Action<TrainProgress> onProgress)
        where TNet : nn.Module<Tensor, Tensor>
    {
        var cached = ModelCache.TryLoad<TrainResult, TNet>(key, new Dictionary<string, Func<TNet>> { ["trained"] = create }, out var note);
        if (cached is { } hit) return (hit.Nets["trained"], hit.Result, $"{note}, trained earlier in {hit.Result.Seconds:0} s");
        ModelCache.CheckWritable(key);
        var net = create();
        var result = Trainer.Train(net, data.Tensors, training, onProgress);
        ModelCache.Save(key, new Dictionary<string, TNet> { ["trained"] = net }, result);
        return (net, result, $"trained now in {result.Seconds:0} s ({note}); cached as entry {key}");
    }

    /// <summary>
    /// The cache key's kind of the readout-only training. The readout starts from the random net's own readout at
    /// initialization (drawn from the seed); entries cached before that, whose readout started from LibTorch's global
    /// generator (that is, from whatever the notebook's cells had drawn from it before), are not reused.
    /// </summary>
    const string ReadoutKind = "readout-only, from the net's own readout at init";

    /// <summary>
    /// Readout-only training of the first seed's random net: its last block's features are computed once (the blocks never
    /// change), then the net's readout (weights as <see cref="ConvNet.Draw"/> gives them for the seed, biases 0, as in
    /// <c>new ConvNet(net, seed, readoutOnly: true)</c>) is trained on them with <see cref="CarStudyOptions.ReadoutTraining"/>.
    /// Same seed, same readout, whatever ran before. Cached like the other trainings. The features are computed in batches
    /// of <see cref="ConvUnits.BatchFor"/> images: in batches of 1,000, each batch's first-block maps (131 MB) were mapped
    /// and paged in anew, and the 60,000 images took 23 s from a cold start on this machine's two cores against 7 s
    /// (a probe); the features are the same either way.
    /// </summary>
    public static CarTraining ReadoutOnly(CarStudyOptions options, CarData data, Action<TrainProgress>? onProgress = null)
    {
        var seed = options.Seeds[0];
        var training = options.ReadoutTraining with { Seed = seed };
        var key = Key(ReadoutKind, data.Source, options.Net, training, seed);
        Linear Create() => nn.Linear(options.Net.ReadoutFeatures, options.Net.Classes);
        var cached = ModelCache.TryLoad<TrainResult, Linear>(key, new Dictionary<string, Func<Linear>> { ["readout"] = Create }, out var note);
        if (cached is { } hit)
        {
            hit.Nets["readout"].Dispose();
            return new CarTraining("readout-only", seed, hit.Result, $"{note}, trained earlier in {hit.Result.Seconds:0.0} s on features computed once");
        }
        ModelCache.CheckWritable(key);
        using var random = new ConvNet(options.Net, seed);
        var batch = ConvUnits.BatchFor(options.Net);
        Tensor Features(Tensor images)
        {
            using var _ = no_grad();
            random.eval();
            var parts = new List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += batch)
            {
                // Each batch's feature maps are freed at once: left to the garbage collector, they fill the machine.
                using var scope = NewDisposeScope();
                parts.Add(random.Features(images.narrow(0, start, Math.Min(batch, images.shape[0] - start))).MoveToOuterDisposeScope());
            }
            var all = cat(parts, 0);
            foreach (var p in parts) p.Dispose();
            return all;
        }
        var features = new TensorData(Features(data.Tensors.TrainX), data.Tensors.TrainY.alias(), Features(data.Tensors.TestX), data.Tensors.TestY.alias(), data.Tensors.Classes);
        using (features)
        {
            using var readout = InitialReadout(random);
            var result = Trainer.Train(readout, features, training, onProgress);
            ModelCache.Save(key, new Dictionary<string, Linear> { ["readout"] = readout }, result);
            return new CarTraining("readout-only", seed, result, $"trained now in {result.Seconds:0.0} s on features computed once ({note}); cached as entry {key}");
        }
    }

    /// <summary>
    /// The readout that readout-only training starts from: <paramref name="random"/>'s own readout at initialization (its
    /// weights, biases 0), as a linear layer on <see cref="ConvNet.Features"/>. Its values do not depend on LibTorch's global
    /// generator (the layer's own default draw is overwritten), so it is the same whatever ran before.
    /// </summary>
    public static Linear InitialReadout(ConvNet random)
    {
        var readout = nn.Linear(random.Options.ReadoutFeatures, random.Options.Classes);
        using (no_grad())
        {
            readout.weight!.copy_(random.Weight(random.Depth));
            readout.bias!.copy_(random.Bias(random.Depth));
        }
        return readout;
    }

    /// <summary>Test accuracy of each dense seed with the 90% band from seeds and test images together.</summary>
    public static AccuracySummary Accuracy(IReadOnlyList<CarTraining> dense, int testImages)
    {
        var accuracies = dense.Select(t => t.Result.FinalTestAccuracy).ToArray();
        var (mean, low, high) = Fit.SeedAndSampleBand(accuracies, testImages);
        return new AccuracySummary(mean, [low, high], accuracies, dense.Select(t => t.Result.Seconds).ToArray());
    }

    /// <summary>
    /// The pooling comparison: per block, the trained nets' held-out best unit under max- and under mean-pooling, and the
    /// fraction of <see cref="CarStudyOptions.PoolingUnits"/> random units of that block (on random lower blocks of the first
    /// seed) at least as good, by plain Monte Carlo.
    /// </summary>
    public static IReadOnlyList<PoolingRow> ComparePooling(CarStudyOptions options, Concept concept, IReadOnlyList<(long Seed, ConvNet Net)> nets)
    {
        UnitPooling[] poolings = [UnitPooling.Max, UnitPooling.Mean];
        var selected = poolings.Select(p => ConvDensity.Select(nets.Select(n => (n.Seed, (IConvUnits)n.Net)).ToList(), concept, p)).ToArray();
        var rows = new PoolingRow?[poolings.Length, options.Net.Depth];
        for (var block = 1; block <= options.Net.Depth; block++)
        {
            // One draw of random units per block, scored under both poolings from the same products (the maps do not depend on the pooling).
            using var maps = ConvDensity.RandomInputMaps(options.Net, block, concept.B.Inputs, options.Density.Seed + 1000 * block);
            using var quality = new ConvUnitQuality(maps, concept.B.Labels, concept.Class, options.Net.WeightStd, UnitPooling.Max);
            using var generator = new Generator((ulong)(options.Density.Seed * 7919 + block));
            using var latent = Draws.Normal([options.PoolingUnits, quality.Dimension], generator);
            var scored = quality.Score(latent, poolings);
            for (var k = 0; k < poolings.Length; k++)
            {
                var qualities = selected[k].Where(s => s.Layer == block).Select(s => s.QualityB).ToArray();
                var trained = RobustDensity.Median(qualities);
                var scores = scored[k];
                var count = scores.Count(s => s >= trained);
                rows[k, block - 1] = new PoolingRow(poolings[k], block, Math.Round(trained, 4), qualities.Select(q => Math.Round(q, 4)).ToArray(), Math.Round(scores.Max(), 4),
                    count, options.PoolingUnits, count > 0 ? Math.Round(Math.Log2(count / (double)options.PoolingUnits), 2) : null,
                    Math.Round(Math.Log2(1.0 / options.PoolingUnits), 2));
            }
        }
        return rows.Cast<PoolingRow>().ToList();
    }

    /// <summary>
    /// The width sweep: for each base width c, random nets c-2c-4c (one per sweep seed); per block, the best random unit chosen
    /// on A and scored on B, and the at-init density at the trained nets' quality of that block: block 1's does not depend on
    /// width (its inputs are the images), so it is the main estimate; above it, the estimator is rerun on random lower blocks of
    /// that width. From the density p and the block's channel count n, the probability that a random net of that width holds
    /// one unit of trained quality is 1 − (1 − p)^n.
    /// </summary>
    public static IReadOnlyList<WidthRow> WidthSweep(CarStudyOptions options, Concept concept, IReadOnlyList<LayerDensity> trainedRows, RareEventCurve block1,
        Action<string>? onProgress = null)
    {
        var nets = options.SweepBaseWidths.Select(c => (Base: c, Net: options.Net with { Channels = options.Net.BlockChannels.Select((_, b) => c << b).ToArray() })).ToList();
        var best = new Dictionary<int, List<SelectedDetector>>();
        foreach (var (c, net) in nets)
        {
            best[c] = [];
            foreach (var seed in options.SweepSeeds)
            {
                using var random = new ConvNet(net, seed);
                best[c].AddRange(ConvDensity.Select([(seed, (IConvUnits)random)], concept, options.Pooling));
            }
            onProgress?.Invoke($"width {c}: best random units chosen");
        }
        double Trained(int block) => trainedRows.Single(r => r.Layer == block).TrainedQuality;
        // Every width's estimator runs above block 1 in one queue, widest net first (its runs take longest): a width's last
        // run no longer leaves a core idle before the next width starts. Each curve is the one a call per width would give.
        var requests = (from n in nets.OrderByDescending(n => n.Base)
                        from block in Enumerable.Range(2, Math.Max(0, n.Net.Depth - 1))
                        select (n.Base, Request: new EstimateRequest(concept, n.Net, block, options.SweepDensity, Trained(block)))).ToList();
        var estimated = ConvDensity.EstimateAll(requests.Select(r => r.Request).ToList(), options.Pooling, onProgress);
        var curves = requests.Select((r, i) => (r.Base, r.Request.Block, Curve: estimated[i])).ToDictionary(x => (x.Base, x.Block), x => x.Curve);
        var rows = new List<WidthRow>();
        foreach (var (c, net) in nets)
        {
            for (var block = 1; block <= net.Depth; block++)
            {
                var q = Trained(block);
                var curve = block == 1 ? block1 : curves[(c, block)];
                var resolved = curve.Resolved(q);
                var log2 = resolved ? curve.Log2Density(q) : curve.ReachedLog2;
                var units = net.BlockChannels[block - 1];
                var p = Math.Pow(2, log2);
                var contains = -double.ExpM1(units * double.LogP1(-Math.Min(p, 1 - 1e-12)));
                var qualities = best[c].Where(s => s.Layer == block).Select(s => s.QualityB).ToArray();
                rows.Add(new WidthRow(c, string.Join("-", net.BlockChannels), block, units, Math.Round(qualities.Average(), 4), qualities.Select(v => Math.Round(v, 4)).ToArray(),
                    Math.Round(q, 4), Math.Round(log2, 2), resolved, resolved ? Math.Round(curve.StandardErrorLog2(q), 2) : null,
                    resolved ? Math.Round(contains, 6) : null, resolved ? Significant(Math.Log(2) / p) : null));
            }
        }
        return rows;
    }

    /// <summary>
    /// The base width at which a random net holds, with probability 1/2, one unit of trained quality in each block: where the
    /// measured probability crosses 1/2 between two swept widths, interpolated in log width; beyond the sweep, extrapolated
    /// with the largest width's density held fixed (flagged); unresolved where the estimator never reached that quality.
    /// </summary>
    public static IReadOnlyList<HalfWidth> HalfWidths(IReadOnlyList<WidthRow> sweep)
    {
        var list = new List<HalfWidth>();
        foreach (var block in sweep.Select(r => r.Block).Distinct().Order())
        {
            var rows = sweep.Where(r => r.Block == block).OrderBy(r => r.BaseWidth).ToList();
            var multiplier = rows[0].Units / (double)rows[0].BaseWidth;
            HalfWidth? found = null;
            for (var i = 0; i < rows.Count && found is null; i++)
            {
                if (rows[i].ContainsProbability is not { } pi) continue;
                if (pi >= 0.5)
                {
                    if (i == 0) found = new(block, rows[i].BaseWidth, "at or below the narrowest width swept", false, true);
                    else if (rows[i - 1].ContainsProbability is { } pj)
                    {
                        var t = (0.5 - pj) / (pi - pj);
                        var w = Math.Exp(Math.Log(rows[i - 1].BaseWidth) + t * (Math.Log(rows[i].BaseWidth) - Math.Log(rows[i - 1].BaseWidth)));
                        found = new(block, Significant(w), "interpolated between swept widths", false, true);
                    }
                }
            }
            if (found is null)
            {
                var last = rows[^1];
                found = last.HalfUnits is { } n
                    ? new(block, Significant(n / multiplier), "extrapolated beyond the widest net swept, with its density held fixed", true, true)
                    : new(block, null, $"not resolved: the estimator never reached the trained quality (density below 2^{last.InitDensityLog2:0})", true, false);
            }
            list.Add(found);
        }
        return list;
    }

    /// <summary>A width to two significant figures: the density it comes from is known to a few bits, not to a unit.</summary>
    public static double Significant(double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) return value;
        var scale = Math.Pow(10, Math.Floor(Math.Log10(value)) - 1);
        return Math.Round(value / scale) * scale;
    }

    /// <summary>
    /// Edge-popup's automobile units: each block's best unit of the pruned net chosen on A and scored on B, beside the same frozen
    /// random net's best unit before pruning, and the trained nets' quality.
    /// </summary>
    public static IReadOnlyList<PrunedUnitRow> PrunedUnits(CarStudyOptions options, Concept concept, EdgePopupConvNet pruned, IReadOnlyList<LayerDensity> trainedRows)
    {
        using var random = new ConvNet(options.Net, pruned.Seed);
        var after = ConvDensity.Select([(pruned.Seed, (IConvUnits)pruned)], concept, options.Pooling);
        var before = ConvDensity.Select([(pruned.Seed, (IConvUnits)random)], concept, options.Pooling);
        return after.Select(a =>
        {
            var b = before.Single(x => x.Layer == a.Layer);
            var t = trainedRows.Single(r => r.Layer == a.Layer);
            return new PrunedUnitRow(concept.Name, a.Layer, Math.Round(a.QualityB, 4), Math.Round(b.QualityB, 4), Math.Round(t.TrainedQuality, 4),
                [Math.Round(RobustDensity.Quantile(t.TrainedQualityReplicates, 0.05), 4), Math.Round(RobustDensity.Quantile(t.TrainedQualityReplicates, 0.95), 4)],
                a.QualityB >= RobustDensity.Quantile(t.TrainedQualityReplicates, 0.05));
        }).ToList();
    }

    /// <summary>
    /// The <paramref name="k"/> images of half B that most excite unit <paramref name="unit"/> of block <paramref name="block"/>
    /// (largest pooled activation first), with their classes.
    /// </summary>
    public static TopImages TopImages(string title, IConvUnits net, int block, int unit, CarData data, UnitPooling pooling, int k)
    {
        var activations = ConvDensity.UnitActivations(net, block, unit, data.B, pooling);
        var top = Enumerable.Range(0, activations.Length).OrderByDescending(i => activations[i]).ThenBy(i => i).Take(k).ToArray();
        var labels = top.Select(i => Cifar10.ClassNames[data.BImages.Labels[i]]).ToArray();
        var cars = labels.Count(l => l == Cifar10.ClassNames[Cifar10.Automobile]);
        var classes = string.Join(", ", labels.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        return new TopImages(title, block, unit, top, labels, cars,
            $"{title}: block {block}, unit {unit}; the {top.Length} of {activations.Length} held-out images that excite it most, {cars} of them automobiles ({classes})");
    }
}

/// <summary>The images that most excite one unit.</summary>
/// <param name="Title">Which unit, in words.</param>
/// <param name="Block">Block, 1-based.</param>
/// <param name="Unit">Channel.</param>
/// <param name="Indices">Indices into half B's images, most exciting first.</param>
/// <param name="Labels">Their classes.</param>
/// <param name="Automobiles">How many are automobiles.</param>
/// <param name="Caption">A one-line caption.</param>
public sealed record TopImages(string Title, int Block, int Unit, int[] Indices, string[] Labels, int Automobiles, string Caption);

/// <summary>Test accuracy over seeds.</summary>
/// <param name="Mean">Mean over seeds.</param>
/// <param name="Band">90% band from seeds and test images together.</param>
/// <param name="Seeds">Each seed's accuracy.</param>
/// <param name="TrainSeconds">Each training's wall-clock seconds (side by side, one per core).</param>
public sealed record AccuracySummary(double Mean, double[] Band, double[] Seeds, double[] TrainSeconds);

/// <summary>One block under one pooling: the trained nets' held-out best unit and how often random units reach it.</summary>
/// <param name="Pooling">Max or mean over positions.</param>
/// <param name="Block">Convolutional block, 1-based.</param>
/// <param name="TrainedQuality">Median over seeds of the held-out best unit's max(AUC, 1 − AUC).</param>
/// <param name="TrainedQualitySeeds">Per seed.</param>
/// <param name="BestRandomQuality">The best of the random units scored.</param>
/// <param name="RandomAtLeast">Random units at least as good as the trained median.</param>
/// <param name="RandomUnits">Random units scored.</param>
/// <param name="MonteCarloLog2">log2 of that fraction (null when none reached it).</param>
/// <param name="ResolvableLog2">log2 of one unit in the sample: the smallest fraction Monte Carlo can show.</param>
public sealed record PoolingRow(UnitPooling Pooling, int Block, double TrainedQuality, double[] TrainedQualitySeeds, double BestRandomQuality, long RandomAtLeast,
    long RandomUnits, double? MonteCarloLog2, double ResolvableLog2);

/// <summary>One block of one width of the sweep.</summary>
/// <param name="BaseWidth">c of the net c-2c-4c.</param>
/// <param name="Net">Its channels.</param>
/// <param name="Block">Block, 1-based.</param>
/// <param name="Units">Channels of that block.</param>
/// <param name="BestRandomQuality">Mean over sweep seeds of the best random unit's held-out quality (chosen on A, scored on B).</param>
/// <param name="BestRandomQualitySeeds">Per sweep seed.</param>
/// <param name="TrainedQuality">The trained nets' quality in that block (the target).</param>
/// <param name="InitDensityLog2">At-init density of units of that block at the target, bits (a bound when not resolved).</param>
/// <param name="Resolved">Whether every estimator run reached the target.</param>
/// <param name="EstimatorSeLog2">Its standard error, bits.</param>
/// <param name="ContainsProbability">Probability that the block holds one unit at the target: 1 − (1 − p)^units.</param>
/// <param name="HalfUnits">Units for probability 1/2 at that density: ln 2 / p.</param>
public sealed record WidthRow(int BaseWidth, string Net, int Block, int Units, double BestRandomQuality, double[] BestRandomQualitySeeds, double TrainedQuality,
    double InitDensityLog2, bool Resolved, double? EstimatorSeLog2, double? ContainsProbability, double? HalfUnits);

/// <summary>The width at which one block of a random net holds one unit of trained quality with probability 1/2.</summary>
/// <param name="Block">Block, 1-based.</param>
/// <param name="BaseWidth">c of the net c-2c-4c (null when not resolved).</param>
/// <param name="How">Interpolated, extrapolated or unresolved.</param>
/// <param name="Extrapolated">True when beyond the widths measured.</param>
/// <param name="Resolved">False when the density is only bounded.</param>
public sealed record HalfWidth(int Block, double? BaseWidth, string How, bool Extrapolated, bool Resolved);

/// <summary>Edge-popup's best automobile unit in one block, against the same random net before pruning and the trained nets.</summary>
/// <param name="Concept">The concept.</param>
/// <param name="Block">Block, 1-based.</param>
/// <param name="PrunedQuality">Held-out quality of the pruned net's best unit.</param>
/// <param name="RandomQuality">Held-out quality of the same frozen random net's best unit, before pruning.</param>
/// <param name="TrainedQuality">The trained nets' median.</param>
/// <param name="TrainedBand">90% band of the trained quality over joint replicates.</param>
/// <param name="ReachesTrained">Whether the pruned unit reaches the trained band's lower end.</param>
public sealed record PrunedUnitRow(string Concept, int Block, double PrunedQuality, double RandomQuality, double TrainedQuality, double[] TrainedBand, bool ReachesTrained);
