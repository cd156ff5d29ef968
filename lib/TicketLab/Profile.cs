namespace TicketLab;

/// <summary>How big a run is: "quick" (embedded data, small sizes, minutes for the whole suite; used by CI) or "full" (published outputs).</summary>
public sealed record Profile(string Name)
{
    /// <summary>The environment variable that selects the profile.</summary>
    public const string Variable = "TICKETLAB_PROFILE";

    /// <summary>The quick profile.</summary>
    public static readonly Profile Quick = new("quick");
    /// <summary>The full profile.</summary>
    public static readonly Profile Full = new("full");

    /// <summary>True for the quick profile.</summary>
    public bool IsQuick => Name == Quick.Name;

    /// <summary>The profile named by TICKETLAB_PROFILE; "full" when it is unset.</summary>
    public static Profile Current => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>"quick" or "full" (case-insensitive; null or empty means full).</summary>
    public static Profile Parse(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "full" => Full,
        "quick" => Quick,
        _ => throw new ArgumentOutOfRangeException(Variable, name, "accepted: quick, full"),
    };

    /// <summary>Picks the value for this profile.</summary>
    public T Choose<T>(T quick, T full) => IsQuick ? quick : full;

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
