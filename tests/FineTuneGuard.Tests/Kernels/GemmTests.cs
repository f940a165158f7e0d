using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Kernels;

[Collection(KernelTestCollection.Name)]
public class GemmTests
{
    // (m, n, k): the sizes 1, 7, 31, 33, 127, 1000, sizes that are not multiples of any tile (14 x 32, 6 x 16,
    // 4 x 4) or vector width, and sizes that cross the cache blocks (Mc = 168, Kc = 384, Nc = 2048).
    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        int[][] shapes =
        {
            new[] { 1, 1, 1 }, new[] { 7, 31, 33 }, new[] { 33, 127, 7 }, new[] { 127, 1000, 31 }, new[] { 1000, 33, 127 },
            new[] { 31, 7, 1000 }, new[] { 1, 1000, 127 }, new[] { 1000, 1, 33 }, new[] { 150, 70, 600 }, new[] { 5, 2100, 260 },
        };
        foreach (string path in GemmPathScope.PathNames)
        {
            foreach (int[] s in shapes)
            {
                data.Add(path, s[0], s[1], s[2]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AllTransposesMatchTheDoubleReference(string path, int m, int n, int k)
    {
        using var scope = GemmPathScope.Force(path);
        var random = new SeededRandom((ulong)((m * 1_000_003) + (n * 1009) + k));
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                float[] a = Reference.Random(random, m * k);
                float[] b = Reference.Random(random, k * n);
                float[] c = Reference.Random(random, m * n);
                const float alpha = 0.75f, beta = -1.25f;
                var (expected, magnitude) = Reference.Gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
                Gemm.Multiply(ta, tb, m, n, k, alpha, a, b, beta, c);
                Reference.Close(expected, magnitude, c, k, $"{path} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k}");
            }
        }
    }

    [Fact]
    public void BetaZeroOverwritesWithoutReadingC()
    {
        float[] a = { 1, 2, 3, 4 };
        float[] b = { 5, 6, 7, 8 };
        float[] c = { float.NaN, float.PositiveInfinity, float.NaN, float.NaN };
        Gemm.Multiply(false, false, 2, 2, 2, 1f, a, b, 0f, c);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c);
    }

    [Fact]
    public void ResultsAreBitIdenticalAcrossThreadCountsAndVectorPaths()
    {
        // Threads own whole tiles and never split the reduction; both vector kernels reduce with fma in the same k order.
        const int m = 200, n = 700, k = 530;
        var random = new SeededRandom(7);
        float[] a = Reference.Random(random, m * k);
        float[] b = Reference.Random(random, n * k);
        float[] expected = new float[m * n];
        using (GemmPathScope.Force("Vector512", threads: 1))
        {
            Gemm.Multiply(false, true, m, n, k, 1f, a, b, 0f, expected);
        }

        foreach (string path in new[] { "Vector512", "Vector256" })
        {
            foreach (int threads in new[] { 1, 2, 3, 5 })
            {
                using var scope = GemmPathScope.Force(path, threads);
                float[] c = new float[m * n];
                Gemm.Multiply(false, true, m, n, k, 1f, a, b, 0f, c);
                Assert.True(expected.AsSpan().SequenceEqual(c), $"{path} with {threads} threads differs");
            }
        }
    }

    [Fact]
    public void ShapeMismatchNamesTheParameterAndBothShapes()
    {
        float[] a = new float[6], b = new float[12], c = new float[8];
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 3, 1f, a, b, 0f, new float[7]));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("[2 x 4]", error.Message);
        Assert.Contains("got 7", error.Message);

        error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 3, 1f, new float[5], b, 0f, c));
        Assert.Equal("a", error.ParamName);
        Assert.Contains("[2 x 3]", error.Message);

        error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 4, 3, 1f, a, new float[11], 0f, c));
        Assert.Equal("b", error.ParamName);
        Assert.Contains("[4 x 3]", error.Message);

        error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(true, false, 2, 4, 3, 1f, new float[7], b, 0f, c));
        Assert.Contains("[3 x 2]", error.Message);
    }

    [Theory]
    [InlineData(0, 1, 1, "m")]
    [InlineData(1, -1, 1, "n")]
    [InlineData(1, 1, 0, "k")]
    public void NonPositiveDimensionsThrow(int m, int n, int k, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, m, n, k, 1f, new float[1], new float[1], 0f, new float[1]));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void MaxDegreeOfParallelismRejectsZero()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxDegreeOfParallelism = 0);

    [Fact]
    public void SteadyStateMultiplyDoesNotAllocate()
    {
        using var scope = GemmPathScope.Force("Vector512", threads: 1);
        const int m = 100, n = 300, k = 400;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        a.AsSpan().Fill(0.5f);
        b.AsSpan().Fill(0.25f);
        // Warm both operand layouts the loop uses: each packs through its own scratch the first time.
        Gemm.Multiply(false, true, m, n, k, 1f, a, b, 0f, c);
        Gemm.Multiply(true, true, m, n, k, 1f, a, b, 0f, c);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            Gemm.Multiply(i % 2 == 0, true, m, n, k, 1f, a, b, 1f, c);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
