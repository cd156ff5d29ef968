namespace TicketLab.Training;

/// <summary>Waiting for work that runs beside the caller (trainings on other cores) while reporting from the caller's thread.</summary>
public static class SideBySide
{
    /// <summary>
    /// Blocks until <paramref name="work"/> ends, calling <paramref name="report"/> about once a second and once at the end
    /// from this thread (a notebook's display belongs to the cell's thread). A failure is rethrown as itself (e.g. a
    /// diverged training that names its step), not wrapped in an AggregateException.
    /// </summary>
    public static void Wait(Task work, Action? report)
    {
        try
        {
            while (!work.Wait(TimeSpan.FromSeconds(1))) report?.Invoke();
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
        report?.Invoke();
    }
}
