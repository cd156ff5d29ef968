using System.Text.Json;
using TicketLab.Detectors;
using TicketLab.Verdict;

namespace TicketLab.Tests.Detectors;

public class StoredDensityCurvesTests
{
    static DensityCurve Curve(string label, params float[][] perSeed) => Density.Curve(label, perSeed, Density.Grid(0.5, 1.0, 0.1));

    [Fact]
    public void Curves_survive_a_results_file_round_trip()
    {
        var init = Curve("init", [0.5f, 0.6f, 0.7f, 0.95f], [0.55f, 0.65f, 0.75f, 0.85f]);
        var pruned = Curve("pruned", [0.91f, 0.92f, 0.97f, 0.99f]);
        var stored = StoredDensityCurves.From([784, 300, 100, 10], 2000, (Condition.Init, init, 2, false), (Condition.Pruned, pruned, 1, false));
        var json = JsonSerializer.Serialize(stored, Results.Json);
        Assert.Contains("\"evaluation_images\": 2000", json);
        var read = JsonSerializer.Deserialize<StoredDensityCurves>(json, Results.Json)!.Check("01-detector-density");
        Assert.Equal("784-300-100-10", read.Architecture);
        Assert.Equal(2000, read.EvaluationImages);
        var (condition, back) = read.Get(Condition.Init, "01-detector-density");
        Assert.Equal(Condition.Init, condition);
        Assert.Equal(init.Mean, back.Mean);
        Assert.Equal(init.Low, back.Low);
        // Hand-computed: at q = 0.9, one of four units of the first seed and none of the second; mean 0.125.
        Assert.Equal(0.125, read.FractionAt(Condition.Init, 0.9), 10);
        Assert.Equal(1.0, read.FractionAt(Condition.Pruned, 0.9), 10);
        Assert.Equal(2, read.All().Count);
    }

    [Fact]
    public void The_distance_between_curves_is_the_two_sample_KS_statistic()
    {
        // Hand-computed: survival fractions at q = 0.5, 0.6, ..., 1.0 are (1, 1, .75, .5, .25, 0) and (1, 1, 1, .75, .5, .25).
        var before = Curve("before", [0.65f, 0.75f, 0.85f, 0.95f]);
        var after = Curve("after", [0.75f, 0.85f, 0.95f, 1.0f]);
        Assert.Equal(0.25, Density.MaxDistance(before, after), 10);
        Assert.Equal(0, Density.MaxDistance(before, before));
        // c(0.05) = sqrt(ln(40) / 2) = 1.3581; for 400 and 400 units, times sqrt(2/400).
        Assert.Equal(1.3581 * Math.Sqrt(2.0 / 400), Density.KsCritical(400, 400), 4);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Density.KsCritical(0, 10)).ParamName);
    }

    [Fact]
    public void Curves_on_different_grids_or_missing_keys_are_refused_with_the_notebook_named()
    {
        var a = Curve("a", [0.6f]);
        var b = Density.Curve("b", [[0.6f]], Density.Grid(0.5, 1.0, 0.05));
        Assert.Throws<ArgumentException>(() => StoredDensityCurves.From([784, 10], 10, 1, (Condition.Init, a), (Condition.Trained, b)));
        var stored = StoredDensityCurves.From([784, 10], 10, 1, (Condition.Init, a));
        var truncated = stored with { Curves = [stored.Curves[0] with { Mean = stored.Curves[0].Mean[..2] }] };
        var error = Assert.Throws<InvalidDataException>(() => truncated.Check("02-ntk-fixed-features"));
        Assert.Contains("rerun notebooks/02-ntk-fixed-features.ipynb", error.Message);
        Assert.Throws<InvalidDataException>(() => stored.Get(Condition.Rich, "02-ntk-fixed-features"));
    }

    [Fact]
    public void The_verdict_figure_refuses_curves_of_different_nets_or_evaluation_sets()
    {
        var a = StoredDensityCurves.From([784, 300, 100, 10], 2000, 1, (Condition.Init, Curve("a", [0.6f])));
        var otherNet = StoredDensityCurves.From([784, 512, 512, 10], 2000, 1, (Condition.Lazy, Curve("b", [0.6f])));
        var otherImages = StoredDensityCurves.From([784, 300, 100, 10], 1000, 1, (Condition.Lazy, Curve("c", [0.6f])));
        Assert.Contains("architectures", Assert.Throws<InvalidDataException>(() => VerdictFigure.Check([a, otherNet])).Message);
        Assert.Contains("evaluation images", Assert.Throws<InvalidDataException>(() => VerdictFigure.Check([a, otherImages])).Message);
        VerdictFigure.Check([a, StoredDensityCurves.From([784, 300, 100, 10], 2000, 1, (Condition.Pruned, Curve("d", [0.95f])))]);
    }
}
