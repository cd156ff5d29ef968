using TicketLab.Benchmarks;

namespace TicketLab.Tests;

public class NotebookRunsTests
{
    [Fact]
    public void A_partial_run_keeps_the_other_notebooks_records_and_a_new_profile_starts_over()
    {
        using var temp = TestSetup.Temp();
        NotebookRuns.Record("full", [new("00-a", 10, 500, [new(3, 2), new(5, 7)]), new("01-b", 20, 600, [])], temp.Path);
        var merged = NotebookRuns.Record("full", [new("01-b", 30, 700, [new(4, 25)])], temp.Path);
        Assert.Equal(["00-a", "01-b"], merged.Notebooks.Select(n => n.Notebook));
        Assert.Equal(40, merged.TotalSeconds);
        Assert.Equal(new CellTiming(5, 7), merged.Notebooks[0].SlowestCell);
        var quick = NotebookRuns.Record("quick", [new("01-b", 3, 400, [])], temp.Path);
        Assert.Single(quick.Notebooks);
        Assert.Contains("cores", quick.Machine);
    }
}
