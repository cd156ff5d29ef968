using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// A chart as the suite shows it. In a notebook it displays as the interactive Plotly chart (text/html); its
/// formatter is found by .NET Interactive's naming convention, so the library needs no kernel reference.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class Figure(GenericChart chart, string title)
{
    /// <summary>The Plotly.NET chart.</summary>
    public GenericChart Chart { get; } = chart;

    /// <summary>The chart's title (also used in file names).</summary>
    public string Title { get; } = title;

    /// <summary>The figure as Plotly JSON ({"data": [...], "layout": {...}}).</summary>
    public string ToJson() => GenericChart.toFigureJson(Chart);

    /// <summary>The HTML fragment a notebook shows.</summary>
    public string ToHtml() => GenericChart.toChartHTML(Chart);

    /// <summary>The title, for text outputs.</summary>
    public override string ToString() => $"Figure: {Title}";
}

/// <summary>Named like .NET Interactive's attribute so its formatter discovery finds it by convention.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class whose CreateTypeFormatters() yields the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types a displayed value is rendered in.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>Formatters for <see cref="Figure"/>, by .NET Interactive's convention (CreateTypeFormatters, MimeType, Format).</summary>
public sealed class FigureFormatterSource
{
    /// <summary>The formatters, one per MIME type.</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new FigureFormatter("text/html", f => f.ToHtml());
        yield return new FigureFormatter("text/plain", f => f.ToString());
    }
}

/// <summary>One convention-based formatter of <see cref="Figure"/>.</summary>
public sealed class FigureFormatter(string mimeType, Func<Figure, string> render)
{
    /// <summary>The MIME type it writes.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>The type it formats.</summary>
    public Type Type => typeof(Figure);

    /// <summary>Writes <paramref name="instance"/> if it is a <see cref="Figure"/>.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Figure figure) return false;
        writer.Write(render(figure));
        return true;
    }
}
