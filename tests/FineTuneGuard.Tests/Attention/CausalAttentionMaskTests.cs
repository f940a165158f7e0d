using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>Additive and boolean masks, shared by the batch or per sequence, including rows with nothing visible.</summary>
public class CausalAttentionMaskTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdditiveMaskMatchesTheReference(bool perSequence)
    {
        var shape = new AttentionShape(2, 4, 2, 37, 12, 5);
        var data = new AttentionTestData(shape, seed: 21);
        var random = new SeededRandom(22);
        var mask = new float[perSequence ? shape.BatchMaskLength : shape.SharedMaskLength];
        for (int i = 0; i < mask.Length; i++)
        {
            // Biases, a few dropped keys; column 0 of the token part (p) stays finite so no row is empty.
            mask[i] = random.NextDouble() < 0.2 && i % shape.KeyCount != shape.PrefixLength ? float.NegativeInfinity : (float)(random.NextNormal() * 3);
        }

        double[] additive = AttentionTestData.D(mask);
        AttentionReference.Result expected = data.Reference(additive: additive);
        AttentionReference.Gradients gradients = data.ReferenceGradients(additive: additive);
        foreach (AttentionLanes lanes in CausalAttentionReferenceTests.MachineLanes())
        {
            AttentionTestData.Run run = data.Compute(lanes, additive: mask);
            Close.All("output", expected.Output, run.Output, 2e-5, 2e-4);
            Close.All("logSumExp", expected.LogSumExp, run.LogSumExp, 2e-5, 2e-5);
            Close.All("dq", gradients.Dq, run.Dq, 5e-5, 5e-4);
            Close.All("dk", gradients.Dk, run.Dk, 5e-5, 5e-4);
            Close.All("dv", gradients.Dv, run.Dv, 5e-5, 5e-4);
            Close.All("dPrefixKeys", gradients.DPrefixKeys, run.DPrefixKeys, 5e-5, 5e-4);
            Close.All("dPrefixValues", gradients.DPrefixValues, run.DPrefixValues, 5e-5, 5e-4);
        }
    }

    [Fact]
    public void PaddingMaskPerSequenceMatchesTheReference()
    {
        // Sequence 0 has 3 padding tokens at the end, sequence 1 has none: keys of padding are hidden from every row.
        var shape = new AttentionShape(2, 2, 1, 70, 8, 4);
        var data = new AttentionTestData(shape, seed: 31);
        var allowed = new bool[shape.BatchMaskLength];
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int i = 0; i < shape.SequenceLength; i++)
            {
                for (int c = 0; c < shape.KeyCount; c++)
                {
                    int token = c - shape.PrefixLength;
                    allowed[(((b * shape.SequenceLength) + i) * shape.KeyCount) + c] = b == 1 || token < shape.SequenceLength - 3;
                }
            }
        }

        AttentionReference.Result expected = data.Reference(allowed: allowed);
        AttentionReference.Gradients gradients = data.ReferenceGradients(allowed: allowed);
        AttentionTestData.Run run = data.Compute(allowed: allowed);
        Close.All("output", expected.Output, run.Output, 2e-5, 2e-4);
        Close.All("dq", gradients.Dq, run.Dq, 5e-5, 5e-4);
        Close.All("dk", gradients.Dk, run.Dk, 5e-5, 5e-4);
        Close.All("dv", gradients.Dv, run.Dv, 5e-5, 5e-4);
        Close.All("dPrefixKeys", gradients.DPrefixKeys, run.DPrefixKeys, 5e-5, 5e-4);
        Close.All("dPrefixValues", gradients.DPrefixValues, run.DPrefixValues, 5e-5, 5e-4);
    }

    [Fact]
    public void ARowWithNothingVisibleOutputsZeroAndPassesNoGradient()
    {
        var shape = new AttentionShape(1, 1, 1, 6, 4, 2);
        var data = new AttentionTestData(shape, seed: 41);
        var allowed = Enumerable.Repeat(true, shape.SharedMaskLength).ToArray();
        for (int c = 0; c < shape.KeyCount; c++)
        {
            allowed[(2 * shape.KeyCount) + c] = false; // query row 2 sees nothing
        }

        AttentionTestData.Run run = data.Compute(allowed: allowed);
        Assert.Equal(float.NegativeInfinity, run.LogSumExp[2]);
        Assert.All(run.Output.Skip(2 * 4).Take(4), x => Assert.Equal(0f, x));
        Assert.All(run.Dq.Skip(2 * 4).Take(4), x => Assert.Equal(0f, x));
        Close.All("output", data.Reference(allowed: allowed).Output, run.Output, 2e-5, 2e-4);
        Close.All("dk", data.ReferenceGradients(allowed: allowed).Dk, run.Dk, 5e-5, 5e-4);
    }
}
