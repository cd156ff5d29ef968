namespace TicketLab;

/// <summary>A report of a long run's progress, passed to the caller's callback; how it is shown is the caller's business.</summary>
public interface IProgressReport
{
    /// <summary>What is happening, in one line.</summary>
    string Text { get; }

    /// <summary>Fraction done, 0 to 1.</summary>
    double Fraction { get; }
}
