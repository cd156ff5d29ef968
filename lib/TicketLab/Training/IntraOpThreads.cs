using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>
/// LibTorch's intra-op thread count for small training steps. A step of the baseline MLP (batch 128, about 0.2 GFLOP)
/// runs about twice as fast on one thread as on two: waking a second OpenMP thread for every small product costs more
/// than it saves. The count is per calling thread (OpenMP and MKL keep it per thread), so trainings that run side by
/// side on several threads each hold their own thread at one; the count in force before returns when the scope closes.
/// One thread also makes a training's arithmetic independent of the machine's core count.
/// <para>
/// <c>TICKETLAB_THREADS=N</c> makes small steps run on N threads instead (and <see cref="Setup.Lab.Start"/> sets the
/// notebook's own thread to N): the suite's robustness check reruns everything with another thread count, which changes
/// the last bits of every training and so tests that the quoted numbers hold within their bands, not bit for bit.
/// </para>
/// </summary>
public sealed class IntraOpThreads : IDisposable
{
    /// <summary>Steps estimated below this many floating-point operations (6 x parameters x batch) run on one thread.</summary>
    public const double SmallStepFlops = 0.5e9;

    /// <summary>The environment variable that sets the thread count of small steps (default 1).</summary>
    public const string Variable = "TICKETLAB_THREADS";

    /// <summary>Threads of a small step: 1, or <c>TICKETLAB_THREADS</c> when set.</summary>
    public static int SmallStepThreads => Configured ?? 1;

    /// <summary>The thread count <c>TICKETLAB_THREADS</c> asks for, or null when it is not set.</summary>
    public static int? Configured => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>A <c>TICKETLAB_THREADS</c> value: null when empty, a count from 1 to 256, otherwise an error naming the variable, the value and what is accepted.</summary>
    public static int? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 256
            ? n
            : throw new ArgumentException($"{Variable}='{text}' is not a thread count; accepted: a whole number from 1 to 256 (or leave it unset for one thread per small step).");
    }

    [ThreadStatic] static int depth;
    [ThreadStatic] static int saved;
    readonly int ownerThread = Environment.CurrentManagedThreadId;
    bool disposed;

    IntraOpThreads()
    {
        if (depth++ == 0)
        {
            saved = get_num_threads();
            set_num_threads(SmallStepThreads);
        }
    }

    /// <summary>
    /// A scope that holds every step of the calling thread at <see cref="SmallStepThreads"/> LibTorch threads (one unless
    /// configured), large or small: for trainings that run side by side, one per core.
    /// </summary>
    public static IDisposable Hold() => new IntraOpThreads();

    /// <summary>Whether the calling thread is held at <see cref="SmallStepThreads"/> LibTorch threads by an open scope.</summary>
    public static bool IsSingleThreaded => depth > 0;

    /// <summary>A scope that holds the calling thread's LibTorch ops at <see cref="SmallStepThreads"/> (one unless configured) when a step of <paramref name="parameters"/> parameters at <paramref name="batchSize"/> is small; otherwise a no-op.</summary>
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
