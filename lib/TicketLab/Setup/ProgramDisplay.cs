using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using Spectre.Console;
using Spectre.Console.Rendering;
using TicketLab.Plots;
using GenericChart = Plotly.NET.GenericChart;
using Figure = TicketLab.Plots.Figure;
using Style = TicketLab.Plots.Style;

namespace TicketLab.Setup;

/// <summary>
/// What a notebook's <c>display(value)</c> does, done on a console for the notebook run as a plain C# program
/// (<c>notebooks/programs/</c>): records and tables as Spectre.Console tables; a <see cref="ProgressLine"/> updated in place on a
/// terminal, or, when the output is redirected, printed when it starts, at most once per interval after that and when it is
/// done; charts and image grids written to files by <see cref="FigureFiles"/>; anything else as text.
/// </summary>
/// <param name="console">Where tables and lines go.</param>
/// <param name="figures">Where charts go.</param>
/// <param name="updateInPlace">True on a terminal that understands ANSI: a progress line is rewritten where it stands.</param>
/// <param name="clock">The clock that spaces out progress lines on redirected output (the system clock by default).</param>
/// <param name="redirectedInterval">The least time between two printed states of one progress line on redirected output (10 s by default).</param>
public sealed class ProgramDisplay(IAnsiConsole console, FigureFiles figures, bool updateInPlace, TimeProvider? clock = null, TimeSpan? redirectedInterval = null)
{
    readonly TimeProvider time = clock ?? TimeProvider.System;
    readonly TimeSpan interval = redirectedInterval ?? TimeSpan.FromSeconds(10);
    /// <summary>The progress output whose line the cursor stands at the end of (in place), or whose states were printed last (redirected).</summary>
    DisplayedOutput? progress;
    DateTimeOffset progressPrintedAt;
    string? unprintedProgress;
    bool toldAboutPng;

    /// <summary>Where charts go.</summary>
    public FigureFiles Figures { get; } = figures;

    /// <summary>Shows <paramref name="value"/>; the returned output can be updated, as a notebook's displayed value can.</summary>
    public DisplayedOutput Show(object? value)
    {
        if (value is DisplayedOutput shown) return shown;
        var output = new DisplayedOutput(this);
        Render(output, value);
        return output;
    }

    /// <summary>Shows the new value of <paramref name="output"/>: a progress line replaces its previous state, anything else is shown again below.</summary>
    internal void Update(DisplayedOutput output, object? value) => Render(output, value);

    /// <summary>Ends an open progress line and prints a progress state not printed yet; called before the program ends.</summary>
    public void Close()
    {
        EndProgress();
    }

    void Render(DisplayedOutput output, object? value)
    {
        if (value is ProgressLine line)
        {
            Progress(output, line);
            return;
        }
        EndProgress();
        switch (value)
        {
            case null:
                console.WriteLine("<null>");
                break;
            case string text:
                console.WriteLine(text);
                break;
            case Figure figure:
                Report(figure.Title, Figures.Write(figure));
                break;
            case GenericChart chart:
                Report("Plotly.NET chart", Figures.Write(new Figure(chart, "Plotly.NET chart", Style.Width, Style.Height)));
                break;
            case ImageGrid grid:
                Report(grid.Caption, Figures.Write(grid));
                break;
            case RecordTable table:
                console.Write(TableOf(table));
                break;
            case IEnumerable items when items.Cast<object?>().ToList() is { Count: > 0 } list && list.All(i => i is not null && IsRecordLike(i.GetType())):
                console.Write(TableOf(Tables.Of(list!)));
                break;
            case var record when IsRecordLike(record.GetType()):
                console.Write(PropertyTable(record));
                break;
            default:
                console.WriteLine(Tables.Format(value));
                break;
        }
    }

    void Progress(DisplayedOutput output, ProgressLine line)
    {
        var text = line.ToString();
        if (updateInPlace)
        {
            // Cut to the console's width: a wrapped line could not be rewritten from its start.
            var fitted = text.Length < console.Profile.Width ? text : text[..Math.Max(0, console.Profile.Width - 2)] + "…";
            if (ReferenceEquals(progress, output)) console.Profile.Out.Writer.Write("\r\u001b[2K" + fitted);
            else
            {
                EndProgress();
                console.Profile.Out.Writer.Write(fitted);
                progress = output;
            }
            console.Profile.Out.Writer.Flush();
            return;
        }
        var now = time.GetUtcNow();
        if (!ReferenceEquals(progress, output))
        {
            EndProgress();
            progress = output;
        }
        else if (line.Fraction is not >= 1 && now - progressPrintedAt < interval)
        {
            unprintedProgress = text;
            return;
        }
        console.WriteLine(text);
        progressPrintedAt = now;
        unprintedProgress = null;
    }

    void EndProgress()
    {
        if (progress is null) return;
        if (updateInPlace) console.Profile.Out.Writer.WriteLine();
        else if (unprintedProgress is not null) console.WriteLine(unprintedProgress);
        progress = null;
        unprintedProgress = null;
    }

    void Report(string title, FigureFile file)
    {
        var root = ProjectPaths.Root;
        console.WriteLine($"Figure {Figures.Count}: {title}");
        console.WriteLine($"  {Path.GetRelativePath(root, file.Html)}" + (file.Png is null ? "" : $"  {Path.GetRelativePath(root, file.Png)}"));
        if (file.Png is null && !toldAboutPng)
        {
            console.WriteLine($"  (no PNG copies in this run: {StaticImages.Status})");
            toldAboutPng = true;
        }
    }

    /// <summary>True for records and anonymous objects: values shown as a table of their properties.</summary>
    static bool IsRecordLike(Type type) =>
        type.GetMethod("<Clone>$") is not null
        || (type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && type.Name.Contains("AnonymousType", StringComparison.Ordinal));

    /// <summary>A <see cref="RecordTable"/> as a console table: a column per property, numbers right-aligned as in the notebook's HTML.</summary>
    public static Table TableOf(RecordTable records)
    {
        var (columns, cells) = records.Grid();
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(new Text(Tables.DisplayName(columns[i])));
            if (cells.Length > 0 && cells.All(row => IsNumber(row[i]))) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in cells) table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        return table;
    }

    /// <summary>One record or anonymous object as a two-column table (property, value) titled by its type, as the notebook shows it.</summary>
    public static Table PropertyTable(object record)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("property").AddColumn("value");
        if (!record.GetType().Name.Contains("AnonymousType", StringComparison.Ordinal)) table.Title = new TableTitle(Tables.DisplayName(record.GetType().Name));
        foreach (var (name, value) in Tables.Rows(record)) table.AddRow(new Text(Tables.DisplayName(name)), new Text(value));
        return table;
    }

    static bool IsNumber(string cell) => cell == Tables.NotAvailable || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}

/// <summary>What <see cref="ProgramDisplay.Show"/> returns: the program's counterpart of a notebook's displayed value.</summary>
public sealed class DisplayedOutput
{
    readonly ProgramDisplay display;

    internal DisplayedOutput(ProgramDisplay display) => this.display = display;

    /// <summary>Replaces what is shown, as <c>DisplayedValue.Update</c> does in a notebook.</summary>
    public void Update(object? value) => display.Update(this, value);
}
