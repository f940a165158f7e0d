using System;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

/// <summary>A pair's merge against W + s·B·A computed here in double, independently of the runtime kernel.</summary>
public class LoraPairMergeTests
{
    private static (LoraTensorPair Pair, float[] W) Case(int input, int output, int rank, double alpha, bool rsLora)
    {
        var random = new SeededRandom(11);
        float[] a = new float[rank * input];
        float[] b = new float[output * rank];
        float[] w = new float[output * input];
        random.FillUniform(a, -1, 1);
        random.FillUniform(b, -1, 1);
        random.FillUniform(w, -1, 1);
        return (new LoraTensorPair("model.layers.0.self_attn.q_proj", input, output, rank, a, b, alpha, rsLora), w);
    }

    private static double Delta(LoraTensorPair pair, double scaling, int row, int col)
    {
        double sum = 0;
        for (int k = 0; k < pair.Rank; k++)
        {
            sum += (double)pair.B[(row * pair.Rank) + k] * pair.A[(k * pair.InFeatures) + col];
        }

        return scaling * sum;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MergeEqualsWPlusScaledBA(bool rsLora)
    {
        // alpha != r so that a scaling bug cannot hide behind scaling 1.
        (LoraTensorPair pair, float[] w) = Case(input: 9, output: 5, rank: 3, alpha: 7, rsLora);
        double scaling = rsLora ? 7 / Math.Sqrt(3) : 7 / 3.0;
        float[] merged = (float[])w.Clone();
        pair.MergeInto(merged);
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 9; j++)
            {
                Assert.Equal(w[(i * 9) + j] + Delta(pair, scaling, i, j), merged[(i * 9) + j], 5e-6);
            }
        }
    }

    [Fact]
    public void FanInFanOutMergesTheTransposedUpdate()
    {
        (LoraTensorPair pair, float[] w) = Case(input: 4, output: 6, rank: 2, alpha: 3, rsLora: false);
        float[] merged = (float[])w.Clone(); // read as [in, out] = [4, 6]
        pair.MergeInto(merged, fanInFanOut: true);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                Assert.Equal(w[(i * 6) + j] + Delta(pair, 1.5, j, i), merged[(i * 6) + j], 5e-6);
            }
        }
    }

    [Fact]
    public void SafeMergeRefusesNonFiniteFactorsAndLeavesWUntouched()
    {
        (LoraTensorPair pair, float[] w) = Case(input: 4, output: 3, rank: 2, alpha: 3, rsLora: false);
        pair.B[1] = float.NaN;
        float[] merged = (float[])w.Clone();
        Assert.Throws<NonFiniteValueException>(() => pair.MergeInto(merged, safe: true));
        Assert.Equal(w, merged);
    }

    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 3)]
    public void SafeFanInFanOutMergeNamesTheFactorAndItsOwnIndex(bool inA, int index)
    {
        (LoraTensorPair pair, float[] w) = Case(input: 4, output: 3, rank: 2, alpha: 3, rsLora: false);
        (inA ? pair.A : pair.B)[index] = float.PositiveInfinity;
        float[] merged = (float[])w.Clone();
        NonFiniteValueException e = Assert.Throws<NonFiniteValueException>(() => pair.MergeInto(merged, fanInFanOut: true, safe: true));
        Assert.Equal(inA ? "a" : "b", e.ParameterName);
        Assert.Equal(index, e.Index);
        Assert.Equal(w, merged);
    }

    [Fact]
    public void NullFactorsAreNamed()
    {
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => new LoraTensorPair("m", 4, 3, 2, null!, new float[6], 1, false)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => new LoraTensorPair("m", 4, 3, 2, new float[8], null!, 1, false)).ParamName);
    }
}
