using FineTuneGuard.Kernels;
using static FineTuneGuard.Tests.Kernels.DecoderKernelChecks;

namespace FineTuneGuard.Tests.Kernels;

public class RmsNormTests
{
    private const float Epsilon = 1e-5f;

    // dims: below one vector, odd remainders past 8/16-wide vectors, a model-sized row.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 33)]
    [InlineData(2, 129)]
    [InlineData(2, 2048)]
    public void ForwardMatchesDoubleReference(int rows, int dim)
    {
        float[] x = Random(rows * dim, 1), w = Random(dim, 2, 0.5f, 1.5f);
        float[] y = new float[rows * dim], inv = new float[rows];
        RmsNorm.Forward(rows, dim, Epsilon, x, w, y, inv);

        var expected = new double[rows * dim];
        var expectedInv = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double ss = 0;
            for (int i = 0; i < dim; i++)
            {
                ss += (double)x[(r * dim) + i] * x[(r * dim) + i];
            }

            expectedInv[r] = 1 / Math.Sqrt((ss / dim) + Epsilon);
            for (int i = 0; i < dim; i++)
            {
                expected[(r * dim) + i] = w[i] * x[(r * dim) + i] * expectedInv[r];
            }
        }

        // float32 sum of squares over ≤ 2048 terms and three roundings: relative 2e-6 (a few ulp) plus 1e-7 absolute.
        AssertNear(expectedInv, inv, 1e-7, 2e-6);
        AssertNear(expected, y, 1e-7, 2e-6);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(2, 37)]
    public void BackwardMatchesFiniteDifferences(int rows, int dim)
    {
        float[] x = Random(rows * dim, 3), w = Random(dim, 4, 0.5f, 1.5f), dy = Random(rows * dim, 5);
        float[] y = new float[rows * dim], inv = new float[rows];
        RmsNorm.Forward(rows, dim, Epsilon, x, w, y, inv);
        float[] dx = new float[rows * dim];
        float[] dw = Random(dim, 6); // accumulated into: the check subtracts this start value
        float[] dwStart = (float[])dw.Clone();
        RmsNorm.Backward(rows, dim, x, w, inv, dy, dx, dw);

        double Loss()
        {
            float[] yy = new float[rows * dim], ii = new float[rows];
            RmsNorm.Forward(rows, dim, Epsilon, x, w, yy, ii);
            return Dot(dy, yy);
        }

        // h = 1e-2 on O(1) inputs: truncation O(h²) ≈ 1e-4 and float rounding of the loss ≈ 6e-8·n/h ≈ 1e-4.
        for (int i = 0; i < x.Length; i++)
        {
            double fd = Derivative(x, i, 1e-2f, Loss);
            Assert.True(Math.Abs(fd - dx[i]) <= 2e-3 + (2e-3 * Math.Abs(fd)), $"dx[{i}]: fd {fd}, kernel {dx[i]}");
        }

        for (int i = 0; i < dim; i++)
        {
            double fd = Derivative(w, i, 1e-2f, Loss);
            double got = (double)dw[i] - dwStart[i];
            Assert.True(Math.Abs(fd - got) <= 2e-3 + (2e-3 * Math.Abs(fd)), $"dWeight[{i}]: fd {fd}, kernel {got}");
        }
    }

    [Fact]
    public void EmptyWeightGradientIsSkippedAndDxIsTheSame()
    {
        const int rows = 3, dim = 19;
        float[] x = Random(rows * dim, 7), w = Random(dim, 8), dy = Random(rows * dim, 9);
        float[] y = new float[rows * dim], inv = new float[rows];
        RmsNorm.Forward(rows, dim, Epsilon, x, w, y, inv);
        float[] dxFrozen = new float[rows * dim], dx = new float[rows * dim];
        RmsNorm.Backward(rows, dim, x, w, inv, dy, dxFrozen, Span<float>.Empty);
        RmsNorm.Backward(rows, dim, x, w, inv, dy, dx, new float[dim]);
        Assert.Equal(dx, dxFrozen);
    }

    [Fact]
    public void ShapeErrorsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => RmsNorm.Forward(2, 4, Epsilon, new float[7], new float[4], new float[8], new float[2]));
        Assert.Contains("'x' must have shape [2 x 4] (8 elements); got 7 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => RmsNorm.Forward(2, 4, Epsilon, new float[8], new float[3], new float[8], new float[2]));
        Assert.Contains("'weight' must have shape [4]; got [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => RmsNorm.Backward(2, 4, new float[8], new float[4], new float[2], new float[8], new float[8], new float[5]));
        Assert.Contains("'dWeight' must have shape [4]; got [5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => RmsNorm.Backward(2, 4, new float[8], new float[4], new float[1], new float[8], new float[8], new float[4]));
        Assert.Contains("'inverseRms' must have shape [2]; got [1]", e.Message);
    }
}
