using System;
using System.Threading.Tasks;

namespace FineTuneGuard.Losses;

/// <summary>A slice of rows a loss kernel processes on one thread; rows are independent of each other.</summary>
internal interface IRowJob
{
    /// <summary>Processes rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Fans the rows of a loss out over the cores. Small problems run inline on the caller's thread and allocate nothing;
/// large ones use <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>, whose few hundred bytes of task
/// bookkeeping per call are negligible next to the megabytes of logits they read. Results never depend on the thread
/// count: every row is computed alone and the caller reduces per-row values in row order.
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

        Split(job, rows);
    }

    // Separate from For: a lambda's captured parameter is hoisted into a heap closure at method entry, which would
    // make even the inline path allocate.
    private static void Split<TJob>(TJob job, int rows)
        where TJob : struct, IRowJob
    {
        // A few chunks per core so that a core that drew cheap (ignored) rows helps with the rest.
        int degree = MaxDegreeOfParallelism;
        int chunks = Math.Min(rows, degree * 4);
        var options = new ParallelOptions { MaxDegreeOfParallelism = degree };
        Parallel.For(0, chunks, options, chunk =>
        {
            int start = (int)((long)rows * chunk / chunks);
            int end = (int)((long)rows * (chunk + 1) / chunks);
            job.Run(start, end);
        });
    }
}
