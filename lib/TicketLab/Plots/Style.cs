namespace TicketLab.Plots;

/// <summary>The suite's one plot style: colors per condition, fonts, sizes.</summary>
public static class Style
{
    /// <summary>Chart width in pixels.</summary>
    public const int Width = 760;
    /// <summary>Chart height in pixels.</summary>
    public const int Height = 440;
    /// <summary>Font family of every chart.</summary>
    public const string FontFamily = "Arial, sans-serif";

    /// <summary>The color of <paramref name="condition"/> (a colorblind-safe palette, Okabe &amp; Ito 2008).</summary>
    public static string Color(Condition condition) => condition switch
    {
        Condition.Init => "#999999",
        Condition.Trained => "#0072B2",
        Condition.Lazy => "#56B4E9",
        Condition.Rich => "#D55E00",
        Condition.Pruned => "#009E73",
        Condition.Control => "#CC79A7",
        _ => "#000000",
    };

    /// <summary>A second color for a second series of the same condition (e.g. test vs train).</summary>
    public static string Secondary(Condition condition) => condition switch
    {
        Condition.Trained => "#E69F00",
        _ => "#F0E442",
    };
}
