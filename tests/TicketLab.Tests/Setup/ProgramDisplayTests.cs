using Spectre.Console;
using TicketLab.Plots;
using TicketLab.Setup;

namespace TicketLab.Tests.Setup;

/// <summary>What display(...) and .Update(...) print in a notebook's program: tables, progress lines, figure files.</summary>
public class ProgramDisplayTests
{
    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    sealed record Sample(string Name, double Quality, int Units);

    static (ProgramDisplay Display, StringWriter Output) Create(string folder, bool inPlace, TimeProvider? clock = null)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = inPlace ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 120;
        return (new ProgramDisplay(console, new FigureFiles(folder), inPlace, clock, TimeSpan.FromSeconds(10)), output);
    }

    [Fact]
    public void Records_and_tables_print_as_console_tables_with_the_notebooks_column_names()
    {
        using var temp = TestSetup.Temp();
        var (display, output) = Create(temp.Path, inPlace: false);
        display.Show(new Sample("Trouser", 0.98765, 12));
        display.Show(Tables.Of([new Sample("Shirt", 0.5, 3), new Sample("Sandal", double.NaN, 40)]));
        display.Show("a finding, as text");
        var text = output.ToString();
        Assert.Contains("Sample", text);
        Assert.Contains("Quality", text);
        Assert.Contains("0.9877", text);
        Assert.Contains("Trouser", text);
        // A table's row of a record per item, NaN as n/a.
        Assert.Contains("Units", text);
        Assert.Contains("Sandal", text);
        Assert.Contains("n/a", text);
        Assert.Contains("a finding, as text", text);
    }

    [Fact]
    public void On_a_terminal_a_progress_line_is_rewritten_in_place_and_closed_by_the_next_output()
    {
        using var temp = TestSetup.Temp();
        var (display, output) = Create(temp.Path, inPlace: true);
        var status = display.Show(new ProgressLine("Training"));
        status.Update(new ProgressLine("epoch 1", 0.5));
        status.Update(new ProgressLine("done", 1));
        display.Show("next");
        Assert.Equal("Training\r\u001b[2K[50 %] epoch 1\r\u001b[2K[100 %] done\nnext\n", output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Redirected_a_progress_line_prints_sparsely_and_always_its_last_state()
    {
        using var temp = TestSetup.Temp();
        var clock = new ManualClock();
        var (display, output) = Create(temp.Path, inPlace: false, clock);
        var status = display.Show(new ProgressLine("start"));
        clock.Now += TimeSpan.FromSeconds(1);
        status.Update(new ProgressLine("step 1", 0.1));   // too soon: held back
        clock.Now += TimeSpan.FromSeconds(11);
        status.Update(new ProgressLine("step 2", 0.2));   // ten seconds on: printed
        clock.Now += TimeSpan.FromSeconds(1);
        status.Update(new ProgressLine("step 3", 0.3));   // held back, then printed before the next output
        display.Show("next");
        var other = display.Show(new ProgressLine("other"));
        other.Update(new ProgressLine("finished", 1));    // done: printed at once
        display.Close();
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(["start", "[20 %] step 2", "[30 %] step 3", "next", "other", "[100 %] finished"], lines);
    }

    [Fact]
    public void An_image_grid_becomes_a_png_and_a_page_numbered_in_order()
    {
        using var temp = TestSetup.Temp();
        var (display, output) = Create(temp["figures"], inPlace: false);
        var grid = new ImageGrid("four pixels", [137, 80, 78, 71], 2, 2);
        display.Show(grid);
        display.Show(grid);
        Assert.Equal(2, display.Figures.Count);
        Assert.Equal(grid.Png, File.ReadAllBytes(temp[Path.Combine("figures", "figure-02.png")]));
        Assert.Contains("four pixels", File.ReadAllText(temp[Path.Combine("figures", "figure-01.html")]));
        Assert.Contains("Figure 2: four pixels", output.ToString());
        Assert.Contains("figure-02.html", output.ToString());
        // A new run starts from figure 1 again, without the old files.
        display.Figures.Clear();
        Assert.Empty(Directory.GetFiles(temp["figures"]));
    }
}
