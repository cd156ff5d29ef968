using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>
/// LibTorch's intra-op thread count for small training steps. A step of the baseline MLP (batch 128, about 0.2 GFLOP)
/// runs about twice as fast on one thread as on two: waking a second OpenMP thread for every small product costs more
/// than it saves. The count is per calling thread (OpenMP and MKL keep it per thread), so trainings that run side by
/// side on several threads each hold their own thread at one; the count in force before returns when the scope closes.
/// One thread also makes a training's arithmetic independent of the machine's core count.
/// </summary>
public sealed class IntraOpThreads : IDisposable
{
    /// <summary>Steps estimated below this many floating-point operations (6 x parameters x batch) run on one thread.</summary>
    public const double SmallStepFlops = 0.5e9;

    [ThreadStatic] static int depth;
    [ThreadStatic] static int saved;
    readonly int ownerThread = Environment.CurrentManagedThreadId;
    bool disposed;

    IntraOpThreads()
    {
        if (depth++ == 0)
        {
            saved = get_num_threads();
            set_num_threads(1);
        }
    }

    /// <summary>Whether the calling thread is held at one LibTorch thread by an open scope.</summary>
    public static bool IsSingleThreaded => depth > 0;

    /// <summary>A scope that holds the calling thread's LibTorch ops at one thread when a step of <paramref name="parameters"/> parameters at <paramref name="batchSize"/> is small; otherwise a no-op.</summary>
    public static IDisposable ForStep(long parameters, long batchSize) =>
        6.0 * parameters * batchSize < SmallStepFlops ? new IntraOpThreads() : new Nothing();

    /// <summary>Closes the scope on the thread that opened it (the outermost one restores the earlier count).</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (Environment.CurrentManagedThreadId != ownerThread)
            throw new InvalidOperationException("an IntraOpThreads scope must be closed on the thread that opened it (LibTorch's thread count is per thread).");
        disposed = true;
        if (--depth == 0) set_num_threads(saved);
    }

    sealed class Nothing : IDisposable
    {
        public void Dispose() { }
    }
}
