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

    [Fact]
    public void Training_cells_are_timed_apart_from_the_slowest_other_cell_and_survive_the_file()
    {
        using var temp = TestSetup.Temp();
        NotebookRuns.Record("full", [new("04-c", 600, 500, [new(3, 2), new(13, 460, Training: true), new(17, 68)])], temp.Path);
        var read = NotebookRuns.Read(temp.Path).Notebooks.Single();
        Assert.Equal(new CellTiming(17, 68), read.SlowestCell);
        Assert.Equal(460, read.TrainingSeconds);
        Assert.True(read.Cells.Single(c => c.Cell == 13).Training);
        // The flag is left out of the file when false: files written before it existed read the same.
        Assert.DoesNotContain("\"training\": false", File.ReadAllText(Results.PathOf(NotebookRuns.Name, temp.Path)));
    }

    [Fact]
    public void A_cell_tagged_training_in_the_notebook_is_flagged_when_its_time_is_taken()
    {
        const string notebook = """
            {"cells": [
              {"cell_type": "code", "execution_count": 1, "id": "cell-0", "metadata": {"tags": ["training"], "ticketlab_cell_seconds": 12.5}, "outputs": [], "source": ["var x = 1;"]},
              {"cell_type": "code", "execution_count": 2, "id": "cell-1", "metadata": {"tags": ["parameters"], "ticketlab_cell_seconds": 0.5}, "outputs": [], "source": ["var y = 2;"]},
              {"cell_type": "code", "execution_count": 3, "id": "cell-2", "metadata": {"ticketlab_cell_seconds": 3, "ticketlab_cell_cpu_seconds": 5.5}, "outputs": [], "source": ["x + y"]}
            ],
            "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"}},
            "nbformat": 4, "nbformat_minor": 5}
            """;
        var document = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook.Parse(notebook);
        Assert.Equal([(1, 12.5, 0.0, true), (2, 0.5, 0.0, false), (3, 3.0, 5.5, false)], TicketLab.Cli.Notebooks.NotebookCleaner.TakeCellTimings(document));
        // Both keys are taken out of the cells' metadata: neither reaches the committed notebook.
        Assert.All(document.Elements, e => Assert.False(e.Metadata!.ContainsKey("ticketlab_cell_cpu_seconds")));
    }

    [Fact]
    public void Cores_busy_is_processor_over_wall_seconds_and_left_out_when_not_recorded()
    {
        Assert.Equal(1.83, new CellTiming(3, 30, CpuSeconds: 55).CoresBusy);
        Assert.Null(new CellTiming(3, 30).CoresBusy);
        Assert.Null(new CellTiming(3, 0.4, CpuSeconds: 0.7).CoresBusy);
        // A notebook's: over the cells with a processor time, weighted by their seconds.
        var record = new NotebookRunRecord("x", 50, 100, [new(1, 10, CpuSeconds: 20), new(2, 30, CpuSeconds: 30), new(3, 5)]);
        Assert.Equal(1.25, record.CoresBusy);
        Assert.Null(new NotebookRunRecord("x", 50, 100, [new(1, 10)]).CoresBusy);
    }
}
