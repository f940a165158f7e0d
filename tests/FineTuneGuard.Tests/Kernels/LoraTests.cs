using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Kernels;

[Collection(KernelTestCollection.Name)]
public class LoraTests
{
    // (rows, in, out, rank): the sizes, vector-width remainders, and a width past the GEMM's Kc and Nc blocks.
    public static TheoryData<string, int, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int, int>();
        int[][] shapes =
        {
            new[] { 1, 1, 1, 1 }, new[] { 7, 31, 33, 1 }, new[] { 33, 127, 7, 4 }, new[] { 127, 1000, 31, 8 },
            new[] { 1000, 33, 127, 7 }, new[] { 5, 300, 2100, 16 },
            new[] { 3, 380, 380, 8 }, // the GEMM's Kc = 384 block boundary cuts through the low-rank K steps
        };
        foreach (string path in GemmPathScope.PathNames)
        {
            foreach (int[] s in shapes)
            {
                data.Add(path, s[0], s[1], s[2], s[3]);
            }
        }

        return data;
    }

    // ---- seed 004 (LoRA walkthrough): in = out = 4, r = 2, alpha = 4, scaling 4 / 2 = 2 ----
    private static readonly float[] SeedW =
    {
        0.5f, 0.2f, -0.1f, 0.3f,
        0.1f, 0.4f, 0.2f, -0.2f,
        -0.3f, 0.1f, 0.5f, 0.1f,
        0.2f, -0.1f, 0.3f, 0.4f,
    };

    private static readonly float[] SeedA = { 0.1f, -0.1f, 0.2f, 0.15f, 0.05f, 0.12f, -0.08f, 0.1f };
    private static readonly float[] SeedTrainedB = { 0.3f, -0.1f, 0.2f, 0.4f, -0.1f, 0.2f, 0.15f, 0.1f };
    private static readonly float[] SeedX = { 1.0f, 0.5f, -0.5f, 0.2f };
    private static readonly LoraShape SeedShape = new(4, 4, 2);

    [Fact]
    public void SeedScalingIsAlphaOverRank() => Assert.Equal(2f, Lora.Scaling(4f, 2));

    [Fact]
    public void SeedWorkedExampleExactValues()
    {
        // The seed's matrices, computed exactly (by hand, in decimal): x·Wᵀ = [0.5 + 0.1 + 0.05 + 0.06, 0.1 + 0.2 − 0.1 − 0.04,
        // −0.3 + 0.05 − 0.25 + 0.02, 0.2 − 0.05 − 0.15 + 0.08] = [0.71, 0.16, −0.48, 0.08]; x·Aᵀ = [−0.02, 0.17];
        // (x·Aᵀ)·Bᵀ = [−0.023, 0.064, 0.036, 0.014]; y = x·Wᵀ + 2·that = [0.664, 0.288, −0.408, 0.108].
        // The seed prints y_base = [0.31, 0.16, −0.10, 0.38] and x·Aᵀ = [0.12, 0.11], which do not follow from its own W,
        // A and x (only the second entry of y_base does); SeedPrintedArithmeticIsReproduced checks its printed chain.
        // Tolerance 1e-6: the inputs are the float32 roundings of the decimals (relative error ≤ 2^-24 each) and each
        // output sums at most 6 products of magnitude ≤ 0.5, so the deviation from the decimal result stays below 1e-6.
        float[] y = new float[4];
        Lora.Forward(SeedShape, Lora.Scaling(4f, 2), 1, SeedX, SeedW, SeedA, new float[8], y);
        AssertNear(new[] { 0.71, 0.16, -0.48, 0.08 }, y, 1e-6);

        Lora.Forward(SeedShape, Lora.Scaling(4f, 2), 1, SeedX, SeedW, SeedA, SeedTrainedB, y);
        AssertNear(new[] { 0.664, 0.288, -0.408, 0.108 }, y, 1e-6);
    }

    [Fact]
    public void SeedPrintedArithmeticIsReproduced()
    {
        // The seed's printed chain: y_base = [0.31, 0.16, −0.10, 0.38], x·Aᵀ = [0.12, 0.11], lora_out = [0.025, 0.068, 0.010,
        // 0.029], y = y_base + 2·lora_out = [0.36, 0.30, −0.08, 0.44] (rounded to 2 decimals; exactly [0.36, 0.296, −0.08,
        // 0.438]). A layer with exactly that base output and intermediate: x = e₀, W[:, 0] = y_base, A[:, 0] = x·Aᵀ.
        float[] w = (float[])SeedW.Clone();
        float[] a = (float[])SeedA.Clone();
        float[] yBase = { 0.31f, 0.16f, -0.10f, 0.38f };
        for (int o = 0; o < 4; o++)
        {
            w[o * 4] = yBase[o];
        }

        a[0] = 0.12f;
        a[4] = 0.11f;
        float[] x = { 1f, 0f, 0f, 0f };
        float[] y = new float[4];

        Lora.Forward(SeedShape, 2f, 1, x, w, a, new float[8], y);
        Assert.Equal(yBase, y);

        Lora.Forward(SeedShape, 2f, 1, x, w, a, SeedTrainedB, y);
        AssertNear(new[] { 0.36, 0.296, -0.08, 0.438 }, y, 1e-6);
        Assert.Equal(new[] { 0.36, 0.30, -0.08, 0.44 }, y.Select(v => Math.Round(v, 2)).ToArray());
    }

    [Theory]
    [InlineData(1, 4, 4, 2)]
    [InlineData(64, 300, 70, 8)]
    [InlineData(5, 380, 33, 8)]
    public void ZeroBForwardEqualsTheBaseLayerExactly(int rows, int inF, int outF, int rank)
    {
        // With B = 0 the low-rank K steps add exact zeros to the base GEMM's accumulators: not one bit may change.
        var random = new SeededRandom(11);
        var shape = new LoraShape(inF, outF, rank);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF), a = new float[rank * inF];
        Lora.InitializeA(shape, a, random);
        float[] y = new float[rows * outF], yBase = new float[rows * outF];
        Lora.Forward(shape, Lora.Scaling(16f, rank), rows, x, w, a, new float[outF * rank], y);
        Gemm.Multiply(false, true, rows, outF, inF, 1f, x, w, 0f, yBase);
        Assert.Equal(yBase, y);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesTheDoubleReference(string path, int rows, int inF, int outF, int rank)
    {
        using var scope = GemmPathScope.Force(path);
        var random = new SeededRandom((ulong)((rows * 7919) + (inF * 131) + outF + rank));
        var shape = new LoraShape(inF, outF, rank);
        float s = Lora.Scaling(5f, rank);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF);
        float[] a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] y = Reference.Random(random, rows * outF);
        var (expected, magnitude) = LoraReference.Forward(shape, s, rows, x, w, a, b);
        Lora.Forward(shape, s, rows, x, w, a, b, y);

        // Each element is a float32 sum of `in` base products and `r` low-rank products whose factors x·Aᵀ are themselves
        // sums of `in` products: |error| ≤ γ_(in + r + 4)·magnitude with the magnitudes of LoraReference.
        Reference.Close(expected, magnitude, y, inF + rank + 4, $"{path} forward");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardMatchesTheDoubleReference(string path, int rows, int inF, int outF, int rank)
    {
        using var scope = GemmPathScope.Force(path);
        var random = new SeededRandom((ulong)((rows * 31) + (inF * 1031) + outF + rank));
        var shape = new LoraShape(inF, outF, rank);
        float s = Lora.Scaling(3f, rank, useRsLora: true);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF);
        float[] a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] dy = Reference.Random(random, rows * outF);
        float[] da = Reference.Random(random, rank * inF), db = Reference.Random(random, outF * rank), dx = Reference.Random(random, rows * inF);
        var expected = LoraReference.Backward(shape, s, rows, x, w, a, b, dy);
        Lora.Backward(shape, s, rows, x, w, a, b, dy, da, db, dx);

        // dA: rows products of (dy·B), itself out products; dB: rows products of (x·Aᵀ), itself in products;
        // dx: out + r products. Bounds γ_n·magnitude as in Reference.Close.
        Reference.Close(expected.DA, expected.DAMagnitude, da, rows + outF + 4, $"{path} dA");
        Reference.Close(expected.DB, expected.DBMagnitude, db, rows + inF + 4, $"{path} dB");
        Reference.Close(expected.DX, expected.DXMagnitude, dx, outF + rank + 4, $"{path} dx");

        // dx may be skipped; dA and dB must not change.
        float[] da2 = new float[rank * inF], db2 = new float[outF * rank];
        Lora.Backward(shape, s, rows, x, w, a, b, dy, da2, db2, Span<float>.Empty);
        Assert.Equal(da, da2);
        Assert.Equal(db, db2);
    }

    [Fact]
    public void BackwardMatchesCentralFiniteDifferencesOfTheForward()
    {
        // L = Σ g ⊙ y is linear in each of x, A and B separately, so the central difference (L(θ + h) − L(θ − h)) / 2h is
        // exact up to float32 rounding of y: |noise| ≤ Σ|g|·γ_(in+r+4)·max magnitude / h ≈ 24·1.1e-6·4 / 0.01 ≈ 1e-2 at most,
        // typically 100x less; a wrong index or a missing s changes a gradient by O(1). Tolerance 2e-2 absolute.
        const int rows = 3, inF = 5, outF = 4, rank = 2;
        const float h = 0.01f;
        var shape = new LoraShape(inF, outF, rank);
        var random = new SeededRandom(2024);
        float s = Lora.Scaling(6f, rank);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF);
        float[] a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] g = Reference.Random(random, rows * outF);
        float[] da = new float[rank * inF], db = new float[outF * rank], dx = new float[rows * inF];
        Lora.Backward(shape, s, rows, x, w, a, b, g, da, db, dx);

        double Loss()
        {
            float[] y = new float[rows * outF];
            Lora.Forward(shape, s, rows, x, w, a, b, y);
            return y.Select((v, i) => (double)v * g[i]).Sum();
        }

        void Check(float[] parameter, float[] gradient, string name)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                float saved = parameter[i];
                parameter[i] = saved + h;
                double plus = Loss();
                parameter[i] = saved - h;
                double minus = Loss();
                parameter[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 2e-2, $"{name}[{i}]: analytic {gradient[i]}, numeric {numeric}");
            }
        }

        Check(a, da, "dA");
        Check(b, db, "dB");
        Check(x, dx, "dx");
    }

    [Theory]
    [InlineData("Vector512", 37, 45, 4, 16f)]
    [InlineData("Vector256", 37, 45, 4, 16f)]
    [InlineData("Scalar", 37, 45, 4, 16f)]
    [InlineData("Vector512", 130, 1000, 8, 5f)]
    [InlineData("Vector256", 33, 127, 64, 8f)]
    public void MergedForwardEqualsAdapterForward(string path, int outF, int inF, int rank, float alpha)
    {
        // alpha ≠ rank so that a forgotten scaling cannot pass.
        using var scope = GemmPathScope.Force(path);
        const int rows = 9;
        var random = new SeededRandom((ulong)(outF + inF + rank));
        var shape = new LoraShape(inF, outF, rank);
        float s = Lora.Scaling(alpha, rank);
        Assert.NotEqual(1f, s);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF);
        float[] a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] yAdapter = new float[rows * outF], yMerged = new float[rows * outF];
        Lora.Forward(shape, s, rows, x, w, a, b, yAdapter);

        float[] merged = (float[])w.Clone();
        Lora.MergeInto(shape, s, merged, a, b);

        // The merged weight against W + s·B·A in double: r products and one add, γ_(r+4)·(|W| + Σ|s·B||A|).
        var wExpected = new double[outF * inF];
        var wMagnitude = new double[outF * inF];
        for (int o = 0; o < outF; o++)
        {
            for (int p = 0; p < inF; p++)
            {
                double sum = w[(o * inF) + p], abs = Math.Abs(w[(o * inF) + p]);
                for (int j = 0; j < rank; j++)
                {
                    sum += (double)s * b[(o * rank) + j] * a[(j * inF) + p];
                    abs += Math.Abs((double)s * b[(o * rank) + j] * a[(j * inF) + p]);
                }

                wExpected[(o * inF) + p] = sum;
                wMagnitude[(o * inF) + p] = abs;
            }
        }

        Reference.Close(wExpected, wMagnitude, merged, rank + 4, "merged W");

        // Merge error: both forwards approximate the same double value; each is within γ_(in + r + 4)·Σ|x|(|W| + Σ|s·B||A|),
        // so their difference is within twice that.
        Gemm.Multiply(false, true, rows, outF, inF, 1f, x, merged, 0f, yMerged);
        for (int i = 0; i < rows; i++)
        {
            for (int o = 0; o < outF; o++)
            {
                double magnitude = 0;
                for (int p = 0; p < inF; p++)
                {
                    magnitude += Math.Abs(x[(i * inF) + p]) * wMagnitude[(o * inF) + p];
                }

                double gamma = (inF + rank + 4) * Reference.U;
                double error = Math.Abs(yMerged[(i * outF) + o] - yAdapter[(i * outF) + o]);
                Assert.True(error <= 2 * gamma * magnitude, $"merge error {error:E3} at ({i}, {o}) > {2 * gamma * magnitude:E3}");
            }
        }
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Scalar")]
    public void MergeThenUnmergeRestoresTheWeight(string path)
    {
        // Unmerge subtracts bit-for-bit the update d that merge added (same kernel, negated coefficients), so
        // W'' = fl(fl(W + d) − d) and |W'' − W| ≤ u·|W + d| + u·|W|·(1 + u): at most one rounding of the merged value each way.
        using var scope = GemmPathScope.Force(path);
        const int outF = 67, inF = 301, rank = 8;
        var random = new SeededRandom(99);
        var shape = new LoraShape(inF, outF, rank);
        float s = Lora.Scaling(32f, rank);
        float[] w = Reference.Random(random, outF * inF), a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] merged = (float[])w.Clone();
        Lora.MergeInto(shape, s, merged, a, b);
        Assert.False(merged.SequenceEqual(w));
        float[] restored = (float[])merged.Clone();
        Lora.UnmergeFrom(shape, s, restored, a, b);
        for (int i = 0; i < w.Length; i++)
        {
            double bound = (Reference.U * Math.Abs(merged[i])) + (Reference.U * Math.Abs(w[i]) * (1 + Reference.U)) + 1e-45;
            Assert.True(Math.Abs(restored[i] - w[i]) <= bound, $"element {i}: {restored[i]:R} vs {w[i]:R}");
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    public void MergeIsIndependentOfThreadsAndEqualsSafeMerge(int threads, int rank)
    {
        const int outF = 203, inF = 517;
        var random = new SeededRandom(5);
        var shape = new LoraShape(inF, outF, rank);
        float[] w = Reference.Random(random, outF * inF), a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        float[] expected = (float[])w.Clone();
        using (GemmPathScope.Force("Vector512", threads: 1))
        {
            Lora.MergeInto(shape, 0.25f, expected, a, b);
        }

        using var scope = GemmPathScope.Force("Vector512", threads);
        float[] merged = (float[])w.Clone(), safe = (float[])w.Clone();
        Lora.MergeInto(shape, 0.25f, merged, a, b);
        Lora.SafeMergeInto(shape, 0.25f, safe, a, b);
        Assert.Equal(expected, merged);
        Assert.Equal(expected, safe);
    }

    [Fact]
    public void ForwardAndBackwardAreIndependentOfTheThreadCount()
    {
        // Large enough that every stage (skinny products, rank-row products, GEMMs) takes its multi-threaded path.
        const int rows = 300, inF = 1000, outF = 900, rank = 8;
        var shape = new LoraShape(inF, outF, rank);
        var random = new SeededRandom(12);
        float[] x = Reference.Random(random, rows * inF), w = Reference.Random(random, outF * inF);
        float[] a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank), dy = Reference.Random(random, rows * outF);

        (float[] Y, float[] DA, float[] DB, float[] DX) Run(int threads)
        {
            using var scope = GemmPathScope.Force("Vector512", threads);
            float[] y = new float[rows * outF], da = new float[rank * inF], db = new float[outF * rank], dx = new float[rows * inF];
            Lora.Forward(shape, 2f, rows, x, w, a, b, y);
            Lora.Backward(shape, 2f, rows, x, w, a, b, dy, da, db, dx);
            return (y, da, db, dx);
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.DA, two.DA);
        Assert.Equal(one.DB, two.DB);
        Assert.Equal(one.DX, two.DX);
    }

    [Theory]
    [InlineData("a", float.NaN)]
    [InlineData("b", float.PositiveInfinity)]
    [InlineData("weight", float.NaN)]
    [InlineData("overflow", 3e38f)]
    public void SafeMergeRefusesNonFiniteAndLeavesWeightUntouched(string where, float bad)
    {
        const int outF = 21, inF = 40, rank = 3;
        var shape = new LoraShape(inF, outF, rank);
        var random = new SeededRandom(3);
        float[] w = Reference.Random(random, outF * inF), a = Reference.Random(random, rank * inF), b = Reference.Random(random, outF * rank);
        switch (where)
        {
            case "a":
                a[17] = bad;
                break;
            case "b":
                b[outF * rank - 1] = bad;
                break;
            case "weight":
                w[500] = bad;
                break;
            default:
                // Every input finite, the merged value overflows: W = 3e38 and s·B·A ≈ 2·1·1·3e38 at element (10, 7).
                w[(10 * inF) + 7] = bad;
                Array.Clear(b);
                b[10 * rank] = 1f;
                a[7] = bad;
                break;
        }

        float[] before = (float[])w.Clone();
        var error = Assert.Throws<NonFiniteValueException>(() => Lora.SafeMergeInto(shape, 2f, w, a, b));
        Assert.Equal(where == "overflow" ? "weight" : where, error.ParameterName);
        Assert.True(before.AsSpan().SequenceEqual(w), "W changed although the merge was refused");
    }

    [Fact]
    public void InitializeAIsKaimingUniformLikePeft()
    {
        var shape = new LoraShape(4096, 16, 8);
        float[] a = new float[shape.ALength], again = new float[shape.ALength];
        Lora.InitializeA(shape, a, new SeededRandom(42));
        Lora.InitializeA(shape, again, new SeededRandom(42));
        Assert.Equal(a, again);
        double bound = 1 / Math.Sqrt(4096);
        Assert.All(a, v => Assert.InRange(v, -bound, bound));

        // U(−c, c) has mean 0 and variance c²/3; with 32768 draws the standard errors are c/√(3·32768) ≈ 0.0032c for
        // the mean and ≈ 0.0050·c²/3 for the variance, so 0.02c and 3 % are five-sigma-plus bands (the seed is fixed).
        double mean = a.Average(v => (double)v);
        double variance = a.Average(v => ((double)v - mean) * ((double)v - mean));
        Assert.InRange(mean, -0.02 * bound, 0.02 * bound);
        Assert.InRange(variance, 0.97 * bound * bound / 3, 1.03 * bound * bound / 3);
    }

    [Fact]
    public void ScalingIsAlphaOverRankOrOverSqrtRank()
    {
        Assert.Equal(2f, Lora.Scaling(16f, 8));
        Assert.Equal(16f / MathF.Sqrt(8), Lora.Scaling(16f, 8, useRsLora: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lora.Scaling(16f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lora.Scaling(float.NaN, 8));
    }

    [Fact]
    public void ShapeMismatchesNameTheParameterAndBothShapes()
    {
        var shape = new LoraShape(5, 3, 2);
        const int rows = 4;
        float[] x = new float[rows * 5], w = new float[15], a = new float[10], b = new float[6], y = new float[rows * 3];
        float[] dy = new float[rows * 3], da = new float[10], db = new float[6], dx = new float[rows * 5];

        AssertShape("x", "[4 x 5]", () => Lora.Forward(shape, 1f, rows, new float[19], w, a, b, y));
        AssertShape("weight", "[3 x 5]", () => Lora.Forward(shape, 1f, rows, x, new float[16], a, b, y));
        AssertShape("a", "[2 x 5]", () => Lora.Forward(shape, 1f, rows, x, w, new float[9], b, y));
        AssertShape("b", "[3 x 2]", () => Lora.Forward(shape, 1f, rows, x, w, a, new float[5], y));
        AssertShape("y", "[4 x 3]", () => Lora.Forward(shape, 1f, rows, x, w, a, b, new float[13]));

        AssertShape("dy", "[4 x 3]", () => Lora.Backward(shape, 1f, rows, x, w, a, b, new float[11], da, db, dx));
        AssertShape("da", "[2 x 5]", () => Lora.Backward(shape, 1f, rows, x, w, a, b, dy, new float[11], db, dx));
        AssertShape("db", "[3 x 2]", () => Lora.Backward(shape, 1f, rows, x, w, a, b, dy, da, new float[7], dx));
        AssertShape("dx", "[4 x 5]", () => Lora.Backward(shape, 1f, rows, x, w, a, b, dy, da, db, new float[21]));
        AssertShape("x", "[4 x 5]", () => Lora.Backward(shape, 1f, rows, new float[3], w, a, b, dy, da, db, dx));

        AssertShape("weight", "[3 x 5]", () => Lora.MergeInto(shape, 1f, new float[14], a, b));
        AssertShape("a", "[2 x 5]", () => Lora.UnmergeFrom(shape, 1f, w, new float[11], b));
        AssertShape("b", "[3 x 2]", () => Lora.SafeMergeInto(shape, 1f, w, a, new float[2]));
        AssertShape("a", "[2 x 5]", () => Lora.InitializeA(shape, new float[9], new SeededRandom(1)));
    }

    [Fact]
    public void NonPositiveDimensionsThrowOutOfRange()
    {
        float[] any = new float[4];
        Assert.Equal("shape.InFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => Lora.Forward(new LoraShape(0, 2, 2), 1f, 1, any, any, any, any, any)).ParamName);
        Assert.Equal("shape.OutFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => Lora.Backward(new LoraShape(2, -1, 2), 1f, 1, any, any, any, any, any, any, any, any)).ParamName);
        Assert.Equal("shape.Rank", Assert.Throws<ArgumentOutOfRangeException>(() => Lora.MergeInto(new LoraShape(2, 2, 0), 1f, any, any, any)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Lora.Forward(new LoraShape(2, 2, 2), 1f, 0, any, any, any, any, any)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Lora.UnmergeFrom(new LoraShape(2, 2, -3), 1f, any, any, any));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lora.SafeMergeInto(new LoraShape(2, 0, 2), 1f, any, any, any));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lora.InitializeA(new LoraShape(0, 2, 2), any, new SeededRandom(1)));
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        using var scope = GemmPathScope.Force("Vector512", threads: 1);
        var shape = new LoraShape(96, 80, 8);
        const int rows = 40;
        var random = new SeededRandom(8);
        float[] x = Reference.Random(random, rows * 96), w = Reference.Random(random, 80 * 96);
        float[] a = Reference.Random(random, 8 * 96), b = Reference.Random(random, 80 * 8);
        float[] y = new float[rows * 80], dy = Reference.Random(random, rows * 80);
        float[] da = new float[8 * 96], db = new float[80 * 8], dx = new float[rows * 96];

        void Step()
        {
            Lora.Forward(shape, 2f, rows, x, w, a, b, y);
            Lora.Backward(shape, 2f, rows, x, w, a, b, dy, da, db, dx);
            Lora.MergeInto(shape, 2f, w, a, b);
            Lora.UnmergeFrom(shape, 2f, w, a, b);
            Lora.SafeMergeInto(shape, 2f, w, a, b);
        }

        Step();

        // ArrayPool.Shared may trim its buckets on a gen-2 GC caused by other work in the test process, after which the
        // next rent allocates once. A kernel that allocates per call allocates in every window, so one clean window out
        // of three proves the steady state without letting a per-call allocation through.
        long allocated = long.MaxValue;
        for (int window = 0; window < 3 && allocated != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Step();
            Step();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    internal static void AssertShape(string parameter, string shape, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(shape, error.Message);
        Assert.Contains("got ", error.Message);
    }

    private static void AssertNear(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"element {i}: {actual[i]:R}, expected {expected[i]}");
        }
    }
}
