namespace TicketLab.Plots;

/// <summary>Named like .NET Interactive's attribute so its formatter discovery finds it by convention.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class whose CreateTypeFormatters() yields the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types a displayed value is rendered in.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
