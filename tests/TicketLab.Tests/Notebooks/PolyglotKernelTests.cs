using Xunit.Abstractions;

namespace TicketLab.Tests.Notebooks;

/// <summary>
/// The first notebook through <c>dotnet interactive stdio</c>, the kernel and protocol VS Code's Polyglot Notebooks extension
/// drives (tests/jupyter/run_over_stdio.py): every cell in the quick profile, then a rerun from the hyperparameter cell in
/// the same kernel. CI installs the kernel tool; elsewhere the test says it is missing and passes.
/// </summary>
[Collection("notebooks")]
public class PolyglotKernelTests(ITestOutputHelper output)
{
    [Fact]
    public void The_first_notebook_runs_over_the_kernels_stdio_protocol_and_reruns_from_its_hyperparameter_cell()
    {
        using var temp = TestSetup.Temp();
        if (JupyterClientTests.RunClient("run_over_stdio.py", temp.Path, "The .NET Interactive kernel tool", output) is not { } report) return;
        var notebook = Assert.Single(report["notebooks"]!.AsArray())!;
        Assert.True(notebook["charts"]!.GetValue<int>() > 0, "the notebook showed no chart over stdio");
        Assert.Equal(notebook["rerun"]!["charts_first"]!.GetValue<int>(), notebook["rerun"]!["charts_again"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(temp.Path, "results", "00-the-debate.json")), "the notebook wrote no results file in the quick location");
        output.WriteLine(report.ToJsonString());
    }
}
