using TicketLab.Cars;
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
/// <param name="Rule">The rule that turned the numbers into the verdict, in words (fixed before the numbers: notebook 05 states them first).</param>
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

    /// <summary>Every claim's rule, as notebook 05 states them before it reads any number.</summary>
    public static IReadOnlyList<ClaimRule> Rules =>
    [
        new(1, "Detectors exist at random, but rarely", RareRule), new(2, "At init the density is more like 2^-50", FiftyBitsRule),
        new(1, "The same, for car detectors in a convnet (CIFAR-10)", CarRule), new(2, "The same, for car detectors in a convnet (CIFAR-10)", CarRule),
        new(3, "In the NTK regime no intermediate function changes", NoFeatureMovesRule), new(4, "So training is a linear model on fixed random features", LinearModelRule),
        new(5, "No \"slight tweaks\" in the NTK regime", NoSlightTweaksRule), new(6, "Prunings grow exponentially, neurons linearly", MasksRule),
        new(7, "Exists in the jumble vs can be pruned to yield", PrunedToYieldRule), new(8, "Pruning is a weird way of doing optimization", OptimizesRule),
        new(9, "A trained net can be pruned to a winning ticket", TicketRule), new(10, "Strong LTH: SubsetSum with O(log 1/ε) weights", StrongTicketRule),
    ];

    /// <summary>Every claim with its measurement and verdict, in the order of the debate.</summary>
    public static IReadOnlyList<ClaimVerdict> Judge(SuiteResults results) =>
    [
        RareAtRandom(results), FiftyBits(results), .. CarClaims(results), NoFeatureMoves(results), LinearModel(results), NoSlightTweaks(results),
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

    /// <summary>Claims 1 and 2 on CIFAR-10: the same rules, with notebook 04's two automobile concepts as the classes.</summary>
    public const string CarRule = "Per class, claim 1's and claim 2's rules as above, on notebook 04's convnet trained on CIFAR-10, with its two concepts as the classes: automobile against the "
        + "other nine classes and automobile against truck, each at the block where the trained nets' held-out best unit is best, against random units of that same block "
        + "(conditioned on random lower blocks).";

    /// <summary>Claims 1 and 2 judged on notebook 04's car detectors (none when its results are not loaded).</summary>
    public static IReadOnlyList<ClaimVerdict> CarClaims(SuiteResults results)
    {
        if (results.Cars is not { } cars) return [];
        var concepts = cars.HeadlineRows;
        var basis = $"{concepts[0].ReplicatesLog2.Length} joint replicates: {cars.Seeds.Length} seeds resampled, the {cars.EvaluationImages / 2:N0} report images bootstrapped, the estimator's runs resampled";
        string Density(ClassDensity c) => $"{c.Class}: block {c.Layer}, quality {F(c.TrainedQuality, "0.00")}, density 2^{F(c.InitDensityLog2, "0")} (band 2^{F(c.BandLog2[0], "0")} to 2^{F(c.BandLog2[1], "0")}{(c.Resolved ? "" : ", unresolved")}) against the trained nets' own 2^{F(c.TrainedDensityLog2, "0")}";
        var rare = RareVerdict(concepts.Select(c => (c.InitDensityLog2, c.TrainedDensityLog2, c.Resolved)).ToList());
        var rareRobustness = Robustness(concepts, rare, log2 => RareVerdict(concepts.Select((c, i) => (log2[i], c.TrainedDensityLog2, c.Resolved)).ToList()));
        var notRare = concepts.Where(c => !(c.Resolved && c.InitDensityLog2 <= c.TrainedDensityLog2 - RareFactorLog2)).ToList();
        var fifty = FiftyBitsVerdict(concepts.Select(c => (c.InitDensityLog2, c.Resolved)).ToList());
        var fiftyRobustness = Robustness(concepts, fifty, log2 => FiftyBitsVerdict(concepts.Select((c, i) => (log2[i], c.Resolved)).ToList()));
        var near = concepts.Where(c => !c.Resolved || c.InitDensityLog2 <= FiftyBitsMidpointLog2).ToList();
        var measured = $"Convnet on CIFAR-10 ({cars.Seeds.Length} seeds, test accuracy {F(cars.TestAccuracy.Mean, "0.00")}): " + string.Join("; ", concepts.Select(Density)) + ".";
        return
        [
            new("\"Car detectors\" exist in a big enough random network, but rarely: the seed's own example, automobile units of a convnet on CIFAR-10.", measured, rare,
                notRare.Count == 0
                    ? "Both automobile concepts' trained-quality units are resolved at random and at least 10 times rarer than in the trained nets."
                    : $"{concepts.Count - notRare.Count} of {concepts.Count} concepts pass; not: " + string.Join(", ", notRare.Select(c => $"{c.Class} (2^{F(c.InitDensityLog2, "0")}{(c.Resolved ? "" : ", unresolved")})")) + ".",
                CarResults.Notebook, CarRule, rareRobustness, basis),
            new("At initialization the density of equally good car detectors is \"more like 1/2^50\", against 1/15,000 in the trained net: automobile units of a convnet on CIFAR-10.", measured, fifty,
                near.Count == 0
                    ? "Both automobile concepts' densities are nearer the trained net's 1/15000 than the guessed 2^-50."
                    : $"Nearer 2^-50: {string.Join(", ", near.Select(c => c.Class))}{(near.Count < concepts.Count ? "; the other is nearer 1/15000" : "")}.",
                CarResults.Notebook, CarRule, fiftyRobustness, basis),
        ];
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

    /// <summary>Claim 7's rule, fixed before the numbers of its measurement were computed (see notebook 05 for why it changed).</summary>
    public const string PrunedToYieldRule = "Holds if two things are both true. (1) The widths part: for at least half of the classes, edge-popup yields a first-layer unit of the trained nets' layer-1 quality "
        + "(notebook 01's held-out median; chosen on half A of the test images, scored on half B) at a width at least ten times smaller (3.32 bits, claim 1's order of magnitude) than the width at which "
        + "a random layer contains one with probability 1/2, taking the smaller contains width of notebook 01's band. (2) The pruned detectors are used: silencing the edge-popup net's detectors "
        + "costs more than 0.01 of test accuracy beyond silencing as many other units of the same layers, and a linear probe of its last hidden layer beats the same probe on the same frozen random "
        + "net by more than 0.01 (means over seeds). Holds only as a density if (1) but not (2); fails if not (1).";

    /// <summary>"Very different" widths: pruning yields at a width at least this many bits below the contains width (claim 1's factor 10).</summary>
    public static double PrunedToYieldFactorLog2 => RareFactorLog2;

    /// <summary>Claim 7's verdict from the per-class conservative width ratios (bits; null when pruning never reached the quality) and the usefulness margins.</summary>
    public static string PrunedToYieldVerdict(IReadOnlyList<double?> ratioLowLog2, double excessDrop, double probeGain)
    {
        var parted = ratioLowLog2.Count > 0 && ratioLowLog2.Count(r => r >= PrunedToYieldFactorLog2) * 2 >= ratioLowLog2.Count;
        if (!parted) return "fails";
        return excessDrop > OptimizationMargin && probeGain > OptimizationMargin ? "holds" : "holds only as a density: the pruned detectors are not used";
    }

    /// <summary>Claim 7: "exists in the random jumble" differs from "can be pruned to yield".</summary>
    public static ClaimVerdict PrunedToYield(SuiteResults results)
    {
        var p = results.Pruning;
        if (p.PruneToYieldWidths.Count == 0) throw new InvalidDataException($"The results of {PruningResults.Notebook} hold no prune-to-yield widths: rerun notebooks/{PruningResults.Notebook}.ipynb.");
        var pruned = p.DetectorUsefulness.Where(u => u.Net == "pruned").OrderBy(u => u.Seed).ToList();
        var random = p.DetectorUsefulness.Where(u => u.Net == "random features").OrderBy(u => u.Seed).ToList();
        if (pruned.Count == 0 || random.Count != pruned.Count)
            throw new InvalidDataException($"The results of {PruningResults.Notebook} hold no complete detector usefulness (a pruned and a random-features row per seed): rerun notebooks/{PruningResults.Notebook}.ipynb.");
        var excess = pruned.Average(u => u.ExcessDrop);
        var probeGain = pruned.Average(u => u.ProbeAccuracy) - random.Average(u => u.ProbeAccuracy);
        var ratios = p.PruneToYieldWidths.Select(w => w.RatioLowLog2).ToList();
        var verdict = PrunedToYieldVerdict(ratios, excess, probeGain);
        // Each seed on its own numbers: its own pruned qualities give its own widths; its own pruned and random nets their usefulness.
        var seeds = p.Hyperparameters.YieldSeeds;
        var seedVerdicts = new List<string>();
        for (var s = 0; s < seeds.Length && s < pruned.Count; s++)
        {
            var own = p.PruneToYieldWidths.Select(w =>
            {
                var reached = p.PruneToYield.Where(r => r.Class == w.Class && r.PrunedQualitySeeds.Length > s && r.PrunedQualitySeeds[s] >= w.TrainedQuality).OrderBy(r => r.Width).FirstOrDefault();
                return reached is null ? (double?)null : w.ContainsWidthBandLog2[0] - Math.Log2(reached.Width);
            }).ToList();
            seedVerdicts.Add(PrunedToYieldVerdict(own, pruned[s].ExcessDrop, pruned[s].ProbeAccuracy - random[s].ProbeAccuracy));
        }
        var resolved = p.PruneToYieldWidths.Where(w => w.PrunedWidth is not null).ToList();
        var parted = ratios.Count(r => r >= PrunedToYieldFactorLog2);
        return new(
            "\"Car detectors exist somewhere in the random jumble\" differs from \"the net can be pruned to yield a car detector\".",
            $"Edge-popup yields a unit of the trained layer-1 quality for {resolved.Count} of {p.PruneToYieldWidths.Count} classes within the widths measured (up to {p.Hyperparameters.YieldWidths.Max()}); "
            + (resolved.Count == 0 ? "" : $"there it needs 2^{F(resolved.Min(w => w.RatioLowLog2!.Value), "0.0")} to 2^{F(resolved.Max(w => w.RatioLowLog2!.Value), "0.0")} times fewer units than a random layer needs to contain one with probability 1/2 (the band's conservative end); ")
            + $"{parted} of {ratios.Count} classes part by at least a factor 10. Silencing the pruned net's detectors costs {F(excess, "0.000")} beyond as many random units; "
            + $"a linear probe of its last hidden layer reaches {F(pruned.Average(u => u.ProbeAccuracy), "0.000")} against {F(random.Average(u => u.ProbeAccuracy), "0.000")} on the frozen random net (means of {pruned.Count} seeds).",
            verdict,
            verdict switch
            {
                "holds" => "Pruning reaches, in a small net, detectors a random net of that size almost never contains, and the pruned net uses them: they are made by the mask search, not found lying in the jumble.",
                "fails" => "Pruning does not yield trained-quality detectors at a width much smaller than the one at which random nets already contain them.",
                _ => "Pruning makes high-quality units far more common than at random, but silencing them, or probing the layer, shows they carry little the net needs.",
            },
            PruningResults.Notebook, PrunedToYieldRule, seedVerdicts.Count < 2 ? null : Math.Round(seedVerdicts.Count(v => v == verdict) / (double)seedVerdicts.Count, 3),
            seedVerdicts.Count < 2 ? NoReplicates : $"each of {seedVerdicts.Count} seeds judged on its own pruned qualities, ablation and probe; notebook 01's density enters at the conservative end of its band, not resampled");
    }

    /// <summary>Claim 8's rule, fixed before the numbers of its comparison were computed (see notebook 05 for why it changed).</summary>
    public const string OptimizesRule = "Holds if edge-popup learns beyond what the frozen random nets already offer and comes close to training, on a comparison fixed in advance: "
        + "per seed one frozen random net (signed Kaiming constant weights), pruned by edge-popup at keep 0.5; the same weights with only the readout trained (random features); "
        + "subsets of the same net's hidden neurons chosen with a trained readout (neuron-subset selection, the weak baseline of Malach et al. 2020, at its keep fraction with the best validation accuracy); "
        + "and dense training. Every method gets the same recipe (SGD with momentum, cosine schedule, weight decay), data, epochs and batches, and its own step size by one rule (the best of a grid on held-out training images); means over the seeds. "
        + "Learning beyond the random net: edge-popup above the stronger of random features and neuron-subset selection by more than 0.01 (two standard errors of a difference of two accuracies on 10,000 test images); "
        + "close to training: at least 90% of dense training's accuracy. Holds only beyond random features if only the first; fails if edge-popup does not beat the stronger control by more than 0.01.";

    /// <summary>Claim 8's verdict from edge-popup's, the stronger control's and dense training's test accuracy.</summary>
    public static string OptimizesVerdict(double edgePopup, double strongerControl, double dense) =>
        edgePopup <= strongerControl + OptimizationMargin ? "fails"
        : edgePopup >= TrainedFraction * dense ? "holds"
        : "holds only beyond random features, short of training";

    /// <summary>Claim 8: pruning is "basically a weird way of doing optimization".</summary>
    public static ClaimVerdict PruningOptimizes(SuiteResults results)
    {
        var c = results.Pruning.Comparison;
        var n = c.Seeds.Length;
        if (n == 0 || c.EdgePopup.Length != n || c.RandomFeatures.Length != n || c.NeuronSubset.Length != n || c.Dense.Length != n)
            throw new InvalidDataException($"The results of {PruningResults.Notebook} hold no complete comparison (one edge-popup, random-features, neuron-subset and dense accuracy per seed): rerun notebooks/{PruningResults.Notebook}.ipynb.");
        if (c.KeepFraction != ComparisonKeepFraction || c.Init != "SignedKaimingConstant")
            throw new InvalidDataException($"Claim 8's rule was fixed for edge-popup at keep {ComparisonKeepFraction} on SignedKaimingConstant weights; the results of {PruningResults.Notebook} compare keep {c.KeepFraction} on {c.Init}. Rerun the notebook with ComparisonKeepFraction: {ComparisonKeepFraction}, or change the rule in Claims together with a sentence in notebook 05 saying why.");
        var (edge, features, subset, dense) = (c.EdgePopup.Average(), c.RandomFeatures.Average(), c.NeuronSubset.Average(), c.Dense.Average());
        var stronger = Math.Max(features, subset);
        var verdict = OptimizesVerdict(edge, stronger, dense);
        // Every combination of one seed's edge-popup, one seed's controls and one seed's dense net.
        var combos = (from e in Enumerable.Range(0, n) from r in Enumerable.Range(0, n) from d in Enumerable.Range(0, n)
                      select OptimizesVerdict(c.EdgePopup[e], Math.Max(c.RandomFeatures[r], c.NeuronSubset[r]), c.Dense[d])).ToList();
        double? robustness = n < 2 ? null : Math.Round(combos.Count(v => v == verdict) / (double)combos.Count, 3);
        string Range(double[] v) => $"{F(v.Average(), "0.000")} ({F(v.Min(), "0.000")} to {F(v.Max(), "0.000")})";
        return new(
            "Pruning is \"basically a weird way of doing optimization\".",
            $"On the same frozen random nets ({n} seeds, mean and range of test accuracy): edge-popup at keep {F(c.KeepFraction, "0.##")} {Range(c.EdgePopup)}; "
            + $"random features (readout only) {Range(c.RandomFeatures)}; neuron-subset selection at keep {F(c.NeuronSubsetKeepFraction, "0.##")} {Range(c.NeuronSubset)}; dense training {Range(c.Dense)}.",
            verdict,
            verdict == "fails"
                ? $"Choosing a mask over the random weights does not beat the random net's own features, or a choice of its neurons, by more than {F(OptimizationMargin, "0.00")}: what pruning finds is what the random net already offers."
                : verdict == "holds"
                    ? $"Searching masks over weights learns {F(edge - stronger, "0.000")} beyond the best a random net offers without choosing weights (its features, or a subset of its neurons) and reaches {F(edge / dense, "0%")} of trained accuracy: the mask is what is learned."
                    : $"Searching masks learns {F(edge - stronger, "0.000")} beyond the random net's features and neuron subsets but reaches only {F(edge / dense, "0%")} of trained accuracy.",
            PruningResults.Notebook, OptimizesRule, robustness,
            n < 2 ? NoReplicates : $"all {combos.Count} combinations of one seed's edge-popup, controls and dense run ({n} seeds each)");
    }

    const string TicketRule = "Holds if the IMP level at or below 25% of the weights with the best mean validation accuracy of the ticket (held-out training images; the sparsest level when none is that sparse) has a ticket within 0.005 of the dense net's test accuracy that beats both the re-initialized control and the random-mask control (both given the ticket's head start); otherwise fails.";

    /// <summary>Claim 9: a trained net can be pruned to a winning ticket.</summary>
    public static ClaimVerdict WinningTicket(SuiteResults results)
    {
        var imp = results.Pruning.Imp;
        var impDense = imp[0].Ticket;
        var levels = imp.Where(l => l.Reinit is not null).ToList();
        if (levels.Count == 0) throw new InvalidDataException($"The results of {PruningResults.Notebook} have no pruned IMP level: rerun notebooks/{PruningResults.Notebook}.ipynb with ImpRounds of 1 or more.");
        if (levels.Any(l => l.TicketValidationSeeds.Length == 0))
            throw new InvalidDataException($"The results of {PruningResults.Notebook} hold no validation accuracy of the IMP tickets, on which claim 9 chooses its level: rerun notebooks/{PruningResults.Notebook}.ipynb.");
        // The papers' regime is 10-20% of the weights; a short run (quick profile) is judged at its sparsest level instead.
        var sparseEnough = levels.Any(l => l.WeightsRemaining <= TicketSparsity);
        var row = sparseEnough ? levels.Where(l => l.WeightsRemaining <= TicketSparsity).MaxBy(l => l.TicketValidationSeeds.Average())! : levels.MinBy(l => l.WeightsRemaining)!;
        var ticketHolds = TicketVerdict(row.Ticket, impDense, row.Reinit!.Value, row.RandomMask ?? double.NaN) == "holds";
        // Each seed judged on its own numbers at the same level.
        var seedCount = row.TicketSeeds.Length;
        double? robustness = seedCount < 2 || row.ReinitSeeds.Length != seedCount || row.RandomMaskSeeds.Length != seedCount || imp[0].TicketSeeds.Length != seedCount ? null
            : Math.Round(Enumerable.Range(0, seedCount).Count(i => TicketVerdict(row.TicketSeeds[i], imp[0].TicketSeeds[i], row.ReinitSeeds[i], row.RandomMaskSeeds[i]) == (ticketHolds ? "holds" : "fails")) / (double)seedCount, 3);
        return new(
            "LTH papers show that a trained net can be pruned to a sparse \"winning ticket\" that trains as well from its initial weights.",
            (sparseEnough ? $"IMP with rewinding, level at ≤ {F(TicketSparsity, "0%")} of the weights chosen on validation accuracy: " : $"IMP with rewinding, sparsest level reached (none at ≤ {F(TicketSparsity, "0%")}): ")
            + $"{F(row.WeightsRemaining, "0%")} remaining, ticket {F(row.Ticket, "0.0000")} test accuracy against dense {F(impDense, "0.0000")}, same mask re-initialized {F(row.Reinit!.Value, "0.0000")}, random mask {F(row.RandomMask ?? double.NaN, "0.0000")}.",
            ticketHolds ? "holds" : "fails",
            ticketHolds
                ? "The ticket matches the dense net and beats both controls, so the kept initial values matter, not only the sparsity."
                : "The ticket does not match the dense net or does not beat its controls at this scale.",
            PruningResults.Notebook, TicketRule, robustness, robustness is null ? NoReplicates : $"each of the {seedCount} IMP seeds judged on its own ticket, dense net and controls at that level");
    }

    /// <summary>Claim 9's verdict at one level: the ticket within 0.005 of the dense net and above both controls.</summary>
    public static string TicketVerdict(double ticket, double dense, double reinit, double randomMask) =>
        ticket >= dense - 0.005 && ticket > reinit && ticket > randomMask ? "holds" : "fails";

    const string StrongTicketRule = "Holds if (1) the error of the best subset of n random weights falls by more than 0.2 bits per extra weight (least-squares slope of -log2 error against n, over errors above double-precision rounding), "
        + "and (2) pruning alone, with no weight trained, turns random nets n times wider than the trained baseline (every layer, the construction of Pensia et al. 2020) into a network within 0.01 of the baseline's test accuracy at some measured n. "
        + "Holds only for single weights if (1) but not (2); otherwise fails.";

    /// <summary>Claim 10's verdict from the SubsetSum rate and the best pruned-only network's accuracy gap to the trained baseline (null when not measured).</summary>
    public static string StrongTicketVerdict(double bitsPerWeight, double? bestGap) =>
        !(bitsPerWeight > 0.2) ? "fails" : bestGap is { } gap && gap <= OptimizationMargin ? "holds" : "holds only for single weights";

    /// <summary>Claim 10: strong LTH, SubsetSum needs O(log 1/ε) random weights per target weight.</summary>
    public static ClaimVerdict StrongTicket(SuiteResults results)
    {
        var subset = results.Pruning.SubsetSum;
        // Below 1e-12 the error is double-precision rounding, not the subset: the fit stops there.
        var resolved = subset.Where(s => s.Error > DoublePrecisionFloor).ToList();
        var bitsPerWeight = PruningStudy.BitsPerWeight(subset.Select(s => (s.N, s.Error)), DoublePrecisionFloor);
        var strong = results.Pruning.StrongLth;
        double? bestGap = strong.Count == 0 ? null : strong.Min(r => r.TargetAccuracy - r.Accuracy);
        var verdict = StrongTicketVerdict(bitsPerWeight, bestGap);
        var reached = strong.Where(r => r.TargetAccuracy - r.Accuracy <= OptimizationMargin).OrderBy(r => r.Overparameterization).FirstOrDefault();
        var replicates = results.Pruning.SubsetSumBitsPerWeightReplicates;
        double? robustness = replicates.Length == 0 ? null : Math.Round(replicates.Count(b => StrongTicketVerdict(b, bestGap) == verdict) / (double)replicates.Length, 3);
        return new(
            "Strong LTH: pruning alone, with no training, can approximate a target network (SubsetSum: O(log 1/ε) random weights per target weight).",
            $"Best subset of n random weights approximating a target weight: error {F(subset[0].Error, "0.###")} at n = {subset[0].N}, {F(resolved[^1].Error, "0.0e0")} at n = {resolved[^1].N} "
            + (resolved.Count < subset.Count ? "(beyond that, double-precision rounding)" : "(the largest n measured)") + $"; {F(bitsPerWeight, "0.00")} bits of precision per extra weight. "
            + (strong.Count == 0 ? "The trained baseline was not approximated."
                : $"The trained baseline ({F(strong[0].TargetAccuracy, "0.0000")}) approximated by pruning random nets n times wider: {string.Join(", ", strong.Select(r => $"{F(r.Accuracy, "0.0000")} at n = {r.Overparameterization}"))}."),
            verdict,
            verdict switch
            {
                "holds" => $"The error falls exponentially in the number of random weights, and pruning alone turns random nets {reached!.Overparameterization} times wider into the trained baseline's accuracy: a logarithmic overparametrization per weight suffices in practice, as Pensia et al. prove.",
                "fails" => "The error does not fall exponentially with the number of random weights.",
                _ => "Single weights are approximated exponentially fast, but the pruned-only network stays short of the trained baseline at the factors measured.",
            },
            PruningResults.Notebook, StrongTicketRule, robustness,
            robustness is null ? NoReplicates : $"{replicates.Length} bootstrap resamples of the random targets and values behind each SubsetSum point (5-95%: {F(RobustDensity.Quantile(replicates, 0.05), "0.00")} to {F(RobustDensity.Quantile(replicates, 0.95), "0.00")} bits per weight), with the pruned baseline's measured gap");
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
