using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Losses;

// Runs in the non-parallel collection: the allocation assertions on the multi-core split path hold when no
// other test competes for the loss kernels' per-caller sessions at the same moment.
[Collection(FineTuneGuard.Tests.Kernels.KernelTestCollection.Name)]
public class KlDivergenceTests
{
    [Fact]
    public void TheoryCellKlFromLogitsIs0068599()
    {
        // Theory notebook, section 1: base [2, 1.5, 0.2, -0.5], tuned = base + [0.1, -0.4, 0.8, -0.2];
        // the notebook's sum(tuned·(log(tuned + 1e-12) − log(base + 1e-12))) is 0.0685990958501 (the ε shifts it by 6e-13).
        float[] @base = { 2.0f, 1.5f, 0.2f, -0.5f };
        float[] tuned = { 2.1f, 1.1f, 1.0f, -0.7f };
        float kl = KlDivergence.TunedToBase(tuned, @base, 4);
        Assert.Equal(0.068599, kl, 6);
        Assert.Equal(0.0685991, kl, 6e-7);

        double[] pb = Softmax(@base), pt = Softmax(tuned);
        Assert.Equal(0.068599, KlDivergence.FromProbabilities(pt, pb), 6);
        Assert.Equal(new[] { 0.539, 0.327, 0.089, 0.044 }, pb.Select(p => Math.Round(p, 3)));
        Assert.Equal(new[] { 0.568, 0.209, 0.189, 0.035 }, pt.Select(p => Math.Round(p, 3)));
    }

    [Fact]
    public void ExerciseTwoKlIs0091516()
    {
        // Exercises notebook, exercise 2: base [0.6, 0.3, 0.1], tuned [0.4, 0.4, 0.2] → KL 0.0915162218494358.
        double kl = KlDivergence.FromProbabilities(new[] { 0.4, 0.4, 0.2 }, new[] { 0.6, 0.3, 0.1 });
        Assert.Equal(0.0915162218494358, kl, 15);
        Assert.Equal(0.091516, KlDivergence.TunedToBase(
            new[] { MathF.Log(0.4f), MathF.Log(0.4f), MathF.Log(0.2f) }, new[] { MathF.Log(0.6f), MathF.Log(0.3f), MathF.Log(0.1f) }, 3), 6);
    }

    [Fact]
    public void TheoryCellKlGrowsWithUpdateStrength()
    {
        // Theory notebook, section 10: base [2, 1, 0] moved along [-0.5, 0.2, 0.8] with strengths linspace(0, 3, 20);
        // KL is 0 at strength 0, grows monotonically, and the final KL is 1.0676230894376795 (double, with the +1e-12).
        float[] @base = { 2f, 1f, 0f };
        float[] direction = { -0.5f, 0.2f, 0.8f };
        double previous = -1;
        float kl = 0;
        for (int i = 0; i < 20; i++)
        {
            float strength = 3f * i / 19;
            float[] tuned = @base.Select((b, j) => b + (strength * direction[j])).ToArray();
            kl = KlDivergence.TunedToBase(tuned, @base, 3);
            Assert.True(kl > previous);
            previous = kl;
            if (i == 0)
            {
                Assert.Equal(0f, kl);
            }
        }

        Assert.Equal(1.0676230894376795, kl, 2e-6);
    }

    [Fact]
    public void FromProbabilitiesEdgeCases()
    {
        Assert.Equal(0.0, KlDivergence.FromProbabilities(new[] { 0.5, 0.5, 0 }, new[] { 0.5, 0.5, 0 }));
        Assert.Equal(double.PositiveInfinity, KlDivergence.FromProbabilities(new[] { 0.5, 0.5 }, new[] { 1.0, 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => KlDivergence.FromProbabilities(new[] { -0.1, 1.1 }, new[] { 0.5, 0.5 }));
        Assert.Throws<ArgumentException>(() => KlDivergence.FromProbabilities(new[] { 1.0 }, new[] { 0.5, 0.5 }));
    }

    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 7 }, { 2, 8 }, { 4, 33 }, { 5, 1000 }, { 2, 32000 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheDoubleReferenceAndIsNonNegative(int rows, int vocab)
    {
        var random = new SeededRandom((ulong)(rows + (31 * vocab)));
        float[] tuned = NaiveReference.RandomLogits(random, rows * vocab);
        float[] @base = NaiveReference.RandomLogits(random, rows * vocab);
        double expected = NaiveReference.Kl(tuned, @base, vocab, out double[] expectedGrad);
        var grad = new float[tuned.Length];
        float kl = KlDivergence.TunedToBase(tuned, @base, vocab, grad);

        // Tolerance: float exponentials and (a − b) differences of size ~10 give ~1e-6 relative.
        Assert.True(kl >= 0);
        Assert.Equal(expected, kl, (expected * 5e-6) + 1e-6);
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(expectedGrad[i], grad[i], 2e-6);
        }

        var perRow = new float[rows];
        KlDivergence.PerRow(tuned, @base, vocab, perRow);
        Assert.Equal(kl, perRow.Select(v => (double)v).Average(), 1e-5);
        Assert.All(perRow, v => Assert.True(v >= 0));
    }

    [Fact]
    public void MaximaThatGrowBlockAfterBlockAreRescaledExactly()
    {
        // Ramps make both row maxima grow in every 1024-element block (tuned faster than base), the worst case for the
        // one-pass frame changes; a second row puts the maxima in the first block instead.
        const int Vocab = 5000;
        var tuned = new float[2 * Vocab];
        var @base = new float[2 * Vocab];
        for (int j = 0; j < Vocab; j++)
        {
            tuned[j] = j * 0.004f;
            @base[j] = (j * 0.003f) + (0.5f * MathF.Sin(j));
            tuned[Vocab + j] = -j * 0.002f;
            @base[Vocab + j] = MathF.Cos(j) - (j * 0.001f);
        }

        double expected = NaiveReference.Kl(tuned, @base, Vocab, out double[] expectedGrad);
        var grad = new float[tuned.Length];
        Assert.Equal(expected, KlDivergence.TunedToBase(tuned, @base, Vocab, grad), expected * 5e-6);
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(expectedGrad[i], grad[i], 2e-6);
        }

        tuned[4000] = float.NaN;
        Assert.True(float.IsNaN(KlDivergence.TunedToBase(tuned, @base, Vocab)));
    }

    [Fact]
    public void EqualInputsGiveExactlyZeroAndZeroGradient()
    {
        var random = new SeededRandom(4);
        float[] logits = NaiveReference.RandomLogits(random, 3 * 45, 10f);
        var grad = new float[logits.Length];
        Array.Fill(grad, 1f);
        Assert.Equal(0f, KlDivergence.TunedToBase(logits, logits, 45, grad));
        Assert.All(grad, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void ShiftingARowOfLogitsChangesNothing()
    {
        var random = new SeededRandom(6);
        float[] tuned = NaiveReference.RandomLogits(random, 2 * 100);
        float[] @base = NaiveReference.RandomLogits(random, 2 * 100);
        float[] shifted = tuned.Select(v => v + 1000f).ToArray();
        Assert.Equal(KlDivergence.TunedToBase(tuned, @base, 100), KlDivergence.TunedToBase(shifted, @base, 100), 1e-3);
    }

    [Fact]
    public void ExtremeLogitsStayFinite()
    {
        float[] tuned = new float[2 * 20];
        float[] @base = new float[2 * 20];
        tuned[0] = 1e4f;
        @base[1] = 1e4f;
        tuned[39] = -1e4f;
        @base[20] = -1e4f;
        var grad = new float[tuned.Length];
        float kl = KlDivergence.TunedToBase(tuned, @base, 20, grad);
        Assert.True(float.IsFinite(kl));
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));

        // Row 0: p_t is one-hot on 0, p_b one-hot on 1, so KL = log p_t(0) − log p_b(0) = 0 − (−1e4) = 1e4.
        var perRow = new float[2];
        KlDivergence.PerRow(tuned, @base, 20, perRow);
        Assert.Equal(1e4f, perRow[0], 1e-2f);
    }

    [Fact]
    public void GradientMatchesCentralDifferences()
    {
        const int Rows = 2, Vocab = 13;
        var random = new SeededRandom(12);
        float[] tuned = NaiveReference.RandomLogits(random, Rows * Vocab, 1f);
        float[] @base = NaiveReference.RandomLogits(random, Rows * Vocab, 1f);
        var grad = new float[tuned.Length];
        KlDivergence.TunedToBase(tuned, @base, Vocab, grad);
        for (int i = 0; i < tuned.Length; i++)
        {
            // Float KL of size ~1, h = 1e-2: error ≈ 1e-5 (rounding) + 1e-5 (truncation); tolerance 2e-4.
            double fd = NaiveReference.CentralDifference(tuned, i, 1e-2f, () => KlDivergence.TunedToBase(tuned, @base, Vocab));
            Assert.Equal(fd, grad[i], 2e-4);
        }
    }

    [Fact]
    public void BadShapesNameTheParameterAndBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => KlDivergence.TunedToBase(new float[20], new float[15], 5));
        Assert.Equal("baseLogits", e.ParamName);
        Assert.Contains("[4 x 5]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3 x 5]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KlDivergence.TunedToBase(new float[21], new float[21], 5));
        Assert.Throws<ArgumentException>(() => KlDivergence.TunedToBase(new float[20], new float[20], 5, new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => KlDivergence.TunedToBase(new float[20], new float[20], 0));
        Assert.Throws<ArgumentException>(() => KlDivergence.TunedToBase(Array.Empty<float>(), Array.Empty<float>(), 5));
    }

    [Fact]
    public void NoAllocationPerCallInSteadyState()
    {
        var random = new SeededRandom(1);
        float[] tuned = NaiveReference.RandomLogits(random, 8 * 1000);
        float[] @base = NaiveReference.RandomLogits(random, 8 * 1000);
        var grad = new float[tuned.Length];
        var perRow = new float[8];
        KlDivergence.TunedToBase(tuned, @base, 1000, grad);
        KlDivergence.PerRow(tuned, @base, 1000, perRow);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            KlDivergence.TunedToBase(tuned, @base, 1000, grad);
            KlDivergence.TunedToBase(tuned, @base, 1000);
            KlDivergence.PerRow(tuned, @base, 1000, perRow);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double[] Softmax(float[] z)
    {
        double max = z.Max();
        double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
