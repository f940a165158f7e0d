using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace FineTuneGuard.Losses;

/// <summary>
/// A slice of rows a loss kernel processes on one thread; rows are independent of each other. <see cref="Run"/> must
/// not throw (the kernels validate their arguments before they split).
/// </summary>
internal interface IRowJob
{
    /// <summary>Processes rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Fans the rows of a loss out over the cores without allocating: small problems run inline on the caller's thread;
/// large ones are cut into chunks that the caller and up to MaxDegreeOfParallelism − 1 thread-pool helpers claim
/// with an interlocked counter (<see cref="ForkJoin{TJob}"/>, one session reused per calling thread). Results never
/// depend on the thread count: every row is computed alone and the caller reduces per-row values in row order.
/// </summary>
internal static class RowParallel
{
    /// <summary>
    /// Below this many logits (≈ 1 MB) a fork/join costs more than it saves; a 512 x 32000 batch is 16 million.
    /// </summary>
    public const long MinElementsToSplit = 1L << 18;

    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Cores the loss kernels may use (default <see cref="Environment.ProcessorCount"/>; 1 = inline).</summary>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegreeOfParallelism;
        set => s_maxDegreeOfParallelism = value < 1 ? 1 : value;
    }

    /// <summary>True when <paramref name="rows"/> x <paramref name="columns"/> is worth splitting.</summary>
    public static bool ShouldSplit(int rows, int columns)
        => MaxDegreeOfParallelism > 1 && rows > 1 && (long)rows * columns >= MinElementsToSplit;

    /// <summary>Runs <paramref name="job"/> over rows [0, <paramref name="rows"/>), split when it pays.</summary>
    public static void For<TJob>(TJob job, int rows, int columns)
        where TJob : struct, IRowJob
    {
        if (!ShouldSplit(rows, columns))
        {
            job.Run(0, rows);
            return;
        }

        // A few chunks per core so that a core that drew cheap (ignored) rows helps with the rest.
        int degree = Math.Min(MaxDegreeOfParallelism, rows);
        ForkJoin<TJob>.Run(job, rows, Math.Min(rows, degree * 4), degree - 1);
    }
}

/// <summary>
/// An allocation-free fork/join for one row job, one session per calling thread and job type. A call publishes the job
/// in its session, opens it, makes sure <c>helpers</c> references to the session are queued on the thread pool, claims
/// chunks itself and waits until every chunk is done — never for the helpers themselves, so a busy pool cannot stall
/// it. Then it closes the session. A helper that starts late finds the session closed (it leaves) or open for a later
/// job (it helps with that one), and a helper still queued from an earlier call counts as one of the next call's
/// helpers, so a saturated pool never makes the queue or the sessions grow. Before the caller republishes, it waits for
/// the helpers inside the session to leave (they are between their last claim attempt and the exit by then), so no
/// helper ever mixes two jobs. Steady state allocates nothing: no closure, delegate, task or work item per call.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A session is reused for the lifetime of its calling thread; its event is never disposed on purpose.")]
internal sealed class ForkJoin<TJob> : IThreadPoolWorkItem
    where TJob : struct, IRowJob
{
    [ThreadStatic]
    private static ForkJoin<TJob>? t_session;

    private readonly ManualResetEventSlim _done = new(initialState: false);
    private TJob _job;
    private int _rows;
    private int _chunks;
    private int _nextChunk;
    private int _pending;

    // 1 while a job is published and may be helped with. Written with full fences (Interlocked), read after one.
    private int _open;

    // Helpers between their entry and their exit (the caller drains them before it republishes).
    private int _inside;

    // References to this session queued on the thread pool that have not started yet.
    private int _queued;

    // True while the owning thread runs a call (a nested call on the same thread runs inline).
    private bool _busy;

    /// <summary>Runs rows [0, rows) of <paramref name="job"/> in <paramref name="chunks"/> chunks over the caller and <paramref name="helpers"/> pool threads.</summary>
    public static void Run(TJob job, int rows, int chunks, int helpers)
    {
        ForkJoin<TJob> session = t_session ??= new ForkJoin<TJob>();
        if (session._busy)
        {
            job.Run(0, rows);
            return;
        }

        session._busy = true;
        session.Publish(job, rows, chunks);

        // Helpers still queued from an earlier call will find this job; queue only the missing ones. Opening before
        // reading the count (both full fences) means a helper that stops being counted here sees the job open.
        int missing = helpers - Volatile.Read(ref session._queued);
        if (missing > 0)
        {
            Interlocked.Add(ref session._queued, missing);
            for (int i = 0; i < missing; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(session, preferLocal: false);
            }
        }

        session.Work();
        session._done.Wait();

        // Every chunk is done; helpers arriving from now on leave at once.
        Interlocked.Exchange(ref session._open, 0);
        session._busy = false;
    }

    /// <inheritdoc/>
    public void Execute()
    {
        Interlocked.Decrement(ref _queued);
        Interlocked.Increment(ref _inside);
        if (Volatile.Read(ref _open) != 0)
        {
            Work();
        }

        Interlocked.Decrement(ref _inside);
    }

    private void Publish(TJob job, int rows, int chunks)
    {
        // A helper that entered before the last close may still be about to claim (and fail to claim) a chunk of the
        // last job; the fields must not change under it. Those helpers hold no chunk, so this wait is short.
        if (Volatile.Read(ref _inside) != 0)
        {
            SpinWait spinner = default;
            while (Volatile.Read(ref _inside) != 0)
            {
                spinner.SpinOnce();
            }
        }

        _job = job;
        _rows = rows;
        _chunks = chunks;
        _pending = chunks;
        _nextChunk = -1;
        _done.Reset();

        // Release: a helper that reads 1 here sees the job above.
        Interlocked.Exchange(ref _open, 1);
    }

    private void Work()
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk)) < _chunks)
        {
            int start = (int)((long)_rows * chunk / _chunks);
            int end = (int)((long)_rows * (chunk + 1) / _chunks);
            _job.Run(start, end);
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}
