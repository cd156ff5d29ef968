using TicketLab.Plots;
using TicketLab.Setup;
using TicketLab.Verdict;

namespace TicketLab.Tests.Plots;

public class RecordFormattersTests
{
    [Fact]
    public void Every_public_record_outside_Plots_gets_an_html_and_a_text_table_from_the_kernels_formatter()
    {
        // A stand-in with the signatures of .NET Interactive's Formatter (below).
        var said = RecordFormatters.Register(typeof(FakeFormatter));
        var records = RecordFormatters.Records(typeof(Lab).Assembly);
        Assert.Contains(typeof(LabSession), records);
        Assert.Contains(typeof(ClaimVerdict), records);
        Assert.Contains(typeof(TicketLab.Detectors.DetectorStudyOptions), records);
        Assert.DoesNotContain(typeof(Figure), records);
        Assert.DoesNotContain(typeof(ProgressLine), records);
        Assert.Equal($"{records.Count} record types display as tables; Plotly.NET charts display as figures", said);
        // Two per record, and three for Plotly.NET charts built in a cell (figure JSON, PNG, text).
        Assert.Equal(records.Count * 2 + 3, FakeFormatter.Registered.Count);
        Assert.Equal([Figure.PlotlyMimeType, "image/png", "text/plain"], FakeFormatter.Registered.Where(r => r.Type == typeof(Plotly.NET.GenericChart)).Select(r => r.MimeType));
        Assert.Equal([Figure.PlotlyMimeType, "image/png", "text/plain"], FakeFormatter.Preferred[typeof(Plotly.NET.GenericChart)]);
        var (_, html, _) = Assert.Single(FakeFormatter.Registered, r => r.Type == typeof(ClaimVerdict) && r.MimeType == "text/html");
        using var writer = new StringWriter();
        html(new ClaimVerdict("a claim", "measured 0.5", "holds", "why", "01", "Holds if so.", 0.9, "replicates"), writer);
        Assert.Contains("<th style=\"text-align:left\" scope=\"row\">Rule</th><td style=\"text-align:left\">Holds if so.</td>", writer.ToString());
        Assert.Equal(["text/html", "text/plain"], FakeFormatter.Preferred[typeof(ClaimVerdict)]);
        Assert.Contains("has no Register(Type, Action<object, TextWriter>, string)", RecordFormatters.Register(typeof(object)));
    }

    /// <summary>Records what the library registers, with the signatures of .NET Interactive's own Formatter.</summary>
    static class FakeFormatter
    {
        public static readonly List<(Type Type, Action<object, TextWriter> Format, string MimeType)> Registered = [];
        public static readonly Dictionary<Type, string[]> Preferred = [];

        public static void Register(Type type, Action<object, TextWriter> formatter, string mimeType) => Registered.Add((type, formatter, mimeType));

        public static void SetPreferredMimeTypesFor(Type type, params string[] preferredMimeTypes) => Preferred[type] = preferredMimeTypes;
    }
}
