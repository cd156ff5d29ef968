namespace TicketLab.Training;

/// <summary>Waiting for work that runs beside the caller (trainings on other cores) while reporting from the caller's thread.</summary>
public static class SideBySide
{
    /// <summary>
    /// Runs <paramref name="job"/> for each index of <paramref name="order"/>, in that order, at most <paramref name="atOnce"/>
    /// at a time, each on its own thread held at one LibTorch thread (<see cref="IntraOpThreads.Hold"/>), so a job's numbers
    /// do not depend on the machine's core count or on what runs beside it; <paramref name="report"/> is called from the
    /// caller's thread about once a second and at the end (see <see cref="Wait"/>). The threads are dedicated, not the thread
    /// pool's, so every one of them starts at once even when there are more than cores. After a job fails, or the report
    /// throws, no new job starts; the running ones end before anything is rethrown (they may use the caller's tensors), and
    /// then the first failure in time is rethrown as itself.
    /// </summary>
    public static void Run(IReadOnlyList<int> order, int atOnce, Action<int> job, Action? report)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(job);
        if (atOnce < 1) throw new ArgumentOutOfRangeException(nameof(atOnce), atOnce, "accepted: 1 or more jobs at once");
        var next = -1;
        var failed = 0;
        Exception? first = null;
        void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref first, e, null);
            Interlocked.Exchange(ref failed, 1);
        }
        var workers = Enumerable.Range(0, Math.Min(atOnce, order.Count)).Select(_ => Task.Factory.StartNew(() =>
        {
            using var threads = IntraOpThreads.Hold();
            int i;
            while (Volatile.Read(ref failed) == 0 && (i = Interlocked.Increment(ref next)) < order.Count)
            {
                try
                {
                    job(order[i]);
                }
                catch (Exception e)
                {
                    Fail(e);
                    return;
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var all = Task.WhenAll(workers);
        try
        {
            Wait(all, report);
        }
        catch (Exception e)
        {
            // The report failed (a worker's failure is recorded in Fail, not thrown): stop starting jobs, let the running ones end.
            Fail(e);
            all.Wait();
        }
        if (first is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

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
