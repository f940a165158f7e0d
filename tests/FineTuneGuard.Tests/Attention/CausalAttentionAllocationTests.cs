using FineTuneGuard.Attention;

namespace FineTuneGuard.Tests.Attention;

/// <summary>The hot path takes its tiles from the array pool: a warm single-threaded call allocates nothing at all.</summary>
public class CausalAttentionAllocationTests
{
    [Fact]
    public void SteadyStateForwardAndBackwardAllocateNothing()
    {
        var shape = new AttentionShape(2, 4, 2, 100, 64, 16);
        var data = new AttentionTestData(shape, seed: 3);
        var run = new AttentionTestData.Run(shape);
        var allowed = Enumerable.Repeat(true, shape.SharedMaskLength).ToArray();

        void Step()
        {
            CausalAttention.ForwardCore(
                shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, run.Output, run.LogSumExp, AttentionMask.Allowed(allowed), AttentionLanes.Auto, 1);
            CausalAttention.BackwardCore(
                shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, run.Output, run.LogSumExp, data.DOutput,
                run.Dq, run.Dk, run.Dv, run.DPrefixKeys, run.DPrefixValues, AttentionMask.Allowed(allowed), AttentionLanes.Auto, 1);
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            Step();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
