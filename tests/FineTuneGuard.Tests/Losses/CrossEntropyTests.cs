using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Losses;

// Runs in the non-parallel collection: the allocation assertions on the multi-core split path hold when no other
// test floods the thread pool's queue at the same moment (an enqueue that finds the queue full grows it).
[Collection(FineTuneGuard.Tests.Kernels.KernelTestCollection.Name)]
public class CrossEntropyTests
{
    public static TheoryData<int, int, float> Shapes => new()
    {
        { 1, 1, 0f }, { 3, 7, 0f }, { 5, 8, 0f }, { 4, 33, 0f }, { 6, 1000, 0f }, { 2, 32000, 0f },
        { 3, 7, 0.1f }, { 4, 33, 0.2f }, { 6, 1000, 0.1f }, { 9, 31, 0.05f },
    };

    // Tolerances: the kernel sums exponentials in float vectors flushed into double every 1024 terms and its exp is
    // ≈ 1-2 ulp, so losses agree with the double reference to ~1e-6 relative; gradient entries are float softmax
    // probabilities scaled by 1/n, good to ~1e-7 absolute.
    [Theory]
    [MemberData(nameof(Shapes))]
    public void IgnoreIndexLossAndGradientMatchTheDoubleReference(int rows, int vocab, float smoothing)
    {
        var random = new SeededRandom((ulong)((rows * 7919) + vocab));
        float[] logits = NaiveReference.RandomLogits(random, rows * vocab);
        int[] labels = NaiveReference.RandomTargets(random, rows, vocab);
        var weights = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            // Every other row ignored, the first one always kept.
            if (i % 2 == 1)
            {
                labels[i] = CrossEntropy.IgnoreIndex;
            }

            weights[i] = labels[i] == CrossEntropy.IgnoreIndex ? 0 : 1;
        }

        double expected = NaiveReference.CrossEntropy(logits, labels, weights, vocab, smoothing, out double[] expectedGrad);
        var grad = new float[logits.Length];
        Array.Fill(grad, float.NaN); // must be overwritten everywhere, ignored rows included
        float loss = CrossEntropy.Loss(logits, labels, vocab, grad, labelSmoothing: smoothing);

        Assert.Equal(expected, loss, expected * 2e-6 + 1e-6);
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(expectedGrad[i], grad[i], 1e-6);
        }
    }

    [Theory]
    [InlineData(4, 7)]
    [InlineData(3, 33)]
    [InlineData(5, 1000)]
    public void MaskedLossWithFractionalWeightsMatchesTheReference(int rows, int vocab)
    {
        var random = new SeededRandom(11);
        float[] logits = NaiveReference.RandomLogits(random, rows * vocab);
        int[] targets = NaiveReference.RandomTargets(random, rows, vocab);
        float[] mask = Enumerable.Range(0, rows).Select(i => i == 1 ? 0f : 0.25f * (i + 1)).ToArray();
        double expected = NaiveReference.CrossEntropy(logits, targets, mask.Select(m => (double)m).ToArray(), vocab, 0.1, out double[] expectedGrad);
        var grad = new float[logits.Length];
        float loss = CrossEntropy.MaskedLoss(logits, targets, mask, vocab, grad, labelSmoothing: 0.1f);
        Assert.Equal(expected, loss, expected * 2e-6);
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(expectedGrad[i], grad[i], 1e-6);
        }
    }

    [Fact]
    public void MaskedLossEqualsTheUnmaskedLossOverTheSelectedTokensOnly()
    {
        const int Rows = 10, Vocab = 37;
        var random = new SeededRandom(5);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab);
        int[] targets = NaiveReference.RandomTargets(random, Rows, Vocab);
        int[] selected = { 3, 4, 5, 8 };
        float[] mask = new float[Rows];
        int[] labels = Enumerable.Repeat(CrossEntropy.IgnoreIndex, Rows).ToArray();
        foreach (int i in selected)
        {
            mask[i] = 1;
            labels[i] = targets[i];
        }

        float[] selectedLogits = selected.SelectMany(i => logits.Skip(i * Vocab).Take(Vocab)).ToArray();
        int[] selectedTargets = selected.Select(i => targets[i]).ToArray();
        var fullGrad = new float[logits.Length];
        var selectedGrad = new float[selectedLogits.Length];

        float unmasked = CrossEntropy.UnmaskedLoss(selectedLogits, selectedTargets, Vocab, selectedGrad);
        float masked = CrossEntropy.MaskedLoss(logits, targets, mask, Vocab, fullGrad);
        float ignored = CrossEntropy.Loss(logits, labels, Vocab);

        // Same rows, same kernel, same reduction order: identical bits.
        Assert.Equal(unmasked, masked);
        Assert.Equal(unmasked, ignored);
        for (int k = 0; k < selected.Length; k++)
        {
            Assert.Equal(selectedGrad.AsSpan(k * Vocab, Vocab).ToArray(), fullGrad.AsSpan(selected[k] * Vocab, Vocab).ToArray());
        }

        Assert.All(fullGrad.Take(3 * Vocab), g => Assert.Equal(0f, g));

        // And the full-sequence mean differs: it averages prompt tokens in.
        Assert.NotEqual(masked, CrossEntropy.UnmaskedLoss(logits, targets, Vocab));
    }

    [Fact]
    public void GradientMatchesCentralDifferences()
    {
        // Float loss, h = 1e-2: truncation O(h²·|f'''|) ≈ 1e-5 and rounding ≈ 6e-8·|f|/h ≈ 1e-5, so 2e-4 is ample.
        const int Rows = 3, Vocab = 11;
        var random = new SeededRandom(21);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab, 1.5f);
        int[] labels = { 4, CrossEntropy.IgnoreIndex, 10 };
        float[] mask = { 1f, 0f, 0.5f };
        var grad = new float[logits.Length];

        CrossEntropy.Loss(logits, labels, Vocab, grad, labelSmoothing: 0.1f);
        for (int i = 0; i < logits.Length; i++)
        {
            double fd = NaiveReference.CentralDifference(logits, i, 1e-2f, () => CrossEntropy.Loss(logits, labels, Vocab, labelSmoothing: 0.1f));
            Assert.Equal(fd, grad[i], 2e-4);
        }

        CrossEntropy.MaskedLoss(logits, new[] { 4, 0, 10 }, mask, Vocab, grad);
        for (int i = 0; i < logits.Length; i++)
        {
            double fd = NaiveReference.CentralDifference(logits, i, 1e-2f, () => CrossEntropy.MaskedLoss(logits, new[] { 4, 0, 10 }, mask, Vocab));
            Assert.Equal(fd, grad[i], 2e-4);
        }

        CrossEntropy.UnmaskedLoss(logits, new[] { 4, 0, 10 }, Vocab, grad);
        for (int i = 0; i < logits.Length; i++)
        {
            double fd = NaiveReference.CentralDifference(logits, i, 1e-2f, () => CrossEntropy.UnmaskedLoss(logits, new[] { 4, 0, 10 }, Vocab));
            Assert.Equal(fd, grad[i], 2e-4);
        }
    }

    [Fact]
    public void ExtremeLogitsStayFiniteAndExact()
    {
        const int Vocab = 19; // two full vectors and a tail
        float[] logits = new float[2 * Vocab];
        logits[0] = 1e4f;
        logits[1] = -1e4f;
        logits[Vocab + 17] = -1e4f;
        logits[Vocab + 18] = 1e4f;
        var grad = new float[logits.Length];

        float confident = CrossEntropy.UnmaskedLoss(logits, new[] { 0, 18 }, Vocab, grad);
        Assert.Equal(0f, confident);
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));

        var losses = new float[2];
        CrossEntropy.TokenLosses(logits, new[] { 1, 17 }, Vocab, losses);
        Assert.Equal(2e4f, losses[0]);
        Assert.Equal(2e4f, losses[1]);
        float wrong = CrossEntropy.Loss(logits, new[] { 1, 17 }, Vocab, grad);
        Assert.Equal(2e4f, wrong);
        Assert.Equal(-0.5f, grad[1]);
        Assert.Equal(0.5f, grad[0]);
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void NaNLogitsPropagateInsteadOfBeingHidden()
    {
        // A NaN anywhere in a selected row (here in the second 1024-element block) must surface in the loss.
        float[] logits = new float[2 * 3000];
        logits[1500] = float.NaN;
        Assert.True(float.IsNaN(CrossEntropy.Loss(logits, new[] { 0, 1 }, 3000)));
        Assert.False(float.IsNaN(CrossEntropy.Loss(logits, new[] { CrossEntropy.IgnoreIndex, 1 }, 3000)));
    }

    [Fact]
    public void AllIgnoredOrAllMaskedThrowsInsteadOfReturningNaN()
    {
        float[] logits = new float[3 * 4];
        var ignored = Assert.Throws<ArgumentException>(() => CrossEntropy.Loss(logits, new[] { -100, -100, -100 }, 4));
        Assert.Equal("labels", ignored.ParamName);
        Assert.Contains("ignore index -100", ignored.Message, StringComparison.Ordinal);

        var masked = Assert.Throws<ArgumentException>(() => CrossEntropy.MaskedLoss(logits, new[] { 1, 2, 3 }, new float[3], 4));
        Assert.Equal("mask", masked.ParamName);
        Assert.Throws<ArgumentException>(() => TokenLoss.AnswerOnlyMean(new float[3], new float[3]));
    }

    [Fact]
    public void BadArgumentsNameTheParameterAndBothShapes()
    {
        var logits = new float[3 * 10];
        var shape = Assert.Throws<ArgumentException>(() => CrossEntropy.Loss(logits, new int[4], 10));
        Assert.Equal("logits", shape.ParamName);
        Assert.Contains("[4 x 10]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("got 30 elements", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[3 x 10]", shape.Message, StringComparison.Ordinal);

        var grad = Assert.Throws<ArgumentException>(() => CrossEntropy.Loss(logits, new int[3], 10, new float[29]));
        Assert.Equal("gradLogits", grad.ParamName);
        Assert.Contains("[3 x 10]", grad.Message, StringComparison.Ordinal);

        var mask = Assert.Throws<ArgumentException>(() => CrossEntropy.MaskedLoss(logits, new int[3], new float[2], 10));
        Assert.Equal("mask", mask.ParamName);
        Assert.Contains("[3]", mask.Message, StringComparison.Ordinal);
        Assert.Contains("[2]", mask.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Loss(logits, new int[3], 0));
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Loss(logits, new[] { 1, 10, 2 }, 10));
        Assert.Contains("labels[1]", label.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Loss(logits, new int[3], 10, labelSmoothing: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.MaskedLoss(logits, new int[3], new[] { 1f, -1f, 0f }, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.UnmaskedLoss(logits, new[] { 0, -100, 1 }, 10));
    }

    [Fact]
    public void SplitAcrossCoresGivesTheSameBitsAsRowByRow()
    {
        // 48 x 8192 = 393216 logits: above the split threshold, so the batch call fans out; single rows never do.
        const int Rows = 48, Vocab = 8192;
        var random = new SeededRandom(99);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab);
        int[] targets = NaiveReference.RandomTargets(random, Rows, Vocab);
        var batch = new float[Rows];
        var batchGrad = new float[logits.Length];
        CrossEntropy.TokenLosses(logits, targets, Vocab, batch);
        CrossEntropy.UnmaskedLoss(logits, targets, Vocab, batchGrad);

        var one = new float[1];
        for (int i = 0; i < Rows; i++)
        {
            CrossEntropy.TokenLosses(logits.AsSpan(i * Vocab, Vocab), targets.AsSpan(i, 1), Vocab, one);
            Assert.Equal(one[0], batch[i]);
        }

        var rowGrad = new float[Vocab];
        CrossEntropy.UnmaskedLoss(logits.AsSpan(7 * Vocab, Vocab), targets.AsSpan(7, 1), Vocab, rowGrad);
        for (int j = 0; j < Vocab; j++)
        {
            // The batch gradient carries 1/48, the single row 1/1.
            Assert.Equal(rowGrad[j] / Rows, batchGrad[(7 * Vocab) + j], 1e-9);
        }
    }

    [Fact]
    public void ConcurrentCallersOnTheSplitPathGetTheSameBitsAndOneCallerAllocatesNothing()
    {
        const int Rows = 40, Vocab = 8192; // 327680 logits: split across the cores
        var random = new SeededRandom(123);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab);
        int[] targets = NaiveReference.RandomTargets(random, Rows, Vocab);
        var expected = new float[Rows];
        CrossEntropy.TokenLosses(logits, targets, Vocab, expected);

        // Several callers at once: each one's sessions and helpers must never mix with another's.
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.For(0, 8, caller =>
        {
            var losses = new float[Rows];
            for (int repeat = 0; repeat < 5; repeat++)
            {
                CrossEntropy.TokenLosses(logits, targets, Vocab, losses);
                if (!losses.SequenceEqual(expected))
                {
                    failures.Add($"caller {caller} repeat {repeat}");
                }
            }
        });
        Assert.Empty(failures);

        // Allocation is asserted on the multi-core split path (at least 2 threads even on a 1-core box: the helpers
        // go to the thread pool either way), for one caller. GC.GetAllocatedBytesForCurrentThread counts only the
        // calling thread, and that is the claim: the caller's fork/join (session, helper work items, join) allocates
        // nothing per call; pool threads that run the helpers are not measured here.
        int degree = CrossEntropy.MaxDegreeOfParallelism;
        CrossEntropy.MaxDegreeOfParallelism = Math.Max(2, degree);
        try
        {
            Assert.True(FineTuneGuard.Losses.RowParallel.ShouldSplit(Rows, Vocab), "cross-entropy must take the split path");
            Assert.True(FineTuneGuard.Losses.RowParallel.ShouldSplit(Rows, 2 * Vocab), "KL must take the split path");

            var grad = new float[logits.Length];
            for (int warm = 0; warm < 5; warm++)
            {
                CrossEntropy.Loss(logits, targets, Vocab, grad);
                KlDivergence.TunedToBase(logits, logits, Vocab, grad);
            }

            // A gen-2 GC caused by other work may trim the shared pools, after which the next call allocates once; a
            // per-call allocation shows in every window, so one clean window out of three proves the steady state.
            long crossEntropyBytes = long.MaxValue, klBytes = long.MaxValue;
            for (int window = 0; window < 3 && (crossEntropyBytes != 0 || klBytes != 0); window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++)
                {
                    CrossEntropy.Loss(logits, targets, Vocab, grad);
                }

                long middle = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++)
                {
                    KlDivergence.TunedToBase(logits, logits, Vocab, grad);
                }

                crossEntropyBytes = middle - before;
                klBytes = GC.GetAllocatedBytesForCurrentThread() - middle;
            }

            Assert.Equal(0, crossEntropyBytes);
            Assert.Equal(0, klBytes);
        }
        finally
        {
            CrossEntropy.MaxDegreeOfParallelism = degree;
        }
    }

    [Fact]
    public void NoAllocationPerCallInSteadyState()
    {
        const int Rows = 16, Vocab = 1000;
        var random = new SeededRandom(3);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab);
        int[] labels = NaiveReference.RandomTargets(random, Rows, Vocab);
        labels[0] = CrossEntropy.IgnoreIndex;
        float[] mask = Enumerable.Repeat(1f, Rows).ToArray();
        var grad = new float[logits.Length];
        var losses = new float[Rows];

        for (int warm = 0; warm < 3; warm++)
        {
            CrossEntropy.Loss(logits, labels, Vocab, grad, labelSmoothing: 0.1f);
            CrossEntropy.MaskedLoss(logits, NaiveReference.RandomTargets(random, Rows, Vocab), mask, Vocab, grad);
        }

        int[] targets = NaiveReference.RandomTargets(random, Rows, Vocab);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            CrossEntropy.Loss(logits, labels, Vocab, grad, labelSmoothing: 0.1f);
            CrossEntropy.MaskedLoss(logits, targets, mask, Vocab, grad);
            CrossEntropy.UnmaskedLoss(logits, targets, Vocab);
            CrossEntropy.TokenLosses(logits, labels, Vocab, losses);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TokenLossesFeedTheAnswerOnlyMean()
    {
        const int Rows = 5, Vocab = 9;
        var random = new SeededRandom(8);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab);
        int[] targets = NaiveReference.RandomTargets(random, Rows, Vocab);
        float[] mask = { 0, 0, 1, 1, 0 };
        var losses = new float[Rows];
        CrossEntropy.TokenLosses(logits, targets, Vocab, losses);
        for (int i = 0; i < Rows; i++)
        {
            Assert.Equal(-NaiveReference.LogSoftmax(logits, i, Vocab)[targets[i]], losses[i], 2e-6);
        }

        Assert.Equal(CrossEntropy.MaskedLoss(logits, targets, mask, Vocab), TokenLoss.AnswerOnlyMean(losses, mask), 1e-6);
        Assert.Equal(CrossEntropy.UnmaskedLoss(logits, targets, Vocab), TokenLoss.Mean(losses), 1e-6);
    }
}
