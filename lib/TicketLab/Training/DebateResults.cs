namespace TicketLab.Training;

/// <summary>The results file of notebook 00: the baseline every later notebook builds on.</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Dataset">The dataset's display name.</param>
/// <param name="Seed">Seed of the baseline's initialization.</param>
/// <param name="BaselineTestAccuracy">Final test accuracy (4 decimals).</param>
/// <param name="TrainSeconds">Seconds its training took (0 when loaded from the cache).</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The baseline's data, net and training options.</param>
public sealed record DebateResults(string Profile, string Dataset, long Seed, double BaselineTestAccuracy, double TrainSeconds, string Finding,
    BaselineConfig Hyperparameters) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "00-the-debate";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 2;

    /// <summary>The results of a trained (or loaded) baseline.</summary>
    public static DebateResults Of(Profile profile, BaselineRun baseline, string dataset) => new(profile.Name, dataset, baseline.Config.InitSeed,
        Math.Round(baseline.Result.FinalTestAccuracy, 4), Math.Round(baseline.Result.Seconds, 1),
        $"The {baseline.Config.Net.LayerSizes.Length - 2}-hidden-layer baseline MLP reaches test accuracy {baseline.Result.FinalTestAccuracy:0.0000} "
        + $"on {dataset} after {baseline.Config.Training.Epochs} epochs; its initial and trained weights are cached for notebooks 01-04.",
        baseline.Config);
}
