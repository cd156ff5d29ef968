using TicketLab.Data;
using TicketLab.Nets;

namespace TicketLab.Training;

/// <summary>The baseline every notebook builds on: data, net and training, with the seed of the initialization.</summary>
/// <param name="Data">Which data (full Fashion-MNIST; the embedded subset in the quick profile).</param>
/// <param name="Net">The 784-300-100-10 ReLU MLP.</param>
/// <param name="Training">Adam, learning rate 1e-3, batch 128 (15 epochs; 3 in the quick profile).</param>
/// <param name="InitSeed">Seed of the initial weights.</param>
public sealed record BaselineConfig(DataOptions Data, MlpOptions Net, TrainOptions Training, long InitSeed)
{
    /// <summary>The baseline of a profile.</summary>
    public static BaselineConfig For(Profile profile) => profile.IsQuick
        ? new(new DataOptions(Source: DataSource.Embedded), new MlpOptions(), new TrainOptions(Epochs: 3), 0)
        : new(new DataOptions(), new MlpOptions(), new TrainOptions(Epochs: 15), 0);

    /// <summary>The same baseline with another seed for both its initialization and its batch order.</summary>
    public BaselineConfig WithSeed(long seed) => this with { InitSeed = seed, Training = Training with { Seed = seed } };

    /// <summary>The cache key: everything that determines the trained weights.</summary>
    public string CacheKey => ModelCache.Key(new
    {
        // 2: small steps train on one LibTorch thread (IntraOpThreads), which changes the last bits of the weights.
        format = 2,
        data = new { Data.Dataset, Data.Source, Data.TrainPerClass, Data.TestPerClass },
        net = new { Net.LayerSizes, Net.Parametrization, Net.Activation, Net.WeightStd, Net.BiasStd, Net.BaseWidth },
        // Field by field: EvaluateEveryEpochs only changes how often the test set is scored, not the weights.
        training = new { Training.Epochs, Training.BatchSize, Training.LearningRate, Training.Optimizer, Training.Momentum, Training.WeightDecay, Training.Loss, Training.Seed, Training.EvaluationsPerEpoch, Training.Device },
        InitSeed,
        // TICKETLAB_THREADS changes a small step's arithmetic, so its weights are cached apart.
        smallStepThreads = IntraOpThreads.SmallStepThreads,
    });
}

/// <summary>The baseline at initialization and after training, with its learning curve.</summary>
/// <param name="Config">What was trained.</param>
/// <param name="Initial">The net at initialization.</param>
/// <param name="Trained">The net after training.</param>
/// <param name="Result">Learning curve and final accuracy.</param>
/// <param name="Source">Whether it was trained now or loaded, and why.</param>
public sealed record BaselineRun(BaselineConfig Config, Mlp Initial, Mlp Trained, TrainResult Result, string Source) : IDisposable
{
    /// <summary>The headline numbers, for notebook tables.</summary>
    public BaselineSummary Summary()
    {
        var trained = Result.Curve.Where(p => p.Step > 0).ToList();
        var lowest = trained.MinBy(p => p.TestLoss)!;
        return new(Config.Net.ToString(), Result.Curve[0].TestAccuracy, Result.FinalTestAccuracy, Result.FinalTestLoss,
            lowest.TestLoss, Math.Round(lowest.Epoch, 2), trained[^1].TrainLoss, Result.Steps, Result.Seconds, Source);
    }

    /// <summary>Frees both nets.</summary>
    public void Dispose()
    {
        Initial.Dispose();
        Trained.Dispose();
    }
}

/// <summary>The baseline's headline numbers.</summary>
/// <param name="Net">Architecture and parametrization.</param>
/// <param name="InitialTestAccuracy">Test accuracy before training (chance is 0.1).</param>
/// <param name="TestAccuracy">Final test accuracy.</param>
/// <param name="TestLoss">Final test loss (nats).</param>
/// <param name="LowestTestLoss">Lowest test loss on the curve.</param>
/// <param name="LowestTestLossEpoch">Epoch at which the test loss was lowest.</param>
/// <param name="FinalTrainLoss">Mean training loss over the last evaluation interval.</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="TrainSeconds">Wall-clock seconds of the training (when it was trained).</param>
/// <param name="Source">Trained now or loaded from the cache.</param>
public sealed record BaselineSummary(string Net, double InitialTestAccuracy, double TestAccuracy, double TestLoss,
    double LowestTestLoss, double LowestTestLossEpoch, double FinalTrainLoss, long Steps, double TrainSeconds, string Source);

/// <summary>Trains the baseline once and caches its initial and trained weights for every later notebook.</summary>
public static class Baseline
{
    /// <summary>Loads the cached baseline of <paramref name="config"/>, or trains it (and caches it) when there is none.</summary>
    public static BaselineRun TrainOrLoad(BaselineConfig config, LabeledData data, Action<TrainProgress>? onProgress = null)
    {
        var device = Devices.Parse(config.Training.Device);
        var key = config.CacheKey;
        var cached = ModelCache.TryLoad<TrainResult>(key, new Dictionary<string, Func<Mlp>>
        {
            ["init"] = () => new Mlp(config.Net, config.InitSeed, device),
            ["trained"] = () => new Mlp(config.Net, config.InitSeed, device),
        }, out var note);
        if (cached is { } hit)
            return new BaselineRun(config, hit.Nets["init"], hit.Nets["trained"], hit.Result, $"{note} (trained earlier in {hit.Result.Seconds:0.0} s)");
        // A cache that cannot be written fails now, not after the training it would have kept.
        ModelCache.CheckWritable(key);
        var initial = new Mlp(config.Net, config.InitSeed, device);
        var trained = new Mlp(config.Net, config.InitSeed, device);
        using var tensors = new TensorData(data, device);
        var result = Trainer.Train(trained, tensors, config.Training, onProgress);
        ModelCache.Save(key, new Dictionary<string, Mlp> { ["init"] = initial, ["trained"] = trained }, result);
        return new BaselineRun(config, initial, trained, result, $"trained now ({note}); cached as entry {key}");
    }

    /// <summary>
    /// <see cref="TrainOrLoad"/> for several configurations (e.g. seeds), training the missing ones side by side, one per
    /// core (each small step runs on one LibTorch thread, so the weights are the same as trained alone). Progress
    /// (configuration index and its progress) is reported from the calling thread about once a second.
    /// </summary>
    public static IReadOnlyList<BaselineRun> TrainOrLoadAll(IReadOnlyList<BaselineConfig> configs, LabeledData data,
        Action<int, TrainProgress>? onProgress = null, int parallelTrainings = 0)
    {
        if (parallelTrainings < 0) throw new ArgumentOutOfRangeException(nameof(parallelTrainings), parallelTrainings, "accepted: 0 (one per processor) or more");
        var latest = new TrainProgress?[configs.Count];
        var runs = new BaselineRun?[configs.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelTrainings == 0 ? Environment.ProcessorCount : parallelTrainings };
        var work = Task.Run(() => Parallel.For(0, configs.Count, options, i =>
            runs[i] = TrainOrLoad(configs[i], data, p => { lock (latest) latest[i] = p; })));
        void Report()
        {
            if (onProgress is null) return;
            TrainProgress?[] now;
            lock (latest) now = (TrainProgress?[])latest.Clone();
            for (var i = 0; i < now.Length; i++) if (now[i] is { } p) onProgress(i, p);
        }
        SideBySide.Wait(work, Report);
        return runs.Select(r => r!).ToList();
    }
}
