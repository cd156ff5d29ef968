using System.Text.Json.Nodes;
using TicketLab.Cli.Notebooks;

namespace TicketLab.Tests.Notebooks;

public class ParameterOverridesTests
{
    static string Notebook(string parameters, bool tagged = true) => new JsonObject
    {
        ["cells"] = new JsonArray(
            new JsonObject { ["cell_type"] = "markdown", ["id"] = "cell-0", ["metadata"] = new JsonObject(), ["source"] = new JsonArray("# A notebook") },
            new JsonObject
            {
                ["cell_type"] = "code", ["id"] = "cell-1", ["outputs"] = new JsonArray(), ["source"] = new JsonArray(parameters),
                ["metadata"] = tagged ? new JsonObject { ["tags"] = new JsonArray("parameters") } : new JsonObject(),
            },
            new JsonObject { ["cell_type"] = "code", ["id"] = "cell-2", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = new JsonArray("hp.Widths") }),
        ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 5,
    }.ToJsonString();

    const string Options = "var hp = new NtkStudyOptions(\n    Widths: lab.Profile.Choose(new[] { 64 }, new[] { 64, 128 }),\n    Steps: 100);\nhp";

    [Fact]
    public void An_override_is_injected_after_the_parameters_cell_and_rebinds_its_record()
    {
        var injected = JsonNode.Parse(ParameterOverrides.Inject(Notebook(Options), "n.ipynb", [ParameterOverrides.Parse("Widths=new[] { 64, 128, 256 }"), ParameterOverrides.Parse("Steps=30")]))!;
        var cells = injected["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        Assert.Equal("injected-parameters", cells[2]!["metadata"]!["tags"]![0]!.GetValue<string>());
        var code = string.Concat(cells[2]!["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains("hp = hp with { Widths = new[] { 64, 128, 256 } };", code);
        Assert.Contains("hp = hp with { Steps = 30 };", code);
        Assert.DoesNotContain("Validate", code);
        var validated = JsonNode.Parse(ParameterOverrides.Inject(Notebook(Options.Replace("Steps: 100);", "Steps: 100).Validate();")), "n.ipynb", [new("Steps", "30")]))!;
        Assert.Contains("hp = hp.Validate();", string.Concat(validated["cells"]![2]!["source"]!.AsArray().Select(l => l!.GetValue<string>())));
        Assert.Equal("hp.Widths", cells[3]!["source"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_dotted_name_reaches_a_nested_record_and_the_options_variable_is_found()
    {
        Assert.Equal("config = config with { Training = config.Training with { LearningRate = 3e-4 } };",
            ParameterOverrides.Cell("config", [ParameterOverrides.Parse("Training.LearningRate=3e-4")]).Split('\n')[1]);
        Assert.Equal("study", ParameterOverrides.Variable("var config = lab.Baseline();\nvar study = new DetectorStudyOptions(\n    HalfPerClass: 50);"));
        Assert.Equal("config", ParameterOverrides.Variable("var config = lab.Baseline();\nconfig = config with { InitSeed = 0 };"));
        Assert.Equal(["Net", "InitSeed"], ParameterOverrides.Names("config = config with\n{\n    Net = config.Net with { Widths = [784, 10] },\n    InitSeed = 0,\n};"));
        Assert.Equal(["Density", "Seed"], ParameterOverrides.Names("var study = new DetectorStudyOptions(\n    Density: new RobustDensityOptions(RareEvent: new RareEventOptions(SamplesPerLevel: 3)),\n    Seed: 1);"));
    }

    [Fact]
    public void Bad_overrides_are_refused_by_name()
    {
        var unknown = Assert.Throws<ArgumentException>(() => ParameterOverrides.Inject(Notebook(Options), "n.ipynb", [ParameterOverrides.Parse("Widht=3")]));
        Assert.Contains("sets no 'Widht'", unknown.Message);
        Assert.Contains("Widths, Steps", unknown.Message);
        Assert.Contains("no cell tagged 'parameters'", Assert.Throws<InvalidDataException>(() => ParameterOverrides.Inject(Notebook(Options, tagged: false), "n.ipynb", [new("Steps", "3")])).Message);
        Assert.Contains("is not Name=expression", Assert.Throws<ArgumentException>(() => ParameterOverrides.Parse("Widths")).Message);
        Assert.Contains("is not a parameter name", Assert.Throws<ArgumentException>(() => ParameterOverrides.Parse("1x=2")).Message);
    }

    [Fact]
    public void A_json_file_of_overrides_becomes_csharp_literals()
    {
        using var temp = TestSetup.Temp();
        var file = temp["overrides.json"];
        File.WriteAllText(file, """{"Widths": [64, 128], "LearningRate": 0.5, "Alphas": [1, 2.5], "Grid": [1.0, 8.0], "Name": "\"x\"", "Flag": true}""");
        var overrides = ParameterOverrides.FromFile(file).ToDictionary(o => o.Key, o => o.Value);
        Assert.Equal("[64, 128]", overrides["Widths"]);
        Assert.Equal("0.5", overrides["LearningRate"]);
        Assert.Equal("[1, 2.5]", overrides["Alphas"]);
        Assert.Equal("\"x\"", overrides["Name"]);
        Assert.Equal("true", overrides["Flag"]);
        Assert.Equal("[1.0, 8.0]", overrides["Grid"]);
        File.WriteAllText(file, """{"Widths": {"a": 1}}""");
        Assert.Contains("neither a C# expression", Assert.Throws<InvalidDataException>(() => ParameterOverrides.FromFile(file)).Message);
        Assert.Throws<FileNotFoundException>(() => ParameterOverrides.FromFile(temp["missing.json"]));
    }

    [Fact]
    public void Tags_are_carried_over_to_the_executed_copy()
    {
        var source = Notebook(Options);
        var executed = JsonNode.Parse(source)!;
        foreach (var cell in executed["cells"]!.AsArray()) cell!["metadata"] = new JsonObject();
        var restored = JsonNode.Parse(ParameterOverrides.RestoreTags(source, executed.ToJsonString(), injected: false))!;
        Assert.Equal("parameters", restored["cells"]![1]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Null(restored["cells"]![2]!["metadata"]!["tags"]);
        Assert.Throws<InvalidDataException>(() => ParameterOverrides.RestoreTags(source, executed.ToJsonString(), injected: true));
    }

    [Theory]
    [InlineData("00-the-debate.ipynb")]
    [InlineData("01-detector-density.ipynb")]
    [InlineData("02-ntk-fixed-features.ipynb")]
    [InlineData("03-pruning-as-optimization.ipynb")]
    public void Every_experiment_has_a_parameters_cell_that_only_sets_parameters(string notebook)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, notebook)))!;
        var cell = Assert.Single(json["cells"]!.AsArray(), c => c!["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t!.GetValue<string>() == "parameters"))!;
        var source = string.Concat(cell["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        var variable = ParameterOverrides.Variable(source);
        // Nothing in the cell computes from the options after they are set, or an override injected after it would come too late.
        Assert.DoesNotMatch(@"Datasets\.Load|TensorData|Train\(", source);
        Assert.NotEmpty(ParameterOverrides.Names(source));
        Assert.EndsWith(variable, source.TrimEnd());
        // The injected copy is a valid notebook with one more cell.
        var names = ParameterOverrides.Names(source);
        var injected = JsonNode.Parse(ParameterOverrides.Inject(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, notebook)), notebook, [new(names[0], "default!")]))!;
        Assert.Equal(json["cells"]!.AsArray().Count + 1, injected["cells"]!.AsArray().Count);
    }
}
