namespace TicketLab;

/// <summary>The conditions every notebook compares; each has one color across the whole suite.</summary>
public enum Condition
{
    /// <summary>A net at initialization.</summary>
    Init,
    /// <summary>A net after standard training.</summary>
    Trained,
    /// <summary>After lazy (NTK-regime) training.</summary>
    Lazy,
    /// <summary>After rich (mean-field / μP) training.</summary>
    Rich,
    /// <summary>A random net after pruning.</summary>
    Pruned,
    /// <summary>A random mask or random re-initialization (a control).</summary>
    Control,
    /// <summary>A theoretical or infinite-width reference.</summary>
    Theory,
}
