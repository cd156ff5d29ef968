using System.Text.Json.Nodes;
using TicketLab.Verdict;

namespace TicketLab.Tests.Verdict;

public class ClaimsTests
{
    /// <summary>Results files shaped like notebooks 00-03's, with the numbers a test wants to vary.</summary>
    static SuiteResults Synthetic(double initLog2 = -16, double lazyDistance = 0.02, double richDistance = 0.05, bool standardMoves = true, double prunedDensity = 0.13,
        double ticket = 0.86, double reinit = 0.83, double[]? featureChange = null, double[]? subsetErrors = null, double sparsest = 0.21)
    {
        featureChange ??= [0.06, 0.03, 0.02];
        subsetErrors ??= [0.3, 1e-3, 1e-6];
        var classes = new JsonArray(Enumerable.Range(0, 10).Select(c => (JsonNode)new JsonObject
        {
            ["class"] = $"class {c}", ["trained_best_quality"] = 0.9 + c * 0.009, ["init_density_log2"] = initLog2 - c, ["method"] = "measured",
        }).ToArray());
        // Hidden-unit qualities at init, and after standard training either shifted up by 0.1 or left as they were.
        var grid = TicketLab.Detectors.Density.Grid(0.5, 1.0, 0.01);
        var initUnits = Enumerable.Range(0, 400).Select(i => 0.5f + 0.45f * i / 400).ToArray();
        var trainedUnits = initUnits.Select(q => standardMoves ? Math.Min(1f, q + 0.1f) : q).ToArray();
        var hidden = TicketLab.Detectors.StoredDensityCurves.From([784, 300, 100, 10], 2000, 1,
            (TicketLab.Condition.Init, TicketLab.Detectors.Density.Curve("init", [initUnits], grid)),
            (TicketLab.Condition.Trained, TicketLab.Detectors.Density.Curve("trained", [trainedUnits], grid)));
        var density = new JsonObject { ["profile"] = "full", ["classes"] = classes, [TicketLab.Detectors.StoredDensityCurves.Key] = hidden.ToJson(), ["finding"] = "01" };
        var ntk = new JsonObject
        {
            ["profile"] = "full",
            ["widths"] = new JsonArray(64, 256, 1024),
            ["feature_change"] = new JsonArray(featureChange.Select(v => (JsonNode)v).ToArray()),
            ["feature_change_slope"] = TicketLab.Ntk.LazyRichStudy.LogLogSlope([64, 256, 1024], featureChange),
            ["linearization_rmse"] = new JsonArray(0.02, 0.01, 0.005),
            ["test_accuracy"] = new JsonArray(0.70, 0.71, 0.72),
            ["kernel_regression_accuracy"] = new JsonObject { ["ntk"] = 0.8, ["nngp"] = 0.79 },
            ["lazy_density_distance"] = lazyDistance,
            ["rich_density_distance"] = richDistance,
            ["density_distance_critical"] = 0.096,
            ["lazy_rich"] = new JsonObject { ["lazy_feature_change"] = 0.05, ["rich_feature_change"] = 0.4 },
            ["finding"] = "02",
        };
        var pruning = new JsonObject
        {
            ["profile"] = "full",
            ["mask_bits"] = 266190.7,
            ["neuron_subset_bits"] = 400,
            ["dense_accuracy"] = 0.836,
            ["random_mask_accuracy"] = 0.1,
            ["edge_popup"] = new JsonArray(new JsonObject { ["init"] = "SignedKaimingConstant", ["keep_fraction"] = 0.3, ["accuracy"] = 0.815 }),
            ["imp"] = new JsonArray(
                new JsonObject { ["weights_remaining"] = 1.0, ["ticket"] = 0.843, ["reinit"] = null, ["random_mask"] = null },
                new JsonObject { ["weights_remaining"] = 0.64, ["ticket"] = 0.85, ["reinit"] = 0.84, ["random_mask"] = 0.84 },
                new JsonObject { ["weights_remaining"] = sparsest, ["ticket"] = ticket, ["reinit"] = reinit, ["random_mask"] = 0.83 }),
            ["detector_quality"] = 0.95,
            ["init_detector_density_at_trained_quality"] = 0.005,
            ["pruned_detector_density_at_trained_quality"] = prunedDensity,
            ["trained_detector_density_at_trained_quality"] = 0.07,
            ["subset_sum"] = new JsonArray(subsetErrors.Select((e, i) => (JsonNode)new JsonObject { ["n"] = 2 + 16 * i, ["error"] = e }).ToArray()),
            ["finding"] = "03",
        };
        return new SuiteResults(new JsonObject { ["profile"] = "full", ["finding"] = "00" }, density, ntk, pruning);
    }

    static ClaimVerdict Find(IReadOnlyList<ClaimVerdict> claims, string fragment) => Assert.Single(claims, c => c.Claim.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public void Every_claim_gets_a_verdict_in_the_debates_terms()
    {
        var claims = Claims.Judge(Synthetic());
        Assert.Equal(10, claims.Count);
        Assert.All(claims, c => Assert.Matches("^(holds|fails|holds only .+)$", c.Verdict));
        Assert.All(claims, c => Assert.False(string.IsNullOrWhiteSpace(c.Measured)));
        Assert.All(claims, c => Assert.EndsWith(".", c.Reason));
    }

    [Fact]
    public void The_2_to_the_50_guess_fails_unless_the_measured_density_reaches_it()
    {
        var measured = Find(Claims.Judge(Synthetic(initLog2: -16)), "1/2^50");
        Assert.Equal("fails", measured.Verdict);
        Assert.Contains("2^-25.0", measured.Measured); // the most extreme of -16 ... -25
        Assert.Equal("holds", Find(Claims.Judge(Synthetic(initLog2: -55)), "1/2^50").Verdict);
        Assert.Equal("holds only for some classes", Find(Claims.Judge(Synthetic(initLog2: -45)), "1/2^50").Verdict);
    }

    [Fact]
    public void Rarity_needs_every_class_below_one_in_a_thousand()
    {
        Assert.Equal("holds", Find(Claims.Judge(Synthetic(initLog2: -12)), "but rarely").Verdict);
        Assert.Equal("holds only for some classes", Find(Claims.Judge(Synthetic(initLog2: -5)), "but rarely").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(initLog2: 0)), "but rarely").Verdict);
    }

    [Fact]
    public void Lazy_training_claim_compares_each_curve_shift_with_chance()
    {
        // Standard training moves the curve (by 0.1 > 0.055 for 400 units each), lazy training not beyond chance.
        Assert.Equal("holds only in the lazy regime", Find(Claims.Judge(Synthetic()), "slight tweaks").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(lazyDistance: 0.12)), "slight tweaks").Verdict);
        Assert.Equal("holds", Find(Claims.Judge(Synthetic(standardMoves: false)), "slight tweaks").Verdict);
        Assert.Equal("holds only in the lazy regime", Find(Claims.Judge(Synthetic(richDistance: 0.2, standardMoves: false)), "slight tweaks").Verdict);
    }

    [Fact]
    public void Features_that_do_not_settle_with_width_fail_the_fixed_feature_claim()
    {
        Assert.Equal("holds only as width grows", Find(Claims.Judge(Synthetic()), "no intermediate function").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(featureChange: [0.02, 0.04, 0.08])), "no intermediate function").Verdict);
    }

    [Fact]
    public void Pruning_and_ticket_claims_follow_their_controls()
    {
        Assert.Equal("holds", Find(Claims.Judge(Synthetic()), "pruned to yield").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(prunedDensity: 0.01)), "pruned to yield").Verdict);
        Assert.Equal("holds", Find(Claims.Judge(Synthetic()), "winning ticket").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(ticket: 0.82)), "winning ticket").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(reinit: 0.87)), "winning ticket").Verdict);
        Assert.Equal("fails", Find(Claims.Judge(Synthetic(subsetErrors: [0.3, 0.29, 0.3])), "Strong LTH").Verdict);
    }

    [Fact]
    public void A_short_IMP_run_is_judged_at_its_sparsest_level_and_says_so()
    {
        var claim = Find(Claims.Judge(Synthetic(sparsest: 0.51)), "winning ticket");
        Assert.Contains("sparsest level reached (none at ≤ 25%): 51% remaining", claim.Measured);
        Assert.Equal("holds", claim.Verdict);
        Assert.Contains("best level at ≤ 25% of the weights: 21% remaining", Find(Claims.Judge(Synthetic()), "winning ticket").Measured);
    }

    [Fact]
    public void A_missing_results_file_names_the_notebook_and_the_command()
    {
        using var temp = TestSetup.Temp();
        File.WriteAllText(temp["00-the-debate.json"], """{"profile": "full"}""");
        var error = Assert.Throws<FileNotFoundException>(() => SuiteResults.Load(temp.Path));
        Assert.Contains("notebooks/01-detector-density.ipynb", error.Message);
        Assert.Contains("--only 03", error.Message);
        Assert.DoesNotContain("00-the-debate.json is written", error.Message);
    }

    [Fact]
    public void A_corrupt_results_file_is_reported_not_half_read()
    {
        using var temp = TestSetup.Temp();
        foreach (var n in SuiteResults.Notebooks) File.WriteAllText(temp[n + ".json"], """{"profile": "full"}""");
        File.WriteAllText(temp["02-ntk-fixed-features.json"], """{"profile": "full", "widths": [64, """);
        var error = Assert.Throws<InvalidDataException>(() => SuiteResults.Load(temp.Path));
        Assert.Contains("02-ntk-fixed-features.json is not valid JSON", error.Message);
        var missingKey = Assert.Throws<InvalidDataException>(() => SuiteResults.Number(new JsonObject(), "01-detector-density", "classes.0.init_density_log2"));
        Assert.Contains("rerun notebooks/01-detector-density.ipynb", missingKey.Message);
    }

    [Fact]
    public void The_committed_verdict_is_the_judgement_of_the_committed_results()
    {
        var claims = Claims.Judge(SuiteResults.Load(Path.Combine(ProjectPaths.Notebooks, "results")));
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, "results", "04-verdict.json")))!["claims"]!.AsArray();
        Assert.Equal(claims.Count, committed.Count);
        for (var i = 0; i < claims.Count; i++)
        {
            Assert.Equal(claims[i].Claim, committed[i]!["claim"]!.GetValue<string>());
            Assert.Equal(claims[i].Measured, committed[i]!["measured"]!.GetValue<string>());
            Assert.Equal(claims[i].Verdict, committed[i]!["verdict"]!.GetValue<string>());
        }
    }
}
