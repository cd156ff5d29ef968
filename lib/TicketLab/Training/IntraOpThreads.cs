using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>
/// LibTorch's intra-op thread count for small training steps. A step of the baseline MLP (batch 128, about 0.2 GFLOP)
/// runs about twice as fast on one thread as on two: waking a second OpenMP thread for every small product costs more
/// than it saves. While any scope is open LibTorch uses one thread; the count in force before the first scope returns
/// when the last one closes (scopes may overlap across threads, e.g. IMP trainings run side by side).
/// One thread also makes a training's arithmetic independent of the machine's core count.
/// </summary>
public sealed class IntraOpThreads : IDisposable
{
    /// <summary>Steps estimated below this many floating-point operations (6 x parameters x batch) run on one thread.</summary>
    public const double SmallStepFlops = 0.5e9;

    static readonly Lock Gate = new();
    static int open;
    static int saved;
    bool disposed;

    IntraOpThreads()
    {
        lock (Gate)
        {
            if (open++ == 0)
            {
                saved = get_num_threads();
                set_num_threads(1);
            }
        }
    }

    /// <summary>Whether LibTorch is currently held at one thread by an open scope.</summary>
    public static bool IsSingleThreaded
    {
        get
        {
            lock (Gate) return open > 0;
        }
    }

    /// <summary>A scope that holds LibTorch at one thread when a step of <paramref name="parameters"/> parameters at <paramref name="batchSize"/> is small; otherwise a no-op.</summary>
    public static IDisposable ForStep(long parameters, long batchSize) =>
        6.0 * parameters * batchSize < SmallStepFlops ? new IntraOpThreads() : new Nothing();

    /// <summary>Closes the scope (the last one restores the earlier thread count).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        lock (Gate)
        {
            if (--open == 0) set_num_threads(saved);
        }
    }

    sealed class Nothing : IDisposable
    {
        public void Dispose() { }
    }
}
