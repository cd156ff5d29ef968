namespace TicketLab.Plots;

/// <summary>
/// One line of progress that a notebook displays and then updates in place. Its HTML carries a
/// <c>data-ticketlab-progress</c> marker so that the main job keeps only the final state in the saved
/// notebook (a headless run records every update as a separate output).
/// </summary>
/// <param name="Text">What is happening.</param>
/// <param name="Fraction">Fraction done (0 to 1), or null when unknown.</param>
[TypeFormatterSource(typeof(ProgressLineFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed record ProgressLine(string Text, double? Fraction = null)
{
    /// <summary>A report of a library run (training, sampling) as a line.</summary>
    public static ProgressLine Of(IProgressReport report) => new(report.Text, report.Fraction);

    /// <summary>The marker attribute the main job looks for.</summary>
    public const string Marker = "data-ticketlab-progress";

    /// <summary>The line as HTML: a progress bar (when the fraction is known) and the text.</summary>
    public string ToHtml() =>
        $"<div {Marker}=\"1\" style=\"font-family:monospace\">"
        + (Fraction is { } f ? $"<progress max=\"1\" value=\"{Math.Clamp(f, 0, 1).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}\"></progress> " : "")
        + System.Net.WebUtility.HtmlEncode(Text) + "</div>";

    /// <summary>The text, with the percentage when known.</summary>
    public override string ToString() => Fraction is { } f ? $"[{f:P0}] {Text}" : Text;
}

/// <summary>Formatters for <see cref="ProgressLine"/> (found by .NET Interactive's naming convention).</summary>
public sealed class ProgressLineFormatterSource
{
    /// <summary>HTML and plain text.</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new TableFormatter("text/html", o => ((ProgressLine)o).ToHtml());
        yield return new TableFormatter("text/plain", o => o.ToString() ?? "");
    }
}
