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
    public void A_missing_results_file_says_what_to_run()
    {
        using var temp = TestSetup.Temp();
        var error = Assert.Throws<FileNotFoundException>(() => ReadmeSections.Render("benchmarks", temp.Path));
        Assert.Contains("-- bench", error.Message);
    }
}
