using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>What a prefix must and must not change.</summary>
public class CausalAttentionIdentityTests
{
    /// <summary>
    /// Prefix length 0 is plain causal attention, exactly: the same call with p prefix slots that the mask hides
    /// (boolean false, or additive -∞) produces bit-identical outputs, log-sum-exp and q/k/v gradients, because hidden
    /// slots leave the running state at (m = -∞, l = 0, acc = 0) and the token tiles then do exactly the same arithmetic.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PrefixLengthZeroEqualsAHiddenPrefixBitForBit(bool additive)
    {
        const int p = 7;
        var plain = new AttentionShape(2, 4, 2, 75, 16, 0);
        var prefixed = plain with { PrefixLength = p };
        var data = new AttentionTestData(prefixed, seed: 51);
        AttentionTestData.Run expected = Run(plain, data, default, default);

        var allowed = new bool[prefixed.SharedMaskLength];
        var bias = new float[prefixed.SharedMaskLength];
        for (int i = 0; i < allowed.Length; i++)
        {
            bool isPrefix = i % prefixed.KeyCount < p;
            allowed[i] = !isPrefix;
            bias[i] = isPrefix ? float.NegativeInfinity : 0f;
        }

        AttentionTestData.Run actual = additive
            ? Run(prefixed, data, bias, null)
            : Run(prefixed, data, null, allowed);
        Close.BitEqual("output", expected.Output, actual.Output);
        Close.BitEqual("logSumExp", expected.LogSumExp, actual.LogSumExp);
        Close.BitEqual("dq", expected.Dq, actual.Dq);
        Close.BitEqual("dk", expected.Dk, actual.Dk);
        Close.BitEqual("dv", expected.Dv, actual.Dv);
        Assert.All(actual.DPrefixKeys, x => Assert.Equal(0f, x));
        Assert.All(actual.DPrefixValues, x => Assert.Equal(0f, x));
    }

    /// <summary>
    /// Zero prefix keys give every prefix slot the score 0 and zero prefix values add nothing to the numerator, so with
    /// Z = Σⱼ e^{sᵢⱼ} over the tokens (L = ln Z of plain attention): o_prefix = o_plain·Z/(Z + p) = o_plain/(1 + p·e^{−L}),
    /// L_prefix = L + ln(1 + p·e^{−L}), and each prefix-value slot receives the gradient Σᵢ dOᵢ·e^{−L_prefix,i}
    /// (its probability times dO), summed over the batch and the query heads of its kv head; each prefix-key slot receives
    /// −(1/√d)·Σᵢ e^{−L_prefix,i}·(dOᵢ·oᵢ)·qᵢ (its score gradient P·(0 − D)/√d times the query).
    /// </summary>
    [Fact]
    public void ZeroPrefixRenormalisesPlainAttentionAsPredicted()
    {
        const int p = 5;
        var plain = new AttentionShape(2, 4, 2, 40, 8, 0);
        var prefixed = plain with { PrefixLength = p };
        var data = new AttentionTestData(plain, seed: 61);
        AttentionTestData.Run plainRun = data.Compute();

        var zeros = new float[prefixed.PrefixKeyValueLength];
        var output = new float[prefixed.QueryLength];
        var lse = new float[prefixed.LogSumExpLength];
        CausalAttention.Forward(prefixed, data.Q, data.K, data.V, zeros, zeros, output, lse);
        var dq = new float[prefixed.QueryLength];
        var dk = new float[prefixed.KeyValueLength];
        var dv = new float[prefixed.KeyValueLength];
        var dpk = new float[zeros.Length];
        var dpv = new float[zeros.Length];
        CausalAttention.Backward(prefixed, data.Q, data.K, data.V, zeros, zeros, output, lse, data.DOutput, dq, dk, dv, dpk, dpv);

        int d = plain.HeadDim;
        var expectedPrefixValue = new double[prefixed.PrefixKeyValueLength];
        var expectedPrefixKey = new double[prefixed.PrefixKeyValueLength];
        for (int row = 0; row < plain.LogSumExpLength; row++)
        {
            double z = Math.Exp(plainRun.LogSumExp[row]);
            double factor = z / (z + p);
            double expectedLse = plainRun.LogSumExp[row] + Math.Log(1 + (p / z));
            Assert.True(Math.Abs(expectedLse - lse[row]) <= 2e-6 * Math.Max(1, Math.Abs(expectedLse)), $"L[{row}]: {expectedLse} vs {lse[row]}");
            for (int x = 0; x < d; x++)
            {
                double expected = plainRun.Output[(row * d) + x] * factor;
                Assert.True(Math.Abs(expected - output[(row * d) + x]) <= 1e-5 + (1e-4 * Math.Abs(expected)), $"o[{row}, {x}]");
            }

            int head = row / plain.SequenceLength % plain.Heads;
            int kvHead = head / plain.GroupSize;
            double probability = Math.Exp(-lse[row]);
            double rowDot = 0;
            for (int x = 0; x < d; x++)
            {
                rowDot += (double)data.DOutput[(row * d) + x] * output[(row * d) + x];
            }

            for (int slot = 0; slot < p; slot++)
            {
                for (int x = 0; x < d; x++)
                {
                    int at = (((kvHead * p) + slot) * d) + x;
                    expectedPrefixValue[at] += probability * data.DOutput[(row * d) + x];
                    expectedPrefixKey[at] -= probability * rowDot * data.Q[(row * d) + x] / Math.Sqrt(d);
                }
            }
        }

        Close.All("dPrefixValues", expectedPrefixValue, dpv, 1e-5, 1e-4);
        Close.All("dPrefixKeys", expectedPrefixKey, dpk, 1e-5, 1e-4);
    }

    private static AttentionTestData.Run Run(AttentionShape shape, AttentionTestData source, float[]? additive, bool[]? allowed)
    {
        // The same q, k, v, dO for both shapes; prefix buffers sized for the shape.
        var prefix = new float[shape.PrefixKeyValueLength];
        new SeededRandom(77).FillNormal(prefix, 0f, 1f);
        var run = new AttentionTestData.Run(shape);
        AttentionMask mask = additive != null ? AttentionMask.Additive(additive) : allowed != null ? AttentionMask.Allowed(allowed) : default;
        CausalAttention.ForwardCore(shape, source.Q, source.K, source.V, prefix, prefix, run.Output, run.LogSumExp, mask, AttentionLanes.Auto, 1);
        CausalAttention.BackwardCore(
            shape, source.Q, source.K, source.V, prefix, prefix, run.Output, run.LogSumExp, source.DOutput,
            run.Dq, run.Dk, run.Dv, run.DPrefixKeys, run.DPrefixValues, mask, AttentionLanes.Auto, 1);
        return run;
    }
}
