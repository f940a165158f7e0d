using FineTuneGuard.Kernels;
using static FineTuneGuard.Tests.Kernels.DecoderKernelChecks;

namespace FineTuneGuard.Tests.Kernels;

public class RotaryEmbeddingTests
{
    [Fact]
    public void DefaultInverseFrequenciesAreOneOverThetaPower()
    {
        double[] f = RotaryTable.DefaultInverseFrequencies(8, 10000);
        Assert.Equal(new[] { 1.0, 0.1, 0.01, 0.001 }, f.Select(v => Math.Round(v, 12)).ToArray());
    }

    // headDim 2 and 14: scalar only; 34 and 66: vector body with odd remainders; 128: Llama's head size.
    [Theory]
    [InlineData(2, 3, 2)]
    [InlineData(14, 5, 3)]
    [InlineData(34, 4, 2)]
    [InlineData(66, 3, 1)]
    [InlineData(128, 2, 2)]
    public void ApplyMatchesDoubleReference(int headDim, int sequenceLength, int heads)
    {
        const int batch = 2, start = 3;
        double[] invFreq = RotaryTable.DefaultInverseFrequencies(headDim, 10000);
        var table = new RotaryTable(headDim, start + sequenceLength, invFreq);
        float[] x = Random(batch * sequenceLength * heads * headDim, 21);
        float[] rotated = (float[])x.Clone();
        RotaryEmbedding.Apply(batch, sequenceLength, start, heads, headDim, table, rotated);

        int half = headDim / 2;
        var expected = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < sequenceLength; t++)
            {
                for (int h = 0; h < heads; h++)
                {
                    int o = (((b * sequenceLength) + t) * heads + h) * headDim;
                    for (int i = 0; i < half; i++)
                    {
                        double angle = (start + t) * invFreq[i], c = Math.Cos(angle), s = Math.Sin(angle);
                        expected[o + i] = (x[o + i] * c) - (x[o + i + half] * s);
                        expected[o + i + half] = (x[o + i + half] * c) + (x[o + i] * s);
                    }
                }
            }
        }

        // cos/sin rounded to float32 (2^-24 relative each) and two products and a sum of |x| ≤ 2: 1e-6 absolute.
        AssertNear(expected, rotated, 1e-6, 0);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(64)]
    [InlineData(70)]
    public void BackwardAfterApplyIsIdentity(int headDim)
    {
        var table = new RotaryTable(headDim, 40, RotaryTable.DefaultInverseFrequencies(headDim, 500000));
        float[] x = Random(3 * 7 * 2 * headDim, 22);
        float[] y = (float[])x.Clone();
        RotaryEmbedding.Apply(3, 7, 30, 2, headDim, table, y);
        RotaryEmbedding.Backward(3, 7, 30, 2, headDim, table, y);

        // cos² + sin² = 1 up to float32 rounding: a few ulp of |x| ≤ 2.
        AssertNear(x.Select(v => (double)v).ToArray(), y, 1e-6, 0);
    }

    [Fact]
    public void BackwardIsTheTransposeOfApply()
    {
        // <g, R x> = <Rᵀ g, x> for random x and g.
        const int headDim = 38, seq = 5, heads = 3;
        var table = new RotaryTable(headDim, seq, RotaryTable.DefaultInverseFrequencies(headDim, 10000));
        float[] x = Random(seq * heads * headDim, 23), g = Random(seq * heads * headDim, 24);
        float[] rx = (float[])x.Clone(), rtg = (float[])g.Clone();
        RotaryEmbedding.Apply(1, seq, 0, heads, headDim, table, rx);
        RotaryEmbedding.Backward(1, seq, 0, heads, headDim, table, rtg);
        Assert.Equal(Dot(g, rx), Dot(rtg, x), 4);
    }

    [Fact]
    public void OffsetCallEqualsTheFullSequenceAtTheSamePositions()
    {
        const int headDim = 36, heads = 2, full = 9, start = 6;
        var table = new RotaryTable(headDim, full, RotaryTable.DefaultInverseFrequencies(headDim, 10000));
        float[] x = Random(full * heads * headDim, 25);
        float[] whole = (float[])x.Clone();
        RotaryEmbedding.Apply(1, full, 0, heads, headDim, table, whole);

        int token = heads * headDim;
        float[] tail = x.AsSpan(start * token).ToArray();
        RotaryEmbedding.Apply(1, full - start, start, heads, headDim, table, tail);
        Assert.Equal(whole.AsSpan(start * token).ToArray(), tail);
    }

    [Fact]
    public void ShapeAndRangeErrors()
    {
        var table = new RotaryTable(4, 8, RotaryTable.DefaultInverseFrequencies(4, 10000));
        var e = Assert.Throws<ArgumentException>(() => RotaryEmbedding.Apply(2, 3, 0, 2, 4, table, new float[47]));
        Assert.Contains("'x' must have shape [2 x 3 x 2 x 4] (48 elements); got 47 elements", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RotaryEmbedding.Apply(1, 3, 6, 1, 4, table, new float[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RotaryEmbedding.Backward(1, 3, 6, 1, 4, table, new float[12]));
        e = Assert.Throws<ArgumentException>(() => RotaryEmbedding.Apply(1, 1, 0, 1, 6, table, new float[6]));
        Assert.Contains("HeadDim 4; got 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RotaryTable(4, 8, new double[3]));
        Assert.Contains("'inverseFrequencies' must have shape [2]; got [3]", e.Message);
    }
}
