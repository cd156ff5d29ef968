using System.Globalization;
using System.Text.Json.Nodes;

namespace TicketLab.Verdict;

/// <summary>One claim of the debate, what the suite measured, and the verdict that follows.</summary>
/// <param name="Claim">The claim in the debate's own terms.</param>
/// <param name="Measured">The numbers, quoted from the results files.</param>
/// <param name="Verdict">"holds", "fails", or "holds only when ...".</param>
/// <param name="Reason">One sentence: why the numbers give that verdict.</param>
/// <param name="Notebook">Where the numbers come from.</param>
public sealed record ClaimVerdict(string Claim, string Measured, string Verdict, string Reason, string Notebook);

/// <summary>
/// The debate's claims (SCIENCE.md) judged against the results files. Each rule is written out here so that a rerun with
/// other numbers can change a verdict; nothing is fixed in advance.
/// </summary>
public static class Claims
{
    /// <summary>A random first-layer unit counts as "rare" when fewer than one in 2^10 (about 1 in 1,000) is as good as the trained net's best detector.</summary>
    public const double RareLog2 = -10;

    /// <summary>The debate's guess for the at-init density, 2^-50.</summary>
    public const double DebateLog2 = -50;

    /// <summary>Features count as "fixed" when the widest net's relative feature change is below 5%.</summary>
    public const double FixedFeatureChange = 0.05;

    /// <summary>A winning ticket is looked for among IMP levels with at most this fraction of the weights.</summary>
    public const double TicketSparsity = 0.25;

    /// <summary>SubsetSum errors at or below this are double-precision rounding and are left out of the fit.</summary>
    public const double DoublePrecisionFloor = 1e-12;

    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every claim with its measurement and verdict, in the order of the debate.</summary>
    public static IReadOnlyList<ClaimVerdict> Judge(SuiteResults results)
    {
        const string n01 = "01-detector-density", n02 = "02-ntk-fixed-features", n03 = "03-pruning-as-optimization";
        var claims = new List<ClaimVerdict>();

        // Claim 1: detectors exist at random, but rarely; 1/15000 trained vs ~2^-50 at init.
        var classes = SuiteResults.List(results.Density, n01, "classes").OfType<JsonObject>().ToList();
        var log2 = classes.Select(c => SuiteResults.Number(c, n01, "init_density_log2")).Order().ToList();
        var median = log2.Count % 2 == 1 ? log2[log2.Count / 2] : (log2[log2.Count / 2 - 1] + log2[log2.Count / 2]) / 2;
        var quality = classes.Select(c => SuiteResults.Number(c, n01, "trained_best_quality")).ToList();
        var rareClasses = log2.Count(l => l <= RareLog2);
        claims.Add(new(
            "\"Car detectors\" exist in a big enough random network, but rarely.",
            $"At the trained net's best quality per class ({F(quality.Min(), "0.000")}-{F(quality.Max(), "0.000")}), a random first-layer unit is that good with density 2^{F(log2.Max(), "0.0")} to 2^{F(log2.Min(), "0.0")} (median 2^{F(median, "0.0")}) over {log2.Count} classes.",
            rareClasses == log2.Count ? "holds" : rareClasses == 0 ? "fails" : "holds only for some classes",
            rareClasses == log2.Count
                ? $"Every class's trained-quality detector is rarer than 1 in 2^{-RareLog2:0} random units, yet a width of 2^{F(-median, "0")} would hold one for the median class."
                : $"{rareClasses} of {log2.Count} classes are rarer than 1 in 2^{-RareLog2:0}; "
                  + "for " + string.Join(", ", classes.Where(c => SuiteResults.Number(c, n01, "init_density_log2") > RareLog2)
                      .Select(c => $"{c["class"]?.GetValue<string>()} (2^{F(SuiteResults.Number(c, n01, "init_density_log2"), "0.0")})"))
                  + $" a trained-quality detector turns up within every 2^{-RareLog2:0} random units.",
            n01));
        var beyondDebate = log2.Count(l => l <= DebateLog2);
        claims.Add(new(
            "At initialization the density of equally good detectors is \"more like 1/2^50\", against 1/15,000 in the trained net.",
            $"Most extreme class 2^{F(log2.Min(), "0.0")}; {beyondDebate} of {log2.Count} classes at or below 2^{DebateLog2:0}.",
            beyondDebate == log2.Count ? "holds" : beyondDebate == 0 ? "fails" : "holds only for some classes",
            beyondDebate == 0
                ? $"The gap is real but {F(log2.Min() - DebateLog2, "0")} to {F(log2.Max() - DebateLog2, "0")} bits smaller than the guess: 2^-50 overstates the rarity for every class."
                : $"{beyondDebate} classes reach the guessed rarity.",
            n01));

        // Claim 2: NTK regime, fixed features, linear model.
        var widths = SuiteResults.List(results.Ntk, n02, "widths").Select(w => SuiteResults.ToDouble(w) ?? double.NaN).ToList();
        var featureChange = SuiteResults.List(results.Ntk, n02, "feature_change").Select(v => SuiteResults.ToDouble(v) ?? double.NaN).ToList();
        var featureSlope = SuiteResults.Number(results.Ntk, n02, "feature_change_slope");
        var fixedAtWidest = featureChange[^1] < FixedFeatureChange;
        claims.Add(new(
            "In the NTK (lazy) regime no intermediate function changes.",
            $"Relative change of hidden features under NTK parametrization: {F(featureChange[0], "0.000")} at width {widths[0]:0}, {F(featureChange[^1], "0.000")} at width {widths[^1]:0} (slope {F(featureSlope, "0.00")} in log-log; theory -0.5).",
            featureSlope < 0 && fixedAtWidest ? "holds only as width grows" : "fails",
            featureSlope < 0 && fixedAtWidest
                ? $"Features do move at finite width, but less as width grows, and by under {FixedFeatureChange:0%} at the widest net."
                : "Features move by more than the threshold or do not settle with width.",
            n02));
        var rmse = SuiteResults.List(results.Ntk, n02, "linearization_rmse").Select(v => SuiteResults.ToDouble(v) ?? double.NaN).ToList();
        var rmseSlope = Ntk.LazyRichStudy.LogLogSlope(widths, rmse);
        var ntkAccuracy = SuiteResults.Number(results.Ntk, n02, "kernel_regression_accuracy.ntk");
        var widestAccuracy = SuiteResults.Number(results.Ntk, n02, $"test_accuracy.{widths.Count - 1}");
        claims.Add(new(
            "So training is a linear model on fixed random features.",
            $"Net minus its linearization (RMS over test outputs): {F(rmse[0], "0.0000")} at width {widths[0]:0}, {F(rmse[^1], "0.0000")} at {widths[^1]:0} (slope {F(rmseSlope, "0.00")}); widest net {F(widestAccuracy, "0.000")} test accuracy against {F(ntkAccuracy, "0.000")} for infinite-width NTK regression.",
            rmseSlope < 0 ? "holds only as width grows" : "fails",
            rmseSlope < 0
                ? "The trained net and its first-order Taylor expansion agree better and better as width grows, and the infinite-width kernel predicts the same task."
                : "The linearization does not track the trained net better at larger widths.",
            n02));
        var lazyDistance = SuiteResults.Number(results.Ntk, n02, "lazy_density_distance");
        var richDistance = SuiteResults.Number(results.Ntk, n02, "rich_density_distance");
        var critical = SuiteResults.Number(results.Ntk, n02, "density_distance_critical");
        var lazyFeatures = SuiteResults.Number(results.Ntk, n02, "lazy_rich.lazy_feature_change");
        var richFeatures = SuiteResults.Number(results.Ntk, n02, "lazy_rich.rich_feature_change");
        // Standard training (notebook 01: Adam, the full training set) against the same nets at init, all hidden units of 3 seeds.
        var standard = Detectors.StoredDensityCurves.Read(results.Density, n01);
        var standardInit = standard.Get(Condition.Init, n01).Curve;
        var standardTrained = standard.Get(Condition.Trained, n01).Curve;
        var standardDistance = Detectors.Density.MaxDistance(standardInit, standardTrained);
        var standardUnits = standardInit.Units * standard.Curves.First(c => c.Condition == "init" && !c.Sampled).Seeds;
        var standardCritical = Detectors.Density.KsCritical(standardUnits, standardUnits);
        var lazyStill = lazyDistance < critical;
        var richMoves = richDistance >= critical;
        var standardMoves = standardDistance >= standardCritical;
        claims.Add(new(
            "Hence \"slight tweaks\" of a nearly-good random detector cannot happen, so random detectors cannot help NTK-regime learning.",
            $"How far training moves the detector-density curve of the hidden units (largest vertical distance, i.e. the Kolmogorov-Smirnov statistic): lazy NTK training {F(lazyDistance, "0.000")} (features move {F(lazyFeatures, "0.000")}), "
            + $"rich μP training {F(richDistance, "0.000")} (features move {F(richFeatures, "0.000")}), both against {F(critical, "0.000")} expected by chance at 5%; standard training of the baseline {F(standardDistance, "0.000")} (chance: {F(standardCritical, "0.000")}).",
            !lazyStill ? "fails" : richMoves || standardMoves ? "holds only in the lazy regime" : "holds",
            !lazyStill
                ? "Lazy training moves the detector density further than chance allows."
                : richMoves || standardMoves
                    ? $"Lazy training leaves the detector density where chance would put it, while {(standardMoves ? "standard training" : "rich training")} moves it well beyond chance: the claim describes NTK training, not training in general."
                    : "No training measured here moves the detector density beyond chance.",
            n02));

        // Claim 3: pruning as optimization.
        var maskBits = SuiteResults.Number(results.Pruning, n03, "mask_bits");
        var neuronBits = SuiteResults.Number(results.Pruning, n03, "neuron_subset_bits");
        claims.Add(new(
            "The number of possible prunings grows exponentially with the number of weights, while neurons grow linearly.",
            $"Masks keeping half the weights of 784-300-100-10: 2^{F(maskBits, "N0")}; subsets of its neurons: 2^{F(neuronBits, "N0")}.",
            maskBits > neuronBits ? "holds" : "fails",
            $"Choosing weights offers {F(maskBits / neuronBits, "N0")} times more bits than choosing neurons: the search space is exponentially larger than any list of candidate units.",
            n03));
        var init = SuiteResults.Number(results.Pruning, n03, "init_detector_density_at_trained_quality");
        var pruned = SuiteResults.Number(results.Pruning, n03, "pruned_detector_density_at_trained_quality");
        var trained = SuiteResults.Number(results.Pruning, n03, "trained_detector_density_at_trained_quality");
        var detectorQuality = SuiteResults.Number(results.Pruning, n03, "detector_quality");
        claims.Add(new(
            "\"Car detectors exist somewhere in the random jumble\" differs from \"the net can be pruned to yield a car detector\".",
            $"Hidden units with quality ≥ {F(detectorQuality, "0.00")}: {F(init, "0.0000")} of them at init, {F(pruned, "0.0000")} after edge-popup pruning, {F(trained, "0.0000")} after training.",
            pruned > 5 * init ? "holds" : "fails",
            pruned > 5 * init
                ? $"Pruning creates detectors at {F(pruned / Math.Max(init, 1e-12), "0")} times the at-init density: they were not in the net before the mask was chosen."
                : "Pruning leaves the density of good detectors near its at-init value.",
            n03));
        var edge = SuiteResults.List(results.Pruning, n03, "edge_popup").OfType<JsonObject>()
            .Select(e => (Keep: SuiteResults.Number(e, n03, "keep_fraction"), Accuracy: SuiteResults.Number(e, n03, "accuracy"))).MaxBy(e => e.Accuracy);
        var dense = SuiteResults.Number(results.Pruning, n03, "dense_accuracy");
        var randomMask = SuiteResults.Number(results.Pruning, n03, "random_mask_accuracy");
        var optimizes = edge.Accuracy >= 0.9 * dense && randomMask < 0.2;
        claims.Add(new(
            "Pruning is \"basically a weird way of doing optimization\".",
            $"Edge-popup on frozen random weights (keep {F(edge.Keep, "0.##")}): {F(edge.Accuracy, "0.000")} test accuracy; dense training {F(dense, "0.000")}; a random mask of the same size {F(randomMask, "0.000")}.",
            optimizes ? "holds" : "fails",
            optimizes
                ? $"Searching masks by gradient reaches {F(edge.Accuracy / dense, "0%")} of trained accuracy while a random mask stays at chance: the mask is what is learned."
                : "Optimizing the mask does not come close to training the weights.",
            n03));
        var imp = SuiteResults.List(results.Pruning, n03, "imp").OfType<JsonObject>().ToList();
        var impDense = SuiteResults.Number(imp[0], n03, "ticket");
        var levels = imp.Where(l => l["reinit"] is JsonValue)
            .Select(l => (Remaining: SuiteResults.Number(l, n03, "weights_remaining"), Ticket: SuiteResults.Number(l, n03, "ticket"),
                Reinit: SuiteResults.Number(l, n03, "reinit"), Random: SuiteResults.Number(l, n03, "random_mask")))
            .ToList();
        if (levels.Count == 0) throw new InvalidDataException($"The results of {n03} have no pruned IMP level: rerun notebooks/{n03}.ipynb with ImpRounds of 1 or more.");
        // The papers' regime is 10-20% of the weights; a short run (quick profile) is judged at its sparsest level instead.
        var sparseEnough = levels.Any(l => l.Remaining <= TicketSparsity);
        var sparse = sparseEnough ? levels.Where(l => l.Remaining <= TicketSparsity).MaxBy(l => l.Ticket) : levels.MinBy(l => l.Remaining);
        var ticketHolds = sparse.Ticket >= impDense - 0.005 && sparse.Ticket > sparse.Reinit && sparse.Ticket > sparse.Random;
        claims.Add(new(
            "LTH papers show that a trained net can be pruned to a sparse \"winning ticket\" that trains as well from its initial weights.",
            (sparseEnough ? $"IMP with rewinding, best level at ≤ {F(TicketSparsity, "0%")} of the weights: " : $"IMP with rewinding, sparsest level reached (none at ≤ {F(TicketSparsity, "0%")}): ")
            + $"{F(sparse.Remaining, "0%")} remaining, ticket {F(sparse.Ticket, "0.0000")} against dense {F(impDense, "0.0000")}, same mask re-initialized {F(sparse.Reinit, "0.0000")}, random mask {F(sparse.Random, "0.0000")}.",
            ticketHolds ? "holds" : "fails",
            ticketHolds
                ? "The ticket matches the dense net and beats both controls, so the kept initial values matter, not only the sparsity."
                : "The ticket does not match the dense net or does not beat its controls at this scale.",
            n03));
        var subset = SuiteResults.List(results.Pruning, n03, "subset_sum").OfType<JsonObject>()
            .Select(s => (N: SuiteResults.Number(s, n03, "n"), Error: SuiteResults.Number(s, n03, "error"))).ToList();
        // Below 1e-12 the error is double-precision rounding, not the subset: the fit stops there.
        var resolved = subset.Where(s => s.Error > DoublePrecisionFloor).ToList();
        var bitsPerWeight = resolved.Count < 2 ? 0 : LinearSlope(resolved.Select(s => s.N), resolved.Select(s => -Math.Log2(s.Error)));
        claims.Add(new(
            "Strong LTH: pruning alone, with no training, can approximate a target network (SubsetSum: O(log 1/ε) random weights per target weight).",
            $"Best subset of n random weights approximating a target weight: error {F(subset[0].Error, "0.###")} at n = {subset[0].N:0}, {F(resolved[^1].Error, "0.0e0")} at n = {resolved[^1].N:0} "
            + $"(beyond that, double-precision rounding); {F(bitsPerWeight, "0.00")} bits of precision per extra weight.",
            bitsPerWeight > 0.2 ? "holds" : "fails",
            bitsPerWeight > 0.2
                ? "The error falls exponentially in the number of random weights, so a logarithmic overparametrization suffices, as Pensia et al. prove."
                : "The error does not fall exponentially with the number of random weights.",
            n03));
        return claims;
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

    /// <summary>The rows for results/04-verdict.json.</summary>
    public static object ForResults(IEnumerable<ClaimVerdict> claims) =>
        claims.Select(c => new { claim = c.Claim, measured = c.Measured, verdict = c.Verdict, reason = c.Reason, notebook = c.Notebook }).ToList();

    static string F(double value, string format) => value.ToString(format, Invariant);

    static double LinearSlope(IEnumerable<double> x, IEnumerable<double> y)
    {
        var points = x.Zip(y).ToList();
        var mx = points.Average(p => p.First);
        var my = points.Average(p => p.Second);
        return points.Sum(p => (p.First - mx) * (p.Second - my)) / points.Sum(p => (p.First - mx) * (p.First - mx));
    }
}
