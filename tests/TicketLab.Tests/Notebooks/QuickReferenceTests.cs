using System.Text.Json.Nodes;

namespace TicketLab.Tests.Notebooks;

public class QuickReferenceTests
{
    public static TheoryData<string> References() => ["00-the-debate", "01-detector-density", "02-ntk-fixed-features", "03-pruning-as-optimization"];

    static JsonNode Load(string notebook) => JsonNode.Parse(File.ReadAllText(Path.Combine(QuickReference.Folder, notebook + ".json")))!;

    [Theory]
    [MemberData(nameof(References))]
    public void Each_source_notebook_has_a_quick_reference_that_agrees_with_itself(string notebook)
    {
        var reference = Load(notebook);
        var checks = QuickReference.Compare(notebook, reference, reference);
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.True(c.Holds && c.Tolerance > 0, c.ToString()));
    }

    [Fact]
    public void A_number_moved_beyond_its_band_fails_and_is_named()
    {
        var reference = Load("00-the-debate");
        var moved = reference.DeepClone();
        moved["baseline_test_accuracy"] = reference["baseline_test_accuracy"]!.GetValue<double>() - 0.1;
        var failed = Assert.Single(QuickReference.Compare("00-the-debate", reference, moved), c => !c.Holds);
        Assert.Contains("baseline_test_accuracy", failed.ToString());
        Assert.Contains("binomial", failed.ToString());

        var density = Load("01-detector-density");
        var shifted = density.DeepClone();
        var first = shifted["headline_classes"]![0]!;
        first["init_density_log2"] = first["init_density_log2"]!.GetValue<double>() - 200;
        Assert.Contains(QuickReference.Compare("01-detector-density", density, shifted), c => !c.Holds && c.Name.EndsWith("init_density_log2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_profile_file_is_not_compared_with_a_quick_reference()
    {
        var full = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, "results", "00-the-debate.json")))!;
        Assert.Throws<ArgumentException>(() => QuickReference.Compare("00-the-debate", Load("00-the-debate"), full));
    }
}
