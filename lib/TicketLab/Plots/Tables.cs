using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace TicketLab.Plots;

/// <summary>Renders a result record as a two-column table (property, value): the suite's look for records in notebooks.</summary>
public static class Tables
{
    /// <summary>Shows <paramref name="rows"/> as one table with a column per property.</summary>
    public static RecordTable Of<T>(IEnumerable<T> rows) => new(rows.Cast<object>().ToList());

    /// <summary>An HTML table of the public properties of <paramref name="record"/>.</summary>
    public static string Html(object record)
    {
        var html = new StringBuilder($"<table><caption style=\"text-align:left\"><b>{WebUtility.HtmlEncode(DisplayName(record.GetType().Name))}</b></caption><tbody>");
        foreach (var (name, value) in Rows(record))
            html.Append($"<tr><th style=\"text-align:left\" scope=\"row\">{WebUtility.HtmlEncode(DisplayName(name))}</th>{Cell(value)}</tr>");
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>
    /// A column's name for readers: "UnitsAtLeast0_95" reads "Units at least 0.95", "EdgePopupMinusRandomFeatures" reads
    /// "Edge popup minus random features" (words split at capitals, later words in lower case unless all capitals, and an
    /// underscore between digits read as a decimal point).
    /// </summary>
    public static string DisplayName(string name)
    {
        var spaced = System.Text.RegularExpressions.Regex.Replace(name, @"(?<=\d)_(?=\d)", ".");
        spaced = System.Text.RegularExpressions.Regex.Replace(spaced, @"(?<=[a-z])(?=[A-Z0-9])|(?<=[0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ").Replace('_', ' ');
        var words = spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var text = string.Join(' ', words.Select((w, i) => Acronyms.TryGetValue(w, out var a) ? a
            : i == 0 || w.All(c => !char.IsLetter(c) || char.IsUpper(c)) && w.Length > 1 ? w : w.ToLowerInvariant()));
        return System.Text.RegularExpressions.Regex.Replace(text, @"\b([Ll]og) 2\b", "$1₂");
    }

    /// <summary>Words that are acronyms in the suite's vocabulary, as they are written.</summary>
    static readonly Dictionary<string, string> Acronyms = new(StringComparer.Ordinal)
    {
        ["Ntk"] = "NTK", ["Nngp"] = "NNGP", ["Ks"] = "KS", ["Auc"] = "AUC", ["Imp"] = "IMP", ["Mb"] = "MB", ["Rmse"] = "RMSE", ["Se"] = "SE", ["Mc"] = "MC", ["Lth"] = "LTH",
    };

    /// <summary>
    /// One value as an HTML cell: numbers right-aligned in tabular figures, "n/a" (not applicable or not measured for
    /// this row) in place of NaN, and powers such as 2^-43 written as superscripts.
    /// </summary>
    public static string Cell(string value)
    {
        var encoded = WebUtility.HtmlEncode(value);
        if (value == NotAvailable) return "<td style=\"text-align:right;color:#888\" title=\"not applicable or not measured for this row\">n/a</td>";
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return $"<td style=\"text-align:right;font-variant-numeric:tabular-nums\">{encoded}</td>";
        encoded = System.Text.RegularExpressions.Regex.Replace(encoded, @"(?<=\d)\^\{?([-−]?\d+(?:[.,]\d+)*)\}?", "<sup>$1</sup>");
        return $"<td style=\"text-align:left\">{encoded}</td>";
    }

    /// <summary>What a table shows for NaN.</summary>
    public const string NotAvailable = "n/a";

    /// <summary>The same table as aligned plain text.</summary>
    public static string Text(object record)
    {
        var rows = Rows(record).ToList();
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length);
        return record.GetType().Name + Environment.NewLine + string.Join(Environment.NewLine, rows.Select(r => $"  {r.Name.PadRight(width)}  {r.Value}"));
    }

    /// <summary>Property names and formatted values (numbers with four significant digits after the point).</summary>
    public static IEnumerable<(string Name, string Value)> Rows(object record) =>
        record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => (p.Name, Format(p.GetValue(record))));

    /// <summary>Longer lists show their first items and their length.</summary>
    const int ListItemsShown = 12;

    static string List(IReadOnlyList<object?> items) =>
        "[" + string.Join(", ", items.Take(ListItemsShown).Select(Format)) + (items.Count > ListItemsShown ? $", … ({items.Count} items)" : "") + "]";

    /// <summary>One value as text.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => NotAvailable,
        double d when double.IsFinite(d) && d != 0 && Math.Abs(d) < 1e-3 => d.ToString("0.###e0", CultureInfo.InvariantCulture),
        double d => d.ToString(Math.Abs(d) >= 1000 || d == Math.Floor(d) ? "0.##" : "0.####", CultureInfo.InvariantCulture),
        float f => Format((double)f),
        string s => s,
        System.Collections.IEnumerable items => List(items.Cast<object?>().ToList()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>One convention-based formatter: a MIME type and a function that renders an instance.</summary>
public sealed class TableFormatter(string mimeType, Func<object, string> render)
{
    /// <summary>The MIME type it writes.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>Writes <paramref name="instance"/> as a table.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        writer.Write(render(instance));
        return true;
    }
}

/// <summary>Rows shown as one table: a header of property names, a row per item (records or anonymous objects).</summary>
[TypeFormatterSource(typeof(RecordTableFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed class RecordTable(IReadOnlyList<object> rows)
{
    /// <summary>The rows.</summary>
    public IReadOnlyList<object> Rows { get; } = rows;

    /// <summary>Column names and each row's formatted cells.</summary>
    public (string[] Columns, string[][] Cells) Grid()
    {
        if (Rows.Count == 0) return ([], []);
        var columns = Tables.Rows(Rows[0]).Select(r => r.Name).ToArray();
        return (columns, Rows.Select(r => Tables.Rows(r).Select(c => c.Value).ToArray()).ToArray());
    }

    /// <summary>As an HTML table.</summary>
    public string ToHtml()
    {
        var (columns, cells) = Grid();
        var html = new StringBuilder("<table><thead><tr>");
        // Numeric columns are right-aligned, their headers too.
        var numeric = columns.Select((column, i) => cells.Length > 0 && cells.All(r => r[i] == Tables.NotAvailable || double.TryParse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))).ToArray();
        for (var i = 0; i < columns.Length; i++)
            html.Append($"<th style=\"text-align:{(numeric[i] ? "right" : "left")}\">{WebUtility.HtmlEncode(Tables.DisplayName(columns[i]))}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in cells)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append(Tables.Cell(cell));
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>As aligned plain text.</summary>
    public override string ToString()
    {
        var (columns, cells) = Grid();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IEnumerable<string> values) => string.Join("  ", values.Select((v, i) => v.PadRight(widths[i]))).TrimEnd();
        return string.Join(Environment.NewLine, new[] { Line(columns) }.Concat(cells.Select(Line)));
    }
}

/// <summary>Formatters of <see cref="RecordTable"/>.</summary>
public sealed class RecordTableFormatterSource
{
    /// <summary>HTML and plain text.</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new TableFormatter("text/html", o => ((RecordTable)o).ToHtml());
        yield return new TableFormatter("text/plain", o => o.ToString() ?? "");
    }
}
