using System.Globalization;
using TicketLab.Detectors;
using TicketLab.Ntk;
using TicketLab.Pruning;

namespace TicketLab.Verdict;

/// <summary>One claim of the debate, what the suite measured, and the verdict that follows.</summary>
/// <param name="Claim">The claim in the debate's own terms.</param>
/// <param name="Measured">The numbers, quoted from the results files.</param>
/// <param name="Verdict">"holds", "fails", or "holds only when ...".</param>
/// <param name="Reason">One sentence: why the numbers give that verdict.</param>
/// <param name="Notebook">Where the numbers come from.</param>
/// <param name="Rule">The rule that turned the numbers into the verdict, in words (fixed before the numbers: notebook 04 states them first).</param>
/// <param name="Robustness">Fraction of the joint replicates (seeds, evaluation images, estimator runs) whose numbers give the same verdict; null when the measurement has no replicates.</param>
/// <param name="RobustnessBasis">What the replicates are, or why there are none.</param>
public sealed record ClaimVerdict(string Claim, string Measured, string Verdict, string Reason, string Notebook, string Rule, double? Robustness, string RobustnessBasis);

/// <summary>A claim's number, short name and rule.</summary>
/// <param name="Number">Its place in the debate (1-10).</param>
/// <param name="Claim">A short name.</param>
/// <param name="Rule">The rule in words.</param>
public sealed record ClaimRule(int Number, string Claim, string Rule);

/// <summary>
/// The debate's claims (SCIENCE.md) judged against the results files: one method per claim, its rule in words beside it
/// (<see cref="ClaimVerdict.Rule"/>), so that a rerun with other numbers can change a verdict and the rule cannot hide.
/// </summary>
public static class Claims
{
    /// <summary>"Rarely": at least an order of magnitude (a factor 10, 3.32 bits) below the trained nets' own density at that quality.</summary>
    public static readonly double RareFactorLog2 = Math.Log2(10);

    /// <summary>The debate's guess for the at-init density, 2^-50.</summary>
    public const double DebateLog2 = -50;

    /// <summary>The debate's trained-net yardstick, one detector in 15,000 units, in bits (−13.87).</summary>
    public static readonly double DebateTrainedLog2 = Math.Log2(1 / 15000.0);

    /// <summary>"More like 2^-50" than like 1/15,000: nearer −50 than −13.87 bits, i.e. at or below their midpoint (−31.93).</summary>
    public static readonly double FiftyBitsMidpointLog2 = (DebateLog2 + Math.Log2(1 / 15000.0)) / 2;

    /// <summary>Features count as "fixed" when the widest net's relative feature change is below 5%.</summary>
    public const double FixedFeatureChange = 0.05;

    /// <summary>A winning ticket is looked for among IMP levels with at most this fraction of the weights.</summary>
    public const double TicketSparsity = 0.25;

    /// <summary>
    /// "Optimization" must learn beyond the frozen net's own random features: edge-popup above readout-only training by more
    /// than this (about two standard errors of a difference of two accuracies near 0.8 on 10,000 test images: 2·√(2·0.8·0.2/10⁴) = 0.011).
    /// </summary>
    public const double OptimizationMargin = 0.01;

    /// <summary>The keep fraction claim 8's comparison is judged at, fixed in advance: the middle of the range where Ramanujan et al. 2020 find edge-popup best.</summary>
    public const double ComparisonKeepFraction = 0.5;

    /// <summary>And to count as doing what training does, edge-popup reaches at least this fraction of dense training's accuracy.</summary>
    public const double TrainedFraction = 0.9;

    /// <summary>SubsetSum errors at or below this are double-precision rounding and are left out of the fit.</summary>
    public const double DoublePrecisionFloor = 1e-12;

    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every claim's rule, as notebook 04 states them before it reads any number.</summary>
    public static IReadOnlyList<ClaimRule> Rules =>
    [
        new(1, "Detectors exist at random, but rarely", RareRule), new(2, "At init the density is more like 2^-50", FiftyBitsRule),
        new(3, "In the NTK regime no intermediate function changes", NoFeatureMovesRule), new(4, "So training is a linear model on fixed random features", LinearModelRule),
        new(5, "No \"slight tweaks\" in the NTK regime", NoSlightTweaksRule), new(6, "Prunings grow exponentially, neurons linearly", MasksRule),
        new(7, "Exists in the jumble vs can be pruned to yield", PrunedToYieldRule), new(8, "Pruning is a weird way of doing optimization", OptimizesRule),
        new(9, "A trained net can be pruned to a winning ticket", TicketRule), new(10, "Strong LTH: SubsetSum with O(log 1/ε) weights", StrongTicketRule),
    ];

    /// <summary>Every claim with its measurement and verdict, in the order of the debate.</summary>
    public static IReadOnlyList<ClaimVerdict> Judge(SuiteResults results) =>
    [
        RareAtRandom(results), FiftyBits(results), NoFeatureMoves(results), LinearModel(results), NoSlightTweaks(results),
        ExponentiallyManyMasks(results), PrunedToYield(results), PruningOptimizes(results), WinningTicket(results), StrongTicket(results),
    ];

    /// <summary>Claim 1's rule, fixed before the numbers from the claim's words: "exist in a big enough random network" and "rarely".</summary>
    public const string RareRule = "Per class, take the layer where the trained nets' held-out best detector is best and random units of that same layer. "
        + "The class has detectors that exist at random but rarely if the at-init density at the trained quality is resolved by the estimator (down to 2^-60: a big enough random layer holds one) "
        + "and is at least a factor 10 (3.32 bits) below the trained nets' own density at that quality in that layer. "
        + "Holds if every class does; fails if no class does; otherwise holds only for some classes.";

    /// <summary>Claim 1's verdict from per-class (at-init density, trained density, resolved).</summary>
    public static string RareVerdict(IReadOnlyList<(double InitLog2, double TrainedLog2, bool Resolved)> classes)
    {
        var rare = classes.Count(c => c.Resolved && c.InitLog2 <= c.TrainedLog2 - RareFactorLog2);
        return rare == classes.Count ? "holds" : rare == 0 ? "fails" : "holds only for some classes";
    }

    /// <summary>Claim 1: detectors exist at random, but rarely.</summary>
    public static ClaimVerdict RareAtRandom(SuiteResults results)
    {
        var classes = results.Density.HeadlineClasses;
        var verdict = RareVerdict(classes.Select(c => (c.InitDensityLog2, c.TrainedDensityLog2, c.Resolved)).ToList());
        var robustness = Robustness(classes, verdict, log2 => RareVerdict(classes.Select((c, i) => (log2[i], c.TrainedDensityLog2, c.Resolved)).ToList()));
        var notRare = classes.Where(c => !(c.Resolved && c.InitDensityLog2 <= c.TrainedDensityLog2 - RareFactorLog2)).ToList();
        var log2 = classes.Select(c => c.InitDensityLog2).Order().ToArray();
        var median = RobustDensity.Median(log2);
        return new(
            "\"Car detectors\" exist in a big enough random network, but rarely.",
            $"At the trained nets' held-out best quality per class ({F(classes.Min(c => c.TrainedQuality), "0.00")}-{F(classes.Max(c => c.TrainedQuality), "0.00")}, median of {results.Density.Seeds.Length} seeds), "
            + $"random units of the same layer are that good with density 2^{F(log2[^1], "0")} to 2^{F(log2[0], "0")} (median 2^{F(median, "0")}) over {log2.Length} classes.",
            verdict,
            notRare.Count == 0
                ? $"Every class's trained-quality detector is resolved at random and at least 10 times rarer than in the trained nets, yet a layer of 2^{F(-median, "0")} random units would hold one for the median class."
                : $"{classes.Count - notRare.Count} of {classes.Count} classes pass; not: " + string.Join(", ", notRare.Select(c => $"{c.Class} (2^{F(c.InitDensityLog2, "0")}{(c.Resolved ? "" : ", unresolved")})")) + ".",
            DensityResults.Notebook, RareRule, robustness, ReplicateBasis(results.Density));
    }

    /// <summary>Claim 2's rule, fixed before the numbers from the claim's words: "more like 1/2^50", against 1/15,000.</summary>
    public const string FiftyBitsRule = "Per class (the same layer as claim 1), the at-init density at the trained quality is \"more like 2^-50\" if it is nearer 2^-50 than 1/15000 in bits, "
        + "i.e. at or below their midpoint 2^-31.93 (a density beyond the estimator's 2^-60 counts as nearer 2^-50). "
        + "Holds if every class's is; fails if no class's is; otherwise holds only for some classes.";

    /// <summary>Claim 2's verdict from per-class (at-init density, resolved).</summary>
    public static string FiftyBitsVerdict(IReadOnlyList<(double InitLog2, bool Resolved)> classes)
    {
        var nearFifty = classes.Count(c => !c.Resolved || c.InitLog2 <= FiftyBitsMidpointLog2);
        return nearFifty == classes.Count ? "holds" : nearFifty == 0 ? "fails" : "holds only for some classes";
    }

    /// <summary>Claim 2: the at-init density is "more like 1/2^50".</summary>
    public static ClaimVerdict FiftyBits(SuiteResults results)
    {
        var classes = results.Density.HeadlineClasses;
        var verdict = FiftyBitsVerdict(classes.Select(c => (c.InitDensityLog2, c.Resolved)).ToList());
        var robustness = Robustness(classes, verdict, log2 => FiftyBitsVerdict(classes.Select((c, i) => (log2[i], c.Resolved)).ToList()));
        var near = classes.Where(c => !c.Resolved || c.InitDensityLog2 <= FiftyBitsMidpointLog2).ToList();
        var extreme = classes.MinBy(c => c.InitDensityLog2)!;
        return new(
            "At initialization the density of equally good detectors is \"more like 1/2^50\", against 1/15,000 in the trained net.",
            $"Rarest class {extreme.Class}: 2^{F(extreme.InitDensityLog2, "0")} (band 2^{F(extreme.BandLog2[1], "0")} to 2^{F(extreme.BandLog2[0], "0")}); {near.Count} of {classes.Count} classes nearer 2^-50 than 1/15000.",
            verdict,
            near.Count == 0
                ? "Every class's density is nearer the trained net's 1/15000 than the guessed 2^-50."
                : $"Nearer 2^-50: {string.Join(", ", near.Select(c => c.Class))}; the others are nearer 1/15000.",
            DensityResults.Notebook, FiftyBitsRule, robustness, ReplicateBasis(results.Density));
    }

    /// <summary>Fraction of the joint replicates whose per-class densities give <paramref name="verdict"/> again.</summary>
    static double Robustness(IReadOnlyList<ClassDensity> classes, string verdict, Func<double[], string> judge)
    {
        var replicates = classes.Min(c => c.ReplicatesLog2.Length);
        if (replicates == 0) throw new InvalidDataException($"The results of {DensityResults.Notebook} hold no replicates: rerun notebooks/{DensityResults.Notebook}.ipynb.");
        var agree = Enumerable.Range(0, replicates).Count(r => judge(classes.Select(c => c.ReplicatesLog2[r]).ToArray()) == verdict);
        return Math.Round(agree / (double)replicates, 3);
    }

    static string ReplicateBasis(DensityResults density) =>
        $"{density.Classes[0].ReplicatesLog2.Length} joint replicates: {density.Seeds.Length} seeds resampled, the {density.EvaluationImages / 2:N0} report images bootstrapped, the estimator's runs resampled";

    const string NoReplicates = "one measurement: no replicates (a single seed)";

    const string NoFeatureMovesRule = "Holds only as width grows if, over the seeds, the relative change of the hidden features under NTK parametrization falls with width (the 90% band of its log-log slope below 0) and is below 5% at the widest net; otherwise fails.";

    static RegimeSlope SlopeOf(NtkResults ntk, Regime regime, string quantity) =>
        ntk.Slopes.FirstOrDefault(s => s.Regime == Regimes.Name(regime) && s.Quantity == quantity)
        ?? throw new InvalidDataException($"The results of {NtkResults.Notebook} hold no slope of {quantity} for {Regimes.Name(regime)}: rerun notebooks/{NtkResults.Notebook}.ipynb.");

    static RegimePoint Widest(NtkResults ntk, Regime regime) =>
        ntk.RegimeSweep.Where(p => p.Regime == Regimes.Name(regime)).MaxBy(p => p.Width)
        ?? throw new InvalidDataException($"The results of {NtkResults.Notebook} hold no {Regimes.Name(regime)} runs: rerun notebooks/{NtkResults.Notebook}.ipynb.");

    static string SeedBasis(NtkResults ntk) => $"{ntk.Seeds.Length} seeds, each judged on its own numbers";

    static string Band(double[] band, string format) => $"{F(band[0], format)} to {F(band[1], format)}";

    /// <summary>Claim 3: in the NTK regime no intermediate function changes.</summary>
    public static ClaimVerdict NoFeatureMoves(SuiteResults results)
    {
        var ntk = results.Ntk;
        var lazy = SlopeOf(ntk, Regime.Lazy, RegimeSweep.FeatureQuantity);
        var rich = ntk.Slopes.FirstOrDefault(s => s.Regime == Regimes.Name(Regime.Rich) && s.Quantity == RegimeSweep.FeatureQuantity);
        var widest = Widest(ntk, Regime.Lazy);
        var narrowest = ntk.RegimeSweep.Where(p => p.Regime == widest.Regime).MinBy(p => p.Width)!;
        var holds = lazy.Band[1] < 0 && widest.FeatureChange.Average() < FixedFeatureChange;
        var seedVerdicts = Enumerable.Range(0, widest.Seeds.Length)
            .Select(s => lazy.SeedSlopes[s] < 0 && widest.FeatureChange[s] < FixedFeatureChange).ToArray();
        return new(
            "In the NTK (lazy) regime no intermediate function changes.",
            $"Relative change of the last hidden layer's features under NTK parametrization, mean of {widest.Seeds.Length} seeds: {F(narrowest.FeatureChange.Average(), "0.000")} at width {narrowest.Width}, {F(widest.FeatureChange.Average(), "0.000")} at width {widest.Width}; slope {F(lazy.Slope, "0.00")} (90% band {Band(lazy.Band, "0.00")}; theory -0.5)"
            + (rich is null ? "." : $". Under μP the slope is {F(rich.Slope, "0.00")} ({Band(rich.Band, "0.00")}; theory 0)."),
            holds ? "holds only as width grows" : "fails",
            holds
                ? $"Features do move at finite width, but less as width grows, and by under {FixedFeatureChange:0%} at the widest net."
                : "Features move by more than the threshold or do not settle with width.",
            NtkResults.Notebook, NoFeatureMovesRule, Math.Round(seedVerdicts.Count(v => v == holds) / (double)seedVerdicts.Length, 3), SeedBasis(ntk));
    }

    const string LinearModelRule = "Holds only as width grows if, over the seeds, the RMS difference between the trained net and its trained linearization falls with width (the 90% band of its log-log slope below 0); otherwise fails.";

    /// <summary>Claim 4: so training is a linear model on fixed random features.</summary>
    public static ClaimVerdict LinearModel(SuiteResults results)
    {
        var ntk = results.Ntk;
        var slope = SlopeOf(ntk, Regime.Lazy, RegimeSweep.LinearizationQuantity);
        var widest = Widest(ntk, Regime.Lazy);
        var narrowest = ntk.RegimeSweep.Where(p => p.Regime == widest.Regime).MinBy(p => p.Width)!;
        var holds = slope.Band[1] < 0;
        var seedVerdicts = slope.SeedSlopes.Select(v => v < 0).ToArray();
        return new(
            "So training is a linear model on fixed random features.",
            $"Net minus its trained linearization (RMS over test outputs, mean of {widest.Seeds.Length} seeds): {F(narrowest.LinearizationRmse!.Average(), "0.0000")} at width {narrowest.Width}, {F(widest.LinearizationRmse!.Average(), "0.0000")} at {widest.Width} (slope {F(slope.Slope, "0.00")}, 90% band {Band(slope.Band, "0.00")}); widest net {F(widest.TestAccuracy.Average(), "0.000")} test accuracy against {F(ntk.KernelRegressionAccuracy.Ntk, "0.000")} for infinite-width NTK regression.",
            holds ? "holds only as width grows" : "fails",
            holds
                ? "The trained net and its first-order Taylor expansion agree better and better as width grows, and the infinite-width kernel predicts the same task."
                : "The linearization does not track the trained net better at larger widths.",
            NtkResults.Notebook, LinearModelRule, Math.Round(seedVerdicts.Count(v => v == holds) / (double)seedVerdicts.Length, 3), SeedBasis(ntk));
    }

    /// <summary>"Negligible", fixed from the claim's words before the measurements: a change of quality (AUC) below 0.01, and a change of test accuracy below 0.01 (one point).</summary>
    public const double Negligible = 0.01;

    const string NoSlightTweaksRule = "Fails if either half of the claim's sentence fails. \"No slight tweaks\": at the widest lazy (NTK-parametrized) net the 90% band of the paired quality change Δq of the best random detectors lies within ±0.01. \"A negligible effect on the NTK's learning ability\": at the widest linearized net (NTK regression), removing the top k = n/8 detectors of a class changes test accuracy by no more than removing k random units does, the 90% band of the difference within ±0.01. Otherwise holds only in the lazy regime if rich (μP) or standard training moves those detectors by more than 0.01 (band outside ±0.01) at the widest net, and holds if neither does.";

    /// <summary>Claim 5: "slight tweaks" cannot happen, so random detectors cannot help NTK-regime learning.</summary>
    public static ClaimVerdict NoSlightTweaks(SuiteResults results)
    {
        var ntk = results.Ntk;
        TweakRow TweakAt(Regime regime) => ntk.Tweak.Where(t => t.Regime == Regimes.Name(regime)).MaxBy(t => t.Width)
            ?? throw new InvalidDataException($"The results of {NtkResults.Notebook} hold no Δq of {Regimes.Name(regime)}: rerun notebooks/{NtkResults.Notebook}.ipynb.");
        var lazy = TweakAt(Regime.Lazy);
        var others = new[] { Regime.Rich, Regime.Standard }.Select(r => (Regime: r, Row: ntk.Tweak.Where(t => t.Regime == Regimes.Name(r)).MaxBy(t => t.Width)))
            .Where(o => o.Row is not null).Select(o => (o.Regime, Row: o.Row!)).ToList();
        // The rule's k = n/8 (rounded as NearDetectorAblation.Units rounds it), at the widest linearized net.
        var contrast = ntk.NearDetectorContrast.Where(c => c.Regime == NearDetectorAblation.Linearized && c.Mode == "removed" && c.K == NearDetectorAblation.Units(c.Width, 1 / 8.0))
            .OrderByDescending(c => c.Width).FirstOrDefault()
            ?? throw new InvalidDataException($"The results of {NtkResults.Notebook} hold no near-detector ablation of the linearized net with k = n/8 (AblationFractions must include 1/8, as claim 5's rule asks): rerun notebooks/{NtkResults.Notebook}.ipynb.");
        static bool Within(double[] band) => band[0] >= -Negligible && band[1] <= Negligible;
        static bool Outside(double[] band) => band[0] > Negligible || band[1] < -Negligible;
        string Judge(bool tweakNegligible, bool ablationNegligible, bool othersMove) =>
            !tweakNegligible || !ablationNegligible ? "fails" : othersMove ? "holds only in the lazy regime" : "holds";
        var verdict = Judge(Within(lazy.Band), Within(contrast.Band), others.Any(o => Outside(o.Row.Band)));
        var seedVerdicts = Enumerable.Range(0, Math.Min(lazy.SeedMeans.Length, contrast.SeedValues.Length)).Select(s =>
            Judge(Math.Abs(lazy.SeedMeans[s]) <= Negligible, Math.Abs(contrast.SeedValues[s]) <= Negligible,
                others.Any(o => s < o.Row.SeedMeans.Length && Math.Abs(o.Row.SeedMeans[s]) > Negligible))).ToArray();
        var moving = others.Where(o => Outside(o.Row.Band)).Select(o => Regimes.Name(o.Regime)).ToList();
        return new(
            "Hence \"slight tweaks\" of a nearly-good random detector cannot happen, so random detectors have a negligible effect on the NTK's learning ability.",
            $"Δq of the {ntk.Hyperparameters.TopPerClass} best random detectors per class at width {lazy.Width}: lazy {F(lazy.MeanDeltaQuality, "0.000")} ({Band(lazy.Band, "0.000")}), "
            + string.Join(", ", others.Select(o => $"{Regimes.Name(o.Regime)} {F(o.Row.MeanDeltaQuality, "0.000")} ({Band(o.Row.Band, "0.000")})"))
            + $". Removing the top {contrast.K} of {contrast.Width} units of a class from the linearized net against {contrast.K} random units: test accuracy {F(contrast.TopMinusRandom, "0.000")} ({Band(contrast.Band, "0.000")}); the class's own accuracy {F(contrast.ClassTopMinusRandom, "0.000")} ({Band(contrast.ClassBand, "0.000")}).",
            verdict,
            verdict switch
            {
                "fails" => !Within(lazy.Band)
                    ? "Lazy training changes the best random detectors by more than a negligible amount."
                    : "In the NTK regime the near-detectors carry more of the learning than random units do.",
                "holds only in the lazy regime" => $"In the NTK regime neither the detectors nor the learning depend on the near-detectors, while {string.Join(" and ", moving)} training moves them: the claim describes NTK training, not training in general.",
                _ => "No regime measured here tweaks the best random detectors, and removing them from the NTK model costs no more than removing random units.",
            },
            NtkResults.Notebook, NoSlightTweaksRule, seedVerdicts.Length == 0 ? null : Math.Round(seedVerdicts.Count(v => v == verdict) / (double)seedVerdicts.Length, 3), SeedBasis(ntk));
    }

    const string MasksRule = "Holds if the masks keeping half the weights of the baseline offer more bits than the subsets of its hidden neurons; otherwise fails.";

    /// <summary>Claim 6: prunings grow exponentially with the weights, neurons linearly.</summary>
    public static ClaimVerdict ExponentiallyManyMasks(SuiteResults results)
    {
        var p = results.Pruning;
        return new(
            "The number of possible prunings grows exponentially with the number of weights, while neurons grow linearly.",
            $"Masks keeping half the weights of 784-300-100-10: 2^{F(p.MaskBits, "N0")}; subsets of its neurons: 2^{F(p.NeuronSubsetBits, "N0")}.",
            p.MaskBits > p.NeuronSubsetBits ? "holds" : "fails",
            $"Choosing weights offers {F(p.MaskBits / p.NeuronSubsetBits, "N0")} times more bits than choosing neurons: the search space is exponentially larger than any list of candidate units.",
            PruningResults.Notebook, MasksRule, null, "exact arithmetic: nothing to resample");
    }

    const string PrunedToYieldRule = "Holds if edge-popup pruning lifts the fraction of hidden units at the detector quality above five times its at-init value; otherwise fails.";

    /// <summary>Claim 7's verdict from the at-init and pruned fractions of units at the detector quality.</summary>
    public static string PrunedToYieldVerdict(double init, double pruned) => pruned > 5 * init ? "holds" : "fails";

    /// <summary>Claim 7: "exists in the random jumble" differs from "can be pruned to yield".</summary>
    public static ClaimVerdict PrunedToYield(SuiteResults results)
    {
        var p = results.Pruning;
        var (init, pruned) = (p.InitDetectorDensityAtTrainedQuality, p.PrunedDetectorDensityAtTrainedQuality);
        var verdict = PrunedToYieldVerdict(init, pruned);
        var seeds = p.PrunedDetectorDensitySeeds;
        double? robustness = seeds.Length < 2 ? null : Math.Round(seeds.Count(d => PrunedToYieldVerdict(init, d) == verdict) / (double)seeds.Length, 3);
        return new(
            "\"Car detectors exist somewhere in the random jumble\" differs from \"the net can be pruned to yield a car detector\".",
            $"Hidden units with quality ≥ {F(p.DetectorQuality, "0.00")}: {F(init, "0.0000")} of them at init, {F(pruned, "0.0000")} after edge-popup pruning, {F(p.TrainedDetectorDensityAtTrainedQuality, "0.0000")} after training"
            + (seeds.Length < 2 ? "." : $" (edge-popup nets of {seeds.Length} seeds: {F(seeds.Min(), "0.0000")} to {F(seeds.Max(), "0.0000")})."),
            verdict,
            verdict == "holds"
                ? $"Pruning creates detectors at {F(pruned / Math.Max(init, 1e-12), "0")} times the at-init density: they were not in the net before the mask was chosen."
                : "Pruning leaves the density of good detectors near its at-init value.",
            PruningResults.Notebook, PrunedToYieldRule, robustness,
            seeds.Length < 2 ? NoReplicates : $"the edge-popup nets of {seeds.Length} seeds (frozen weights and batch order), each against the same at-init density");
    }

    /// <summary>Claim 8's rule, fixed before the numbers of its comparison were computed (see notebook 04 for why it changed).</summary>
    public const string OptimizesRule = "Holds if edge-popup learns beyond the frozen net's own random features and comes close to training, on a comparison fixed in advance: "
        + "per seed one frozen random net (signed Kaiming constant weights), pruned by edge-popup at keep 0.5, the same weights with only the readout trained (random features, Adam at edge-popup's step size), "
        + "and dense training, with the same data, epochs and batches; means over the seeds. Learning beyond random features: edge-popup above them by more than 0.01 (two standard errors of a difference of two accuracies on 10,000 test images); "
        + "close to training: at least 90% of dense training's accuracy. Holds only beyond random features if only the first; fails if edge-popup does not beat random features.";

    /// <summary>Claim 8's verdict from edge-popup's, random features' and dense training's test accuracy.</summary>
    public static string OptimizesVerdict(double edgePopup, double randomFeatures, double dense) =>
        edgePopup <= randomFeatures + OptimizationMargin ? "fails"
        : edgePopup >= TrainedFraction * dense ? "holds"
        : "holds only beyond random features, short of training";

    /// <summary>Claim 8: pruning is "basically a weird way of doing optimization".</summary>
    public static ClaimVerdict PruningOptimizes(SuiteResults results)
    {
        var c = results.Pruning.Comparison;
        if (c.Seeds.Length == 0 || c.EdgePopup.Length != c.Seeds.Length || c.RandomFeatures.Length != c.Seeds.Length || c.Dense.Length != c.Seeds.Length)
            throw new InvalidDataException($"The results of {PruningResults.Notebook} hold no complete comparison (one edge-popup, random-features and dense accuracy per seed): rerun notebooks/{PruningResults.Notebook}.ipynb.");
        if (c.KeepFraction != ComparisonKeepFraction || c.Init != "SignedKaimingConstant")
            throw new InvalidDataException($"Claim 8's rule was fixed for edge-popup at keep {ComparisonKeepFraction} on SignedKaimingConstant weights; the results of {PruningResults.Notebook} compare keep {c.KeepFraction} on {c.Init}. Rerun the notebook with ComparisonKeepFraction: {ComparisonKeepFraction}, or change the rule in Claims together with a sentence in notebook 04 saying why.");
        var (edge, features, dense) = (c.EdgePopup.Average(), c.RandomFeatures.Average(), c.Dense.Average());
        var verdict = OptimizesVerdict(edge, features, dense);
        // Every combination of one seed's edge-popup, one seed's random features and one seed's dense net.
        var triples = (from e in c.EdgePopup from r in c.RandomFeatures from d in c.Dense select OptimizesVerdict(e, r, d)).ToList();
        double? robustness = c.Seeds.Length < 2 ? null : Math.Round(triples.Count(v => v == verdict) / (double)triples.Count, 3);
        return new(
            "Pruning is \"basically a weird way of doing optimization\".",
            $"On the same frozen random nets ({c.Seeds.Length} seeds, mean and range): edge-popup at keep {F(c.KeepFraction, "0.##")} {F(edge, "0.000")} ({F(c.EdgePopup.Min(), "0.000")} to {F(c.EdgePopup.Max(), "0.000")}) test accuracy, "
            + $"readout-only training of the same weights (random features) {F(features, "0.000")} ({F(c.RandomFeatures.Min(), "0.000")} to {F(c.RandomFeatures.Max(), "0.000")}), dense training {F(dense, "0.000")} ({F(c.Dense.Min(), "0.000")} to {F(c.Dense.Max(), "0.000")}).",
            verdict,
            verdict == "fails"
                ? $"Choosing a mask over the random weights does not beat training a readout on them by more than {F(OptimizationMargin, "0.00")}: what pruning finds is what random features already give."
                : verdict == "holds"
                    ? $"Searching masks by gradient learns {F(edge - features, "0.000")} beyond the frozen net's random features and reaches {F(edge / dense, "0%")} of trained accuracy: the mask is what is learned."
                    : $"Searching masks learns {F(edge - features, "0.000")} beyond the frozen net's random features but reaches only {F(edge / dense, "0%")} of trained accuracy.",
            PruningResults.Notebook, OptimizesRule, robustness,
            c.Seeds.Length < 2 ? NoReplicates : $"all {triples.Count} combinations of one seed's edge-popup, random-features and dense run ({c.Seeds.Length} seeds each)");
    }

    const string TicketRule = "Holds if the best IMP ticket at or below 25% of the weights (the sparsest level when none is that sparse) is within 0.005 of the dense net's accuracy and beats both the re-initialized control (given the ticket's head start) and the random-mask control; otherwise fails.";

    /// <summary>Claim 9: a trained net can be pruned to a winning ticket.</summary>
    public static ClaimVerdict WinningTicket(SuiteResults results)
    {
        var imp = results.Pruning.Imp;
        var impDense = imp[0].Ticket;
        var levels = imp.Where(l => l.Reinit is not null)
            .Select(l => (Remaining: l.WeightsRemaining, l.Ticket, Reinit: l.Reinit!.Value, Random: l.RandomMask ?? double.NaN)).ToList();
        if (levels.Count == 0) throw new InvalidDataException($"The results of {PruningResults.Notebook} have no pruned IMP level: rerun notebooks/{PruningResults.Notebook}.ipynb with ImpRounds of 1 or more.");
        // The papers' regime is 10-20% of the weights; a short run (quick profile) is judged at its sparsest level instead.
        var sparseEnough = levels.Any(l => l.Remaining <= TicketSparsity);
        var sparse = sparseEnough ? levels.Where(l => l.Remaining <= TicketSparsity).MaxBy(l => l.Ticket) : levels.MinBy(l => l.Remaining);
        var ticketHolds = TicketVerdict(sparse.Ticket, impDense, sparse.Reinit, sparse.Random) == "holds";
        // Each seed judged on its own numbers at the same level.
        var row = imp.First(l => l.Reinit is not null && l.WeightsRemaining == sparse.Remaining);
        var seedCount = row.TicketSeeds.Length;
        double? robustness = seedCount < 2 || row.ReinitSeeds.Length != seedCount || row.RandomMaskSeeds.Length != seedCount || imp[0].TicketSeeds.Length != seedCount ? null
            : Math.Round(Enumerable.Range(0, seedCount).Count(i => TicketVerdict(row.TicketSeeds[i], imp[0].TicketSeeds[i], row.ReinitSeeds[i], row.RandomMaskSeeds[i]) == (ticketHolds ? "holds" : "fails")) / (double)seedCount, 3);
        return new(
            "LTH papers show that a trained net can be pruned to a sparse \"winning ticket\" that trains as well from its initial weights.",
            (sparseEnough ? $"IMP with rewinding, best level at ≤ {F(TicketSparsity, "0%")} of the weights: " : $"IMP with rewinding, sparsest level reached (none at ≤ {F(TicketSparsity, "0%")}): ")
            + $"{F(sparse.Remaining, "0%")} remaining, ticket {F(sparse.Ticket, "0.0000")} against dense {F(impDense, "0.0000")}, same mask re-initialized {F(sparse.Reinit, "0.0000")}, random mask {F(sparse.Random, "0.0000")}.",
            ticketHolds ? "holds" : "fails",
            ticketHolds
                ? "The ticket matches the dense net and beats both controls, so the kept initial values matter, not only the sparsity."
                : "The ticket does not match the dense net or does not beat its controls at this scale.",
            PruningResults.Notebook, TicketRule, robustness, robustness is null ? NoReplicates : $"each of the {seedCount} IMP seeds judged on its own ticket, dense net and controls at that level");
    }

    /// <summary>Claim 9's verdict at one level: the ticket within 0.005 of the dense net and above both controls.</summary>
    public static string TicketVerdict(double ticket, double dense, double reinit, double randomMask) =>
        ticket >= dense - 0.005 && ticket > reinit && ticket > randomMask ? "holds" : "fails";

    const string StrongTicketRule = "Holds if the error of the best subset of n random weights falls by more than 0.2 bits per extra weight (least-squares slope of -log2 error against n, over errors above double-precision rounding); otherwise fails.";

    /// <summary>Claim 10: strong LTH, SubsetSum needs O(log 1/ε) random weights per target weight.</summary>
    public static ClaimVerdict StrongTicket(SuiteResults results)
    {
        var subset = results.Pruning.SubsetSum;
        // Below 1e-12 the error is double-precision rounding, not the subset: the fit stops there.
        var resolved = subset.Where(s => s.Error > DoublePrecisionFloor).ToList();
        var bitsPerWeight = PruningStudy.BitsPerWeight(subset.Select(s => (s.N, s.Error)), DoublePrecisionFloor);
        var verdict = bitsPerWeight > 0.2 ? "holds" : "fails";
        var replicates = results.Pruning.SubsetSumBitsPerWeightReplicates;
        double? robustness = replicates.Length == 0 ? null : Math.Round(replicates.Count(b => (b > 0.2 ? "holds" : "fails") == verdict) / (double)replicates.Length, 3);
        return new(
            "Strong LTH: pruning alone, with no training, can approximate a target network (SubsetSum: O(log 1/ε) random weights per target weight).",
            $"Best subset of n random weights approximating a target weight: error {F(subset[0].Error, "0.###")} at n = {subset[0].N}, {F(resolved[^1].Error, "0.0e0")} at n = {resolved[^1].N} "
            + (resolved.Count < subset.Count ? "(beyond that, double-precision rounding)" : "(the largest n measured)") + $"; {F(bitsPerWeight, "0.00")} bits of precision per extra weight.",
            verdict,
            bitsPerWeight > 0.2
                ? "The error falls exponentially in the number of random weights, so a logarithmic overparametrization suffices, as Pensia et al. prove."
                : "The error does not fall exponentially with the number of random weights.",
            PruningResults.Notebook, StrongTicketRule, robustness,
            robustness is null ? NoReplicates : $"{replicates.Length} bootstrap resamples of the random targets and values behind each point (5-95%: {F(RobustDensity.Quantile(replicates, 0.05), "0.00")} to {F(RobustDensity.Quantile(replicates, 0.95), "0.00")} bits per weight)");
    }

    /// <summary>"5 hold, 4 hold only under a condition, 1 fails": how many claims got each kind of verdict.</summary>
    public static string Tally(IReadOnlyList<ClaimVerdict> claims)
    {
        static string Part(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";
        return string.Join(", ", new[]
        {
            Part(claims.Count(c => c.Verdict == "holds"), "holds", "hold"),
            Part(claims.Count(c => c.Verdict.StartsWith("holds only", StringComparison.Ordinal)), "holds only under a condition", "hold only under a condition"),
            Part(claims.Count(c => c.Verdict == "fails"), "fails", "fail"),
        });
    }

    /// <summary>The value in the format; a negative value that rounds to zero is written without its sign ("0.000", not "-0.000").</summary>
    static string F(double value, string format)
    {
        var text = value.ToString(format, Invariant);
        return text.StartsWith('-') && text.TrimStart('-').All(c => c is '0' or '.') ? text[1..] : text;
    }
}
