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

    /// <summary>
    /// The colour of the <paramref name="index"/>-th quantity of a chart (a class, a concept): Paul Tol's "muted"
    /// qualitative scheme, colour-blind safe and apart from the conditions' colours, so that a class never borrows a
    /// condition's colour. Repeats after twelve.
    /// </summary>
    public static string Quantity(int index) => QuantityPalette[((index % QuantityPalette.Length) + QuantityPalette.Length) % QuantityPalette.Length];

    static readonly string[] QuantityPalette = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#661100", "#6699CC", "#888888"];

    /// <summary>
    /// Shades of one condition's colour for the layers of one net (input layer darkest), so that a per-layer chart of a
    /// lazy net stays in the lazy colour instead of borrowing other conditions' colours.
    /// </summary>
    public static string Layer(Condition condition, int layer, int layers)
    {
        if (layers < 1 || layer < 0 || layer >= layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"accepted: 0 to {layers - 1}");
        var hex = Color(condition);
        var (r, g, b) = (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));
        // From 45% of the colour (darker) to the colour itself.
        var t = layers == 1 ? 1.0 : 0.45 + 0.55 * layer / (layers - 1);
        return $"#{(int)Math.Round(r * t):X2}{(int)Math.Round(g * t):X2}{(int)Math.Round(b * t):X2}";
    }
}
