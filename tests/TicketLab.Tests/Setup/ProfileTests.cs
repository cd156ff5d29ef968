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
    public void Results_round_trip_and_a_missing_file_names_the_notebook()
    {
        Assert.Contains("run notebooks/99-nothing.ipynb first", Assert.Throws<FileNotFoundException>(() => Results.Read("99-nothing")).Message);
    }
}
