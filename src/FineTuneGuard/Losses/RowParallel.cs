using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace FineTuneGuard.Losses;

/// <summary>A slice of rows a loss kernel processes on one thread; rows are independent of each other.</summary>
internal interface IRowJob
{
    /// <summary>Processes rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Fans the rows of a loss out over the cores without allocating: small problems run inline on the caller's thread;
/// large ones are cut into chunks that the caller and up to MaxDegreeOfParallelism − 1 thread-pool helpers claim
/// with an interlocked counter (<see cref="ForkJoin{TJob}"/>, sessions reused per calling thread). Results never
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
/// An allocation-free fork/join for one row job. A call rents a session (reused per calling thread), publishes the job
/// in it, queues <c>helpers</c> references to the session on the thread pool, claims chunks itself and waits until
/// every chunk is done — never for the helpers themselves, so a busy pool cannot stall it. A helper that starts late
/// finds no chunk left and leaves; a session is reused only once all of its helpers have left, so a late helper can
/// never see a half-published job. Steady state allocates nothing (a new session only when helpers lag behind).
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A session is reused for the lifetime of its calling thread; its event is never disposed on purpose.")]
internal sealed class ForkJoin<TJob> : IThreadPoolWorkItem
    where TJob : struct, IRowJob
{
    [ThreadStatic]
    private static ForkJoin<TJob>[]? t_sessions;

    private readonly ManualResetEventSlim _done = new(initialState: false);
    private TJob _job;
    private int _rows;
    private int _chunks;
    private int _nextChunk;
    private int _pending;
    private int _helpersOutstanding;

    /// <summary>Runs rows [0, rows) of <paramref name="job"/> in <paramref name="chunks"/> chunks over the caller and <paramref name="helpers"/> pool threads.</summary>
    public static void Run(TJob job, int rows, int chunks, int helpers)
    {
        ForkJoin<TJob> session = Rent();
        session._job = job;
        session._rows = rows;
        session._chunks = chunks;
        session._pending = chunks;
        session._nextChunk = -1;
        session._helpersOutstanding = helpers;
        session._done.Reset();

        // Queueing is a full fence: helpers see the published job.
        for (int i = 0; i < helpers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(session, preferLocal: false);
        }

        session.Work();
        session._done.Wait();
    }

    /// <inheritdoc/>
    public void Execute()
    {
        Work();
        Interlocked.Decrement(ref _helpersOutstanding);
    }

    private static ForkJoin<TJob> Rent()
    {
        ForkJoin<TJob>[] sessions = t_sessions ??= new ForkJoin<TJob>[2];
        for (int i = 0; i < sessions.Length; i++)
        {
            ForkJoin<TJob> session = sessions[i] ??= new ForkJoin<TJob>();
            if (Volatile.Read(ref session._helpersOutstanding) == 0)
            {
                return session;
            }
        }

        // Every session still has a helper that has not left yet (a saturated pool): add one.
        Array.Resize(ref t_sessions, sessions.Length * 2);
        return t_sessions[sessions.Length] = new ForkJoin<TJob>();
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
