using System.Text.Json.Serialization;

namespace TicketLab.Verdict;

/// <summary>One stored density curve read at three qualities, in the results file.</summary>
/// <param name="Condition">init, trained, lazy, rich or pruned.</param>
/// <param name="Curve">Which units.</param>
/// <param name="At0_8">Fraction of units with quality ≥ 0.8.</param>
/// <param name="At0_9">Fraction with quality ≥ 0.9.</param>
/// <param name="At0_95">Fraction with quality ≥ 0.95.</param>
public sealed record DensityAt(string Condition, string Curve,
    [property: JsonPropertyName("at_0_8")] double At0_8, [property: JsonPropertyName("at_0_9")] double At0_9, [property: JsonPropertyName("at_0_95")] double At0_95);

/// <summary>The thresholds of the verdict's rules (see <see cref="Claims"/>).</summary>
/// <param name="RareFactorLog2">"Rarely": at least this many bits below the trained nets' own density at that quality (a factor 10).</param>
/// <param name="DebateLog2">The debate's guess for the at-init density.</param>
/// <param name="DebateTrainedLog2">The debate's trained-net density, 1/15000, in bits.</param>
/// <param name="FiftyBitsMidpointLog2">"More like 2^-50": at or below the midpoint of the two, in bits.</param>
/// <param name="FixedFeatureChange">"Fixed" features: relative change below this at the widest net.</param>
/// <param name="TicketSparsity">Winning tickets are looked for at or below this fraction of the weights.</param>
/// <param name="DoublePrecisionFloor">SubsetSum errors at or below this are rounding and left out of the fit.</param>
public sealed record VerdictThresholds(double RareFactorLog2, double DebateLog2, double DebateTrainedLog2, double FiftyBitsMidpointLog2, double FixedFeatureChange, double TicketSparsity, double DoublePrecisionFloor)
{
    /// <summary>The thresholds in force.</summary>
    public static VerdictThresholds Current => new(Math.Round(Claims.RareFactorLog2, 4), Claims.DebateLog2, Math.Round(Claims.DebateTrainedLog2, 4), Math.Round(Claims.FiftyBitsMidpointLog2, 4), Claims.FixedFeatureChange, Claims.TicketSparsity, Claims.DoublePrecisionFloor);
}

/// <summary>The results file of notebook 05 (the verdict).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Sources">The results files judged, with their profiles and findings.</param>
/// <param name="Claims">Every claim with its measurement, verdict and rule.</param>
/// <param name="DensityAt">The stored density curves read at three qualities.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The rules' thresholds.</param>
public sealed record VerdictResults(string Profile, IReadOnlyList<SourceRow> Sources, IReadOnlyList<ClaimVerdict> Claims, IReadOnlyList<DensityAt> DensityAt,
    string Finding, VerdictThresholds Hyperparameters) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "05-verdict";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 4;

    /// <summary>The verdict of <paramref name="suite"/> as its results file.</summary>
    public static VerdictResults Of(Profile profile, SuiteResults suite, IReadOnlyList<ClaimVerdict> claims, IReadOnlyList<DensityRow> densities) => new(
        profile.Name,
        suite.Sources(),
        claims,
        densities.Select(r => new DensityAt(r.Condition, r.Curve, r.AtQ0_8, r.AtQ0_9, r.AtQ0_95)).ToList(),
        $"Of {claims.Count} claims of the debate, {Verdict.Claims.Tally(claims)}; at quality 0.95 the hidden-unit detector density is "
            + string.Join(", ", densities.Where(r => !r.Sampled).Select(r => $"{r.AtQ0_95:0.###} {r.Condition}")) + ".",
        VerdictThresholds.Current);
}
