namespace TicketLab.Tests.Setup;

public class ResultsFolderTests
{
    [Fact]
    public void A_quick_run_outside_the_cli_never_writes_into_the_committed_results()
    {
        var quick = ProjectPaths.ResultsFor(null, Profile.Quick);
        Assert.NotEqual(ProjectPaths.CommittedResults, quick);
        Assert.Equal(Path.Combine(ProjectPaths.Cache, "executed", "quick", "results"), quick);
        Assert.Equal(ProjectPaths.CommittedResults, ProjectPaths.ResultsFor(null, Profile.Full));
        Assert.Equal(ProjectPaths.CommittedResults, ProjectPaths.ResultsFor("", Profile.Full));
        Assert.Equal("elsewhere/results", ProjectPaths.ResultsFor("elsewhere/results", Profile.Quick));
    }
}
