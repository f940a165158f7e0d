using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace FineTuneGuard.Attention;

/// <summary>One independent unit of attention work: a (batch, head) in the forward, a (batch, kv head) in the backward.</summary>
internal interface IAttentionWork
{
    /// <summary>Computes work item <paramref name="item"/>; writes only memory no other item writes.</summary>
    void Run(int item);
}

/// <summary>
/// Runs attention work items on up to <c>degree</c> threads. Every item owns its outputs and sums in a fixed order, so
/// the result is bit-identical for any thread count. With one thread (or one item) everything runs inline on the
/// caller's thread and allocates nothing; otherwise <see cref="Parallel.For(int, int, ParallelOptions, System.Action{int})"/>
/// costs a few hundred bytes of task bookkeeping per call, independent of the sequence length.
/// </summary>
internal static class AttentionParallel
{
    public static void Run<TWork>(TWork work, int items, int degree)
        where TWork : struct, IAttentionWork
    {
        if (degree <= 1 || items <= 1)
        {
            for (int item = 0; item < items; item++)
            {
                work.Run(item);
            }

            return;
        }

        RunOnPool(work, items, degree);
    }

    // Separate so that the closure the lambda captures is only allocated when the pool is really used (the compiler
    // creates it on entry to the method that declares the captured variable).
    private static void RunOnPool<TWork>(TWork work, int items, int degree)
        where TWork : struct, IAttentionWork
        => Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = degree }, item => work.Run(item));

    /// <summary>Resolves <see cref="AttentionLanes.Auto"/> to the widest accelerated width.</summary>
    public static AttentionLanes Resolve(AttentionLanes lanes)
    {
        if (lanes != AttentionLanes.Auto)
        {
            return lanes;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            return AttentionLanes.Vector512;
        }

        return Vector256.IsHardwareAccelerated ? AttentionLanes.Vector256 : AttentionLanes.Scalar;
    }
}
