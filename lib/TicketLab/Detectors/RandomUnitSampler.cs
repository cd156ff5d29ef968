using System.Diagnostics;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>How many random units to score and how.</summary>
/// <param name="Units">Random units to score (10^6 reaches densities near 10^-6 directly).</param>
/// <param name="BatchSize">Units scored at once (memory ~ 60 bytes x examples x batch).</param>
/// <param name="Seed">Seed of the random weights: same seed, same units.</param>
/// <param name="WeightStd">σw: weights are N(0, σw²/fan_in), the baseline's initialization (He, √2).</param>
/// <param name="HiddenWidth">Layer 2 only: width of each random first layer.</param>
/// <param name="UnitsPerNet">Layer 2 only: second-layer units drawn on top of each random first layer.</param>
public sealed record SamplerOptions(int Units = 1_000_000, int BatchSize = 4096, long Seed = 1, double WeightStd = 1.4142135623730951,
    int HiddenWidth = 300, int UnitsPerNet = 10_000)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public SamplerOptions Validate()
    {
        if (Units < 1) throw new ArgumentOutOfRangeException(nameof(Units), Units, "accepted: at least 1");
        if (BatchSize is < 1 or > 65_536) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "accepted: 1 to 65536");
        if (!(WeightStd > 0)) throw new ArgumentOutOfRangeException(nameof(WeightStd), WeightStd, "accepted: > 0");
        if (HiddenWidth < 1) throw new ArgumentOutOfRangeException(nameof(HiddenWidth), HiddenWidth, "accepted: at least 1");
        if (UnitsPerNet < 1) throw new ArgumentOutOfRangeException(nameof(UnitsPerNet), UnitsPerNet, "accepted: at least 1");
        return this;
    }
}

/// <summary>Progress of a sampler run.</summary>
/// <param name="Done">Units scored.</param>
/// <param name="Total">Units planned.</param>
/// <param name="Seconds">Seconds since the start.</param>
public sealed record SamplerProgress(long Done, long Total, double Seconds) : IProgressReport
{
    /// <summary>"12,288 of 1,000,000 random units scored · 60,000 units/s · 2 s".</summary>
    public string Text => $"{Done:N0} of {Total:N0} random units scored · {Done / Math.Max(Seconds, 1e-9):N0} units/s · {Seconds:0} s";

    /// <summary>Fraction done.</summary>
    public double Fraction => Done / (double)Total;
}

/// <summary>Scores of sampled random units, with what the run cost.</summary>
/// <param name="Scores">Detector scores per unit.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="Flops">Floating-point operations of the matrix products (2 x multiply-adds).</param>
public sealed record SampleResult(UnitScores Scores, double Seconds, double Flops)
{
    /// <summary>Units scored per second.</summary>
    public double UnitsPerSecond => Scores.Count / Seconds;

    /// <summary>Achieved matrix-product rate, GFLOP/s (the sampler's other work counts as overhead).</summary>
    public double Gflops => Flops / Seconds / 1e9;
}

/// <summary>
/// Draws random units as the baseline's initialization would and scores them as detectors, in memory-bounded
/// batches. A random layer-1 unit is one random projection of the pixels plus ReLU; a random layer-2 unit is a
/// random projection of the ReLU features of a random first layer.
/// </summary>
public static class RandomUnitSampler
{
    /// <summary>Scores <see cref="SamplerOptions.Units"/> random first-layer units on (inputs, labels).</summary>
    public static SampleResult Layer1(Tensor inputs, Tensor labels, int classes, SamplerOptions options, Action<SamplerProgress>? onProgress = null)
    {
        var run = new Run(options.Validate(), labels, classes, onProgress);
        using var inputsByColumn = inputs.t().contiguous();
        run.Score(inputsByColumn, options.Units);
        return run.Result();
    }

    /// <summary>Scores second-layer units of random nets: a fresh random first layer every <see cref="SamplerOptions.UnitsPerNet"/> units.</summary>
    public static SampleResult Layer2(Tensor inputs, Tensor labels, int classes, SamplerOptions options, Action<SamplerProgress>? onProgress = null)
    {
        var run = new Run(options.Validate(), labels, classes, onProgress);
        var fanIn = inputs.shape[1];
        while (run.Done < options.Units)
        {
            var netUnits = Math.Min(options.UnitsPerNet, options.Units - run.Done);
            using var netScope = NewDisposeScope();
            var first = Draws.Normal([fanIn, options.HiddenWidth], run.Generator).TimesInPlace(options.WeightStd / Math.Sqrt(fanIn)).to(inputs.device);
            var hiddenByColumn = nn.functional.relu(inputs.mm(first)).t().contiguous();
            run.Flops += 2.0 * inputs.shape[0] * fanIn * options.HiddenWidth;
            run.Score(hiddenByColumn, netUnits);
        }
        return run.Result();
    }

    /// <summary>One sampler run: its generator, the scored batches, the clock and the progress callback.</summary>
    sealed class Run(SamplerOptions options, Tensor labels, int classes, Action<SamplerProgress>? onProgress)
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly List<UnitScores> parts = [];

        public Generator Generator { get; } = new((ulong)options.Seed);

        public int Done { get; private set; }

        public double Flops { get; set; }

        /// <summary>Draws and scores <paramref name="count"/> units on the features (fan_in x N), in batches.</summary>
        public void Score(Tensor featuresByColumn, int count)
        {
            for (var scored = 0; scored < count;)
            {
                var batch = Math.Min(options.BatchSize, count - scored);
                parts.Add(ScoreRandomUnits(Generator, featuresByColumn, batch, options.WeightStd, labels, classes));
                Flops += 2.0 * featuresByColumn.shape[1] * featuresByColumn.shape[0] * batch;
                scored += batch;
                Done += batch;
                onProgress?.Invoke(new SamplerProgress(Done, options.Units, clock.Elapsed.TotalSeconds));
            }
        }

        public SampleResult Result() => new(UnitScores.Concat(parts), clock.Elapsed.TotalSeconds, Flops);
    }

    /// <summary>
    /// Draws <paramref name="count"/> units with weights N(0, σw²/fan_in) on the features (fan_in x N) and scores them.
    /// One unit per row (count x N) is the layout the ranking wants, straight from the product.
    /// </summary>
    static UnitScores ScoreRandomUnits(Generator generator, Tensor featuresByColumn, int count, double weightStd, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        var fanIn = featuresByColumn.shape[0];
        var weights = Draws.Normal([count, fanIn], generator).TimesInPlace(weightStd / Math.Sqrt(fanIn)).to(featuresByColumn.device);
        return UnitScores.ScoreRows(nn.functional.relu(weights.mm(featuresByColumn)), labels, classes);
    }

    /// <summary>The examples of two classes only, relabelled 1 (<paramref name="positive"/>) and 0 (<paramref name="negative"/>): a harder concept than class-vs-rest.</summary>
    public static (Tensor Inputs, Tensor Labels) Pair(Tensor inputs, Tensor labels, int positive, int negative)
    {
        using var scope = NewDisposeScope();
        var keep = labels.EqualTo(positive).logical_or(labels.EqualTo(negative)).nonzero().squeeze(1);
        var x = inputs.index_select(0, keep);
        var y = labels.index_select(0, keep).EqualTo(positive).to(ScalarType.Int64);
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }
}
