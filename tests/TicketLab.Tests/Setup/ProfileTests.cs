namespace TicketLab.Tests.Setup;

public class ProfileTests
{
    [Theory]
    [InlineData(null, "full")]
    [InlineData("", "full")]
    [InlineData("Quick", "quick")]
    [InlineData(" full ", "full")]
    public void Parses_the_profile_names(string? input, string expected) => Assert.Equal(expected, Profile.Parse(input).Name);

    [Fact]
    public void An_unknown_profile_names_the_variable_and_the_choices()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Profile.Parse("medium"));
        Assert.Equal("TICKETLAB_PROFILE", e.ParamName);
        Assert.Contains("medium", e.Message);
        Assert.Contains("quick, full", e.Message);
    }

    [Fact]
    public void A_missing_results_file_names_the_notebook_and_the_command()
    {
        using var temp = TestSetup.Temp();
        var error = Assert.Throws<FileNotFoundException>(() => Results.Read<TicketLab.Training.DebateResults>(temp.Path));
        Assert.Contains("rerun notebooks/00-the-debate.ipynb", error.Message);
        Assert.Contains("--only 00", error.Message);
    }
}
