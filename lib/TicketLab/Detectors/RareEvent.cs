using System.Diagnostics;
using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>Options of the rare-event estimator (subset simulation).</summary>
/// <param name="SamplesPerLevel">Samples N at every level (the first level is plain Monte Carlo of N units).</param>
/// <param name="LevelProbability">p0: each level keeps the top p0·N samples, so each level divides the probability by about 1/p0.</param>
/// <param name="StopLog2">The run goes on until the level probability is at or below 2^StopLog2 (or the score cannot rise further).</param>
/// <param name="TargetAcceptance">The pCN step size adapts, level by level, towards this acceptance rate.</param>
/// <param name="MaxLevels">Safety bound on the number of levels.</param>
public sealed record RareEventOptions(int SamplesPerLevel = 1000, double LevelProbability = 0.1, double StopLog2 = -60, double TargetAcceptance = 0.4, int MaxLevels = 60)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public RareEventOptions Validate()
    {
        if (SamplesPerLevel < 20) throw new ArgumentOutOfRangeException(nameof(SamplesPerLevel), SamplesPerLevel, "accepted: at least 20");
        if (!(LevelProbability > 0 && LevelProbability <= 0.5) || LevelProbability * SamplesPerLevel < 2)
            throw new ArgumentOutOfRangeException(nameof(LevelProbability), LevelProbability, "accepted: in (0, 0.5] with LevelProbability x SamplesPerLevel >= 2 seeds per level");
        if (!(StopLog2 < 0 && StopLog2 >= -1000)) throw new ArgumentOutOfRangeException(nameof(StopLog2), StopLog2, "accepted: -1000 to below 0 (bits)");
        if (!(TargetAcceptance > 0.05 && TargetAcceptance < 0.95)) throw new ArgumentOutOfRangeException(nameof(TargetAcceptance), TargetAcceptance, "accepted: 0.05 to 0.95");
        if (MaxLevels is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(MaxLevels), MaxLevels, "accepted: 1 to 1000");
        return this;
    }
}

/// <summary>One level of a subset-simulation run.</summary>
/// <param name="Threshold">γ_k: the samples of this level are drawn conditionally on score ≥ γ_k (−∞ for level 0).</param>
/// <param name="Log2Probability">log2 P(score ≥ γ_k) as estimated by the run (0 for level 0).</param>
/// <param name="Scores">The level's N samples' scores, sorted ascending.</param>
/// <param name="Acceptance">Fraction of accepted pCN moves that produced the level (NaN-free: 1 for level 0).</param>
/// <param name="Correlation">pCN ρ used for the level (0 for level 0: independent draws).</param>
public sealed record RareEventLevel(double Threshold, double Log2Probability, float[] Scores, double Acceptance, double Correlation);

/// <summary>A subset-simulation run: its levels, from which P(score ≥ q) is read for any q it reached.</summary>
/// <param name="Levels">Level 0 (plain Monte Carlo) first.</param>
/// <param name="Evaluations">Units scored.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="Seed">Seed of the run.</param>
public sealed record RareEventRun(IReadOnlyList<RareEventLevel> Levels, long Evaluations, double Seconds, long Seed)
{
    /// <summary>
    /// The smallest probability the run resolves: one sample of its last level, 2^(log2 P(γ_last)) / N. Scores beyond the
    /// last level's largest sample are not resolved.
    /// </summary>
    public double ReachedLog2 => Levels[^1].Log2Probability - Math.Log2(Levels[^1].Scores.Length);

    /// <summary>The highest score the run saw.</summary>
    public double MaxScore => Levels[^1].Scores[^1];

    /// <summary>
    /// log2 P(score ≥ q): from the highest level whose threshold is at or below q, the fraction of its samples at or above q
    /// times that level's probability. Null when no sample reached q (then P is below <see cref="ReachedLog2"/>).
    /// </summary>
    public double? Log2Density(double q)
    {
        for (var k = Levels.Count - 1; k >= 0; k--)
        {
            var level = Levels[k];
            if (k > 0 && level.Threshold > q) continue;
            var count = CountAtLeast(level.Scores, q);
            if (count == 0) return null;
            return level.Log2Probability + Math.Log2(count / (double)level.Scores.Length);
        }
        return null;
    }

    /// <summary>P(score ≥ q), with an unresolved q (beyond the run's reach) given the bound 2^<see cref="ReachedLog2"/>.</summary>
    public double DensityOrBound(double q) => Math.Pow(2, Log2Density(q) ?? ReachedLog2);

    static int CountAtLeast(float[] sorted, double q)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] >= q) hi = mid; else lo = mid + 1;
        }
        return sorted.Length - lo;
    }
}

/// <summary>
/// Subset simulation (Au and Beck 2001) for P(score(z) ≥ q) with z ~ N(0, I_d), with no assumed tail shape: each level
/// keeps the top p0 of its samples and refills the level by Markov chains started at them, whose moves are
/// preconditioned Crank-Nicolson proposals z' = ρz + √(1 − ρ²)ξ (they leave N(0, I) invariant, so the chain targets
/// N(0, I) conditioned on the level) accepted if the score stays at or above the level's threshold. ρ adapts towards
/// the target acceptance from level to level. Any law that is a fixed transform of a Gaussian (scaled Gaussian
/// weights here) is covered by scoring the transform.
/// </summary>
public static class SubsetSimulation
{
    /// <summary>
    /// Runs the estimator on <paramref name="score"/>, which maps a batch of latent Gaussian rows (B x d, float32) to one
    /// score per row; rows are drawn from <paramref name="seed"/> alone.
    /// <para>With <c>stopScore</c>, the run also ends once p0·N samples of a level score at least that much: the next level would
    /// start above it, so the density there is already read off (for a run that needs only one quality).</para>
    /// </summary>
    public static RareEventRun Run(Func<Tensor, float[]> score, int dimension, RareEventOptions options, long seed, double? stopScore = null)
    {
        ArgumentNullException.ThrowIfNull(score);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "accepted: at least 1");
        options.Validate();
        var clock = Stopwatch.StartNew();
        using var generator = new Generator((ulong)seed);
        var n = options.SamplesPerLevel;
        var keep = (int)Math.Round(options.LevelProbability * n);
        var levels = new List<RareEventLevel>();
        long evaluations = 0;

        using var outer = NewDisposeScope();
        var z = Draws.Normal([n, dimension], generator);
        var s = Checked(score(z), n);
        evaluations += n;
        levels.Add(new RareEventLevel(double.NegativeInfinity, 0, Sorted(s), 1, 0));
        var log2P = 0.0;
        var rho = 0.8;
        for (var level = 1; level <= options.MaxLevels && log2P > options.StopLog2 && !(stopScore is { } stop && s.Count(v => v >= stop) >= keep); level++)
        {
            var order = Enumerable.Range(0, n).OrderByDescending(i => s[i]).ToArray();
            var threshold = s[order[keep - 1]];
            // With ties at the threshold more than p0·N samples may qualify; the estimate counts them all.
            var seeds = order.TakeWhile(i => s[i] >= threshold).ToArray();
            if (seeds.Length == n) break; // every sample ties at the threshold: the score cannot rise further
            using var levelScope = NewDisposeScope();
            var levelLog2 = log2P + Math.Log2(seeds.Length / (double)n);
            using var seedIndex = tensor(seeds.Select(i => (long)i).ToArray());
            var states = z.index_select(0, seedIndex);
            var stateScores = seeds.Select(i => s[i]).ToArray();
            var pool = new List<Tensor>();
            var poolScores = new List<float>();
            pool.Add(states);
            poolScores.AddRange(stateScores);
            long accepted = 0, proposed = 0;
            while (poolScores.Count < n)
            {
                var noise = Draws.Normal(states.shape, generator);
                var proposal = states.Times(rho).add_(noise.TimesInPlace(Math.Sqrt(1 - rho * rho)));
                var proposalScores = Checked(score(proposal), (int)states.shape[0]);
                evaluations += proposalScores.Length;
                var accept = proposalScores.Select(v => v >= threshold).ToArray();
                using var acceptMask = tensor(accept).unsqueeze(1);
                states = where(acceptMask, proposal, states);
                for (var i = 0; i < accept.Length; i++)
                {
                    if (accept[i]) { stateScores[i] = proposalScores[i]; accepted++; }
                    proposed++;
                }
                pool.Add(states);
                poolScores.AddRange(stateScores);
            }
            var acceptance = accepted / (double)Math.Max(proposed, 1);
            var usedRho = rho;
            // Adapt: a low acceptance means the steps are too long, so ρ moves towards 1 (√(1 − ρ²) shrinks), and back.
            var step = Math.Sqrt(1 - rho * rho) * Math.Exp(0.8 * (acceptance - options.TargetAcceptance) / options.TargetAcceptance);
            step = Math.Clamp(step, 0.01, 0.99);
            rho = Math.Sqrt(1 - step * step);
            var all = cat(pool, 0);
            var previous = z;
            z = all[..n].clone().MoveToOuterDisposeScope();
            previous.Dispose();
            s = poolScores.Take(n).ToArray();
            log2P = levelLog2;
            levels.Add(new RareEventLevel(threshold, levelLog2, Sorted(s), acceptance, usedRho));
        }
        return new RareEventRun(levels, evaluations, clock.Elapsed.TotalSeconds, seed);
    }

    static float[] Checked(float[] scores, int expected)
    {
        if (scores.Length != expected) throw new InvalidOperationException($"the score function returned {scores.Length} scores for {expected} rows.");
        foreach (var v in scores)
            if (!float.IsFinite(v)) throw new InvalidOperationException("the score function returned NaN or infinity: the unit or its inputs diverged.");
        return scores;
    }

    static float[] Sorted(float[] scores)
    {
        var copy = (float[])scores.Clone();
        Array.Sort(copy);
        return copy;
    }
}

/// <summary>
/// The quality, for one class, of random units drawn as the baseline's initialization draws them: weights
/// N(0, σw²/fan_in) on fixed features (the pixels for layer 1; the ReLU features of one random first layer for
/// layer 2), then ReLU, scored by max(AUC, 1 − AUC) on the evaluation images. The latent Gaussian row z is the unit's
/// weights divided by σw/√fan_in.
/// </summary>
public sealed class RandomUnitQuality : IDisposable
{
    readonly Tensor featuresByColumn;
    readonly int[] binaryLabels;
    readonly double scale;

    /// <summary>Scores units on <paramref name="features"/> (N x fan_in) for "label is <paramref name="class"/>".</summary>
    public RandomUnitQuality(Tensor features, Tensor labels, int @class, double weightStd)
    {
        if (features.dim() != 2) throw new ArgumentException($"features must be N x fan_in; got {features.dim()} dimensions.", nameof(features));
        if (!(weightStd > 0)) throw new ArgumentOutOfRangeException(nameof(weightStd), weightStd, "accepted: > 0");
        featuresByColumn = features.t().contiguous().to(ScalarType.Float32);
        binaryLabels = labels.to(ScalarType.Int64).data<long>().Select(l => l == @class ? 1 : 0).ToArray();
        var positives = binaryLabels.Sum();
        if (positives == 0 || positives == binaryLabels.Length)
            throw new ArgumentOutOfRangeException(nameof(@class), @class, "accepted: a class with images both in and out of it in the evaluation set");
        if (binaryLabels.Length != features.shape[0]) throw new ArgumentException("features and labels must have the same number of rows.", nameof(labels));
        Dimension = (int)features.shape[1];
        Examples = binaryLabels.Length;
        scale = weightStd / Math.Sqrt(Dimension);
    }

    /// <summary>fan_in: the latent dimension.</summary>
    public int Dimension { get; }

    /// <summary>Evaluation images.</summary>
    public int Examples { get; }

    /// <summary>Multiply-adds of one unit's scoring, times 2.</summary>
    public double FlopsPerUnit => 2.0 * Dimension * Examples;

    /// <summary>The quality of each latent row (B x d).</summary>
    public float[] Score(Tensor latent)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = nn.functional.relu(latent.to(ScalarType.Float32).Times(scale).mm(featuresByColumn)).contiguous();
        var units = (int)rows.shape[0];
        var auc = RadixAuc.ClassVsRest(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(rows.bytes), units, Examples, binaryLabels, 2);
        var quality = new float[units];
        for (var u = 0; u < units; u++) quality[u] = (float)Math.Max(auc[1, u], 1 - auc[1, u]);
        return quality;
    }

    /// <summary>Frees the features.</summary>
    public void Dispose() => featuresByColumn.Dispose();
}
