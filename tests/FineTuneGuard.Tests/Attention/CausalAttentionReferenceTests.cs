using System.Runtime.Intrinsics;
using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>The streaming kernel against the full-matrix double reference, on every register width the machine has.</summary>
public class CausalAttentionReferenceTests
{
    // (batch, heads, kvHeads, t, headDim, p): t = 1, odd head dims, p = 0, kvHeads = 1, several query blocks (t > 32),
    // several key tiles (t > 64), several prefix tiles (p > 64), a 4-row block tail and the peer's head width.
    public static TheoryData<int, int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 1, 1, 1, 0 },
        { 1, 1, 1, 1, 4, 3 },
        { 2, 4, 2, 5, 3, 2 },
        { 1, 4, 1, 33, 7, 0 },
        { 2, 2, 2, 70, 16, 3 },
        { 1, 3, 3, 1, 5, 4 },
        { 1, 2, 1, 67, 64, 70 },
        { 2, 8, 8, 19, 64, 16 },
        { 1, 2, 2, 97, 9, 0 },
        { 1, 6, 3, 40, 33, 1 },
    };

    internal static IEnumerable<AttentionLanes> MachineLanes()
    {
        yield return AttentionLanes.Scalar;
        if (Vector256.IsHardwareAccelerated)
        {
            yield return AttentionLanes.Vector256;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            yield return AttentionLanes.Vector512;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndBackwardMatchTheFullMatrixReference(int batch, int heads, int kvHeads, int t, int headDim, int p)
    {
        var shape = new AttentionShape(batch, heads, kvHeads, t, headDim, p);
        var data = new AttentionTestData(shape, seed: (ulong)((batch * 1000) + (t * 10) + headDim + p));
        AttentionReference.Result expected = data.Reference();
        AttentionReference.Gradients gradients = data.ReferenceGradients();
        foreach (AttentionLanes lanes in MachineLanes())
        {
            AttentionTestData.Run run = data.Compute(lanes);
            Close.All($"{lanes} output", expected.Output, run.Output, 2e-5, 2e-4);
            Close.All($"{lanes} logSumExp", expected.LogSumExp, run.LogSumExp, 2e-5, 2e-5);
            Close.All($"{lanes} dq", gradients.Dq, run.Dq, 5e-5, 5e-4);
            Close.All($"{lanes} dk", gradients.Dk, run.Dk, 5e-5, 5e-4);
            Close.All($"{lanes} dv", gradients.Dv, run.Dv, 5e-5, 5e-4);
            Close.All($"{lanes} dPrefixKeys", gradients.DPrefixKeys, run.DPrefixKeys, 5e-5, 5e-4);
            Close.All($"{lanes} dPrefixValues", gradients.DPrefixValues, run.DPrefixValues, 5e-5, 5e-4);
        }
    }

    [Fact]
    public void LargeScoresDoNotOverflow()
    {
        // Scores around ±400: e^400 overflows float and double alike; only the max-subtracted form survives.
        var shape = new AttentionShape(1, 2, 1, 40, 16, 5);
        var data = new AttentionTestData(shape, seed: 7, std: 10f);
        AttentionTestData.Run run = data.Compute();
        Assert.True(NonFinite.AllFinite(run.Output) && NonFinite.AllFinite(run.LogSumExp) && NonFinite.AllFinite(run.Dq));
        AttentionReference.Result expected = data.Reference();
        Close.All("output", expected.Output, run.Output, 1e-4, 1e-3);
        Close.All("logSumExp", expected.LogSumExp, run.LogSumExp, 1e-3, 1e-5);
    }

    [Fact]
    public void EveryThreadCountGivesBitIdenticalResults()
    {
        var shape = new AttentionShape(3, 4, 2, 45, 24, 6);
        var data = new AttentionTestData(shape, seed: 11);
        AttentionTestData.Run one = data.Compute(degree: 1);
        AttentionTestData.Run four = data.Compute(degree: 4);
        Close.BitEqual("output", one.Output, four.Output);
        Close.BitEqual("logSumExp", one.LogSumExp, four.LogSumExp);
        Close.BitEqual("dq", one.Dq, four.Dq);
        Close.BitEqual("dk", one.Dk, four.Dk);
        Close.BitEqual("dv", one.Dv, four.Dv);
        Close.BitEqual("dPrefixKeys", one.DPrefixKeys, four.DPrefixKeys);
        Close.BitEqual("dPrefixValues", one.DPrefixValues, four.DPrefixValues);
    }

    [Fact]
    public void PublicEntryPointsAgreeWithTheCore()
    {
        var shape = new AttentionShape(2, 2, 1, 9, 8, 2);
        var data = new AttentionTestData(shape, seed: 5);
        AttentionTestData.Run core = data.Compute(AttentionLanes.Auto, degree: 1);
        var output = new float[shape.QueryLength];
        var lse = new float[shape.LogSumExpLength];
        var dq = new float[shape.QueryLength];
        var dk = new float[shape.KeyValueLength];
        var dv = new float[shape.KeyValueLength];
        var dpk = new float[shape.PrefixKeyValueLength];
        var dpv = new float[shape.PrefixKeyValueLength];
        dq.AsSpan().Fill(123f); // gradients overwrite, never accumulate
        CausalAttention.Forward(shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, output, lse);
        CausalAttention.Backward(shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, output, lse, data.DOutput, dq, dk, dv, dpk, dpv);
        Close.BitEqual("output", core.Output, output);
        Close.BitEqual("dq", core.Dq, dq);
        Close.BitEqual("dPrefixValues", core.DPrefixValues, dpv);

        // Inference: no log-sum-exp kept, same output.
        var inference = new float[shape.QueryLength];
        CausalAttention.Forward(shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, inference, default);
        Close.BitEqual("inference output", core.Output, inference);
    }

    [Fact]
    public void AFrozenPrefixGetsNoGradientButTheRestIsUnchanged()
    {
        var shape = new AttentionShape(2, 2, 2, 12, 8, 3);
        var data = new AttentionTestData(shape, seed: 9);
        AttentionTestData.Run full = data.Compute();
        var dq = new float[shape.QueryLength];
        var dk = new float[shape.KeyValueLength];
        var dv = new float[shape.KeyValueLength];
        CausalAttention.BackwardCore(
            shape, data.Q, data.K, data.V, data.PrefixKeys, data.PrefixValues, full.Output, full.LogSumExp, data.DOutput,
            dq, dk, dv, default, default, default, AttentionLanes.Auto, 1);
        Close.BitEqual("dq", full.Dq, dq);
        Close.BitEqual("dk", full.Dk, dk);
        Close.BitEqual("dv", full.Dv, dv);
    }
}
