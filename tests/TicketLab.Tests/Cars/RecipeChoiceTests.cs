using TicketLab.Cars;
using TicketLab.Data;
using TicketLab.Training;

namespace TicketLab.Tests.Cars;

[Collection("torch")]
public class RecipeChoiceTests
{
    static RecipeChoiceOptions Tiny(double floor) => new(new CifarOptions(Source: DataSource.Embedded), [4, 8], Seed: 0, ValidationImages: 200, SplitSeed: 3,
        Reference: new TrainOptions(Epochs: 2, BatchSize: 64, EvaluationsPerEpoch: 1),
        Candidates: [new TrainOptions(Epochs: 1, BatchSize: 64, EvaluationsPerEpoch: 1), new TrainOptions(Epochs: 1, BatchSize: 32, LearningRate: 2e-3, EvaluationsPerEpoch: 1)],
        Floor: floor);

    [Fact]
    public void The_rule_picks_the_best_candidate_on_held_out_training_images_or_none_below_the_floor()
    {
        var low = RecipeChoiceResults.Run(Tiny(0.01));
        var best = low.Candidates.MaxBy(c => c.ValidationAccuracy)!;
        Assert.Equal(best.Recipe, low.Chosen);
        Assert.Single(low.Candidates, c => c.Chosen);
        Assert.False(low.Reference.Chosen);
        Assert.Equal(200, low.ValidationImages);
        Assert.All(low.Candidates.Prepend(low.Reference), c => Assert.Equal(c.Epochs + 1, c.ValidationCurve.Length));
        Assert.Equal(3, low.Rows().Count());

        // The same trainings again (one LibTorch thread each: bit for bit), judged by a floor none reaches.
        var high = RecipeChoiceResults.Run(Tiny(0.99));
        Assert.Null(high.Chosen);
        Assert.DoesNotContain(high.Candidates, c => c.Chosen);
        Assert.Equal(low.Candidates.Select(c => c.ValidationAccuracy), high.Candidates.Select(c => c.ValidationAccuracy));
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        Assert.Equal("Floor", Assert.Throws<ArgumentOutOfRangeException>(() => Tiny(1.5).Validate()).ParamName);
        Assert.Equal("ValidationImages", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { ValidationImages = 10 }).Validate()).ParamName);
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { Candidates = [] }).Validate()).ParamName);
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { Candidates = null! }).Validate()).ParamName);
        var twice = Tiny(0.5).Candidates[0];
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { Candidates = [twice, twice] }).Validate()).ParamName);
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { Candidates = [twice with { EvaluationsPerEpoch = 4 }] }).Validate()).ParamName);
        Assert.Equal("Seed", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { Seed = -1 }).Validate()).ParamName);
        Assert.Equal("SplitSeed", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny(0.5) with { SplitSeed = -1 }).Validate()).ParamName);
    }

    [Fact]
    public void The_committed_record_chose_the_recipe_notebook_04_trains_with()
    {
        var committed = TicketLab.Results.Read<RecipeChoiceResults>(Path.Combine(ProjectPaths.Root, "notebooks", "results"));
        Assert.Equal(RecipeChoiceOptions.Committed.Rule, committed.Rule);
        var chosen = committed.Candidates.Single(c => c.Chosen);
        Assert.Equal(committed.Chosen, chosen.Recipe);
        Assert.True(chosen.ValidationAccuracy >= committed.Floor);
        Assert.Equal(committed.Candidates.Max(c => c.ValidationAccuracy), chosen.ValidationAccuracy);
        var notebook = File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, "04-car-detectors.ipynb"));
        Assert.Contains($"Epochs: lab.Profile.Choose(10, {chosen.Epochs}), BatchSize: {chosen.BatchSize}, LearningRate: {chosen.LearningRate.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture)}", notebook);
    }
}
