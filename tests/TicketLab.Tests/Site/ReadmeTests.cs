using TicketLab.Benchmarks;
using TicketLab.Cli.Site;

namespace TicketLab.Tests.Site;

public class ReadmeTests
{
    static readonly string Readme = File.ReadAllText(Path.Combine(ProjectPaths.Root, "README.md"));

    [Fact]
    public void Every_number_section_of_the_readme_matches_the_results_files()
    {
        var sections = ReadmeSections.Read(Readme);
        Assert.Equal(ReadmeSections.Names.Order(), sections.Keys.Order());
        foreach (var (name, body) in sections)
            Assert.True(body == ReadmeSections.Render(name, Path.Combine(ProjectPaths.Notebooks, "results")),
                $"README section '{name}' differs from the results files; run: dotnet run --project lib/TicketLab.Cli -c Release -- readme");
    }

    [Fact]
    public void The_readme_opens_with_the_main_job_and_the_test_command()
    {
        var firstBlock = Readme[Readme.IndexOf("```", StringComparison.Ordinal)..];
        firstBlock = firstBlock[..firstBlock.IndexOf("```", 3, StringComparison.Ordinal)];
        Assert.Contains("dotnet run --project lib/TicketLab.Cli -c Release -- notebooks", firstBlock);
        Assert.Contains("dotnet test TicketLab.slnx -c Release", firstBlock);
    }

    [Fact]
    public void A_stale_section_is_rewritten_and_others_are_left_alone()
    {
        using var temp = TestSetup.Temp();
        var readme = temp["README.md"];
        File.WriteAllText(readme, "# Title\n\n<!-- results:findings -->\nold numbers\n<!-- /results:findings -->\n\nhand-written text\n");
        var changed = ReadmeSections.Update(readme, Path.Combine(ProjectPaths.Notebooks, "results"));
        Assert.Equal(["findings"], changed);
        var text = File.ReadAllText(readme);
        Assert.DoesNotContain("old numbers", text);
        Assert.Contains("hand-written text", text);
        Assert.Contains("[01-detector-density](notebooks/01-detector-density.ipynb)", text);
        Assert.Empty(ReadmeSections.Update(readme, Path.Combine(ProjectPaths.Notebooks, "results")));
    }

    [Fact]
    public void The_benchmark_section_carries_the_scaling_table_of_the_results_file()
    {
        using var temp = TestSetup.Temp();
        var m = new BenchMeasurements(2, 5, StepSeconds: 0.004, Step2Seconds: 0.006, MatmulSeconds: 0.01, SamplerSeconds: 2, SamplerProductsSeconds: 0.5,
            NtkFastSeconds: 0.2, NtkAutogradSeconds: 100, NtkDifference: 1e-6, DenseEpochSeconds: 1, EdgePopupEpochSeconds: 2.5, null, null, "no torch",
            RareEventSeconds: 10, RareEventEvaluations: 200_000, RareEventFlopsPerUnit: 2.0 * 784 * 5000, RareEventReachedLog2: -61,
            Scaling: Scaling.All.Select(c => ScalingResult.Of(c, c.Sizes.Select(n => 2e-6 * n * n).ToArray())).ToList());
        Results.Write(BenchmarkSuite.FileOf(m, null, "no runs"), temp.Path);
        var section = ReadmeSections.Render("benchmarks", temp.Path);
        // NTK: 2e-6 x 250² = 0.125 s ... 2,000² = 8 s; b = 2, predicted 8 x 5² = 200 s at 10,000 inputs.
        Assert.Contains("| 250 / 500 / 1,000 / 2,000 inputs | 0.125 / 0.5 / 2 / 8 | **2.00** (2.00 to 2.00) | 200 s at 10,000 (200 to 200) |", section);
        Assert.Contains("| `trainings_side_by_side` — trainings side by side", section);
        Assert.Contains("seconds(n) ≈ seconds(n_max)·(n / n_max)^b", section);
        // Without the main job's timings the suite's two rows say they were not measured.
        Assert.Contains("| `suite_seconds` (full profile) | not measured (no main-job timings) | ≤ 1200 |", section);

        var without = BenchmarkSuite.FileOf(m with { Scaling = null }, null, "no runs");
        Results.Write(without, temp.Path);
        Assert.EndsWith("Scaling of the main costs: not measured in this run.", ReadmeSections.Render("benchmarks", temp.Path));
    }

    [Fact]
    public void A_missing_results_file_says_what_to_run()
    {
        using var temp = TestSetup.Temp();
        var error = Assert.Throws<FileNotFoundException>(() => ReadmeSections.Render("benchmarks", temp.Path));
        Assert.Contains("-- bench", error.Message);
    }
}
