using System.Reflection;

namespace TicketLab.Plots;

/// <summary>
/// Shows the library's result and options records as <see cref="Tables"/> tables in a .NET Interactive kernel. The records
/// themselves know nothing of display: <see cref="Setup.Lab.Start"/> registers these formatters from the top, through the
/// kernel's own <c>Formatter</c> found by reflection, so the library needs no kernel reference.
/// </summary>
public static class RecordFormatters
{
    const string FormatterType = "Microsoft.DotNet.Interactive.Formatting.Formatter";

    /// <summary>The public records of the library that display as a two-column table: every public record outside Plots.</summary>
    public static IReadOnlyList<Type> Records(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
                && t.Namespace != typeof(RecordFormatters).Namespace
                && t.GetMethod("<Clone>$") is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Registers an HTML and a plain-text table formatter for every record of the library with <paramref name="formatter"/>
    /// (by default the loaded kernel's <c>Formatter</c>); says what it did.
    /// </summary>
    public static string Register(Type? formatter = null)
    {
        formatter ??= AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(FormatterType)).FirstOrDefault(t => t is not null);
        if (formatter is null) return "no .NET Interactive kernel loaded: records print as plain text (as console tables in a notebook's program)";
        var register = formatter.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        var preferred = formatter.GetMethod("SetPreferredMimeTypesFor", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(string[])]);
        if (register is null) return $"the kernel's {FormatterType} has no Register(Type, Action<object, TextWriter>, string): records show in the kernel's default format";
        var records = Records(typeof(RecordFormatters).Assembly);
        Action<object, TextWriter> html = (o, w) => w.Write(Tables.Html(o));
        Action<object, TextWriter> text = (o, w) => w.Write(Tables.Text(o));
        foreach (var type in records)
        {
            register.Invoke(null, [type, html, "text/html"]);
            register.Invoke(null, [type, text, "text/plain"]);
            preferred?.Invoke(null, [type, new[] { "text/html", "text/plain" }]);
        }
        // A Plotly.NET chart built in a cell (a GenericChart, as Plotly.NET.Interactive users make them) shows as the suite's
        // charts do: the figure JSON, drawn offline by the notebook's Plotly renderer, and a static PNG for static viewers.
        Action<object, TextWriter> figureJson = (o, w) => w.Write(Plotly.NET.GenericChart.toFigureJson((Plotly.NET.GenericChart)o));
        Action<object, TextWriter> figurePng = (o, w) => w.Write(StaticImages.TryRenderPng((Plotly.NET.GenericChart)o, Style.Width, Style.Height) ?? "");
        Action<object, TextWriter> figureText = (o, w) => w.Write($"Plotly.NET chart ({StaticImages.Status})");
        register.Invoke(null, [typeof(Plotly.NET.GenericChart), figureJson, Figure.PlotlyMimeType]);
        register.Invoke(null, [typeof(Plotly.NET.GenericChart), figurePng, "image/png"]);
        register.Invoke(null, [typeof(Plotly.NET.GenericChart), figureText, "text/plain"]);
        preferred?.Invoke(null, [typeof(Plotly.NET.GenericChart), new[] { Figure.PlotlyMimeType, "image/png", "text/plain" }]);
        return $"{records.Count} record types display as tables; Plotly.NET charts display as figures";
    }
}
