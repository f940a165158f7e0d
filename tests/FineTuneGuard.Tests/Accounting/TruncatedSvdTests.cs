using FineTuneGuard.Linalg;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Accounting;

public class TruncatedSvdTests
{
    [Fact]
    public void ExerciseFiveArangeIsExactlyRankTwo()
    {
        // Exercises notebook, exercise 5: M = arange(25).reshape(5, 5) has rank 2, so the rank-2 relative error is ~0.
        float[] m = Enumerable.Range(0, 25).Select(i => (float)i).ToArray();
        double error = TruncatedSvd.RelativeError(m, 5, 5, 2);
        Assert.True(error < 1e-6, $"rank-2 error {error}");
        Assert.True(TruncatedSvd.RelativeError(m, 5, 5, 1) > 0.01);

        // σ1² + σ2² = ‖M‖_F² = Σ i² = 4900, and the rank-2 reconstruction is M.
        double[] sigma = TruncatedSvd.SingularValues(m, 5, 5);
        Assert.Equal(4900, (sigma[0] * sigma[0]) + (sigma[1] * sigma[1]), 1e-9);
        Assert.True(sigma[2] < 1e-12 * sigma[0]);
        var approx = new float[25];
        TruncatedSvd.Approximate(m, 5, 5, 2, approx);
        for (int i = 0; i < 25; i++)
        {
            Assert.Equal(m[i], approx[i], 1e-4f);
        }
    }

    [Fact]
    public void TheoryCellErrorDecreasesWithRankAndVanishesAtFullRank()
    {
        // Theory notebook, section 4 (a 32 x 32 Gaussian ΔW, ranks 1, 2, 4, 8, 16, 32).
        var random = new SeededRandom(3);
        var delta = new float[32 * 32];
        random.FillNormal(delta, 0, 1);
        double previous = 1;
        foreach (int rank in new[] { 1, 2, 4, 8, 16, 32 })
        {
            double error = TruncatedSvd.RelativeError(delta, 32, 32, rank);
            Assert.True(error < previous, $"rank {rank}: {error} !< {previous}");
            previous = error;

            // Eckart–Young: the error of the reconstruction equals the singular-value tail.
            var approx = new float[delta.Length];
            TruncatedSvd.Approximate(delta, 32, 32, rank, approx);
            double residual = Math.Sqrt(delta.Zip(approx, (a, b) => (double)(a - b) * (a - b)).Sum());
            double norm = Math.Sqrt(delta.Sum(a => (double)a * a));
            Assert.Equal(error, residual / norm, 1e-5);
        }

        Assert.Equal(0.0, TruncatedSvd.RelativeError(delta, 32, 32, 32));
        Assert.Equal(1.0, TruncatedSvd.RelativeError(delta, 32, 32, 0));
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(3, 7)]
    [InlineData(1, 5)]
    [InlineData(6, 1)]
    public void SingularValuesOfRectangularMatricesMatchTheGramMatrix(int rows, int cols)
    {
        // Σ σ_i² = ‖M‖_F², Π σ_i² = det(MMᵀ or MᵀM) is harder; check trace and that U Σ Vᵀ rebuilds M at full rank.
        var random = new SeededRandom((ulong)((rows * 10) + cols));
        var m = new float[rows * cols];
        random.FillNormal(m, 0, 1);
        double[] sigma = TruncatedSvd.SingularValues(m, rows, cols);
        Assert.Equal(Math.Min(rows, cols), sigma.Length);
        Assert.Equal(m.Sum(x => (double)x * x), sigma.Sum(s => s * s), 1e-9);
        Assert.True(sigma.Zip(sigma.Skip(1), (a, b) => a >= b).All(ok => ok));
        var approx = new float[m.Length];
        TruncatedSvd.Approximate(m, rows, cols, Math.Min(rows, cols), approx);
        for (int i = 0; i < m.Length; i++)
        {
            Assert.Equal(m[i], approx[i], 1e-5f);
        }
    }

    [Fact]
    public void KnownSingularValues()
    {
        // [[3, 0], [4, 5]] has singular values √45 and √5 (σ1σ2 = |det| = 15, σ1² + σ2² = 50).
        double[] sigma = TruncatedSvd.SingularValues(new[] { 3f, 0f, 4f, 5f }, 2, 2);
        Assert.Equal(Math.Sqrt(45), sigma[0], 1e-12);
        Assert.Equal(Math.Sqrt(5), sigma[1], 1e-12);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => TruncatedSvd.RelativeError(new float[10], 3, 4, 1));
        Assert.Equal("matrix", e.ParamName);
        Assert.Contains("[3 x 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedSvd.RelativeError(new float[12], 3, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedSvd.RelativeError(new float[12], 0, 4, 1));
        Assert.Throws<ArgumentException>(() => TruncatedSvd.SingularValues(new float[12], 3, 4, new double[4]));
        Assert.Equal(0.0, TruncatedSvd.RelativeError(new float[12], 3, 4, 1));
    }
}
