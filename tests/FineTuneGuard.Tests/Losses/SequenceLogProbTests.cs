using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Losses;

public class SequenceLogProbTests
{
    [Theory]
    [InlineData(5, 7)]
    [InlineData(6, 33)]
    [InlineData(4, 1000)]
    public void SumsLogProbsOfCompletionTokensOnly(int rows, int vocab)
    {
        var random = new SeededRandom((ulong)vocab);
        float[] logits = NaiveReference.RandomLogits(random, rows * vocab);
        int[] targets = NaiveReference.RandomTargets(random, rows, vocab);
        float[] mask = Enumerable.Range(0, rows).Select(i => i < 2 ? 0f : 1f).ToArray();
        targets[0] = -100; // never read under a zero mask
        double expected = 0;
        for (int i = 2; i < rows; i++)
        {
            expected += NaiveReference.LogSoftmax(logits, i, vocab)[targets[i]];
        }

        var grad = new float[logits.Length];
        float sum = SequenceLogProb.Sum(logits, targets, mask, vocab, grad);
        Assert.Equal(expected, sum, Math.Abs(expected) * 2e-6);
        for (int i = 0; i < rows; i++)
        {
            double[] logp = NaiveReference.LogSoftmax(logits, i, vocab);
            for (int j = 0; j < vocab; j++)
            {
                double g = mask[i] * ((j == targets[i] ? 1 : 0) - Math.Exp(logp[j]));
                Assert.Equal(g, grad[(i * vocab) + j], 1e-6);
            }
        }
    }

    [Fact]
    public void GradientMatchesCentralDifferences()
    {
        const int Rows = 3, Vocab = 9;
        var random = new SeededRandom(31);
        float[] logits = NaiveReference.RandomLogits(random, Rows * Vocab, 1f);
        int[] targets = { 1, 8, 3 };
        float[] mask = { 0, 1, 1 };
        var grad = new float[logits.Length];
        SequenceLogProb.Sum(logits, targets, mask, Vocab, grad);
        for (int i = 0; i < logits.Length; i++)
        {
            // Float sum of size ~5, h = 1e-2: rounding ≈ 3e-5, truncation ≈ 1e-5; tolerance 3e-4.
            double fd = NaiveReference.CentralDifference(logits, i, 1e-2f, () => SequenceLogProb.Sum(logits, targets, mask, Vocab));
            Assert.Equal(fd, grad[i], 3e-4);
        }
    }

    [Fact]
    public void PerSequenceFeedsDpo()
    {
        const int Batch = 3, Length = 4, Vocab = 50;
        var random = new SeededRandom(77);
        float[] logits = NaiveReference.RandomLogits(random, Batch * Length * Vocab);
        int[] targets = NaiveReference.RandomTargets(random, Batch * Length, Vocab);
        float[] mask = { 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 };
        var logProbs = new float[Batch];
        var grad = new float[logits.Length];
        SequenceLogProb.PerSequence(logits, targets, mask, Vocab, logProbs, grad);
        var rowGrad = new float[Length * Vocab];
        for (int b = 0; b < Batch; b++)
        {
            int start = b * Length;
            float single = SequenceLogProb.Sum(
                logits.AsSpan(start * Vocab, Length * Vocab), targets.AsSpan(start, Length), mask.AsSpan(start, Length), Vocab, rowGrad);
            Assert.Equal(single, logProbs[b]);
            Assert.Equal(rowGrad, grad.AsSpan(start * Vocab, Length * Vocab).ToArray());
        }

        Assert.Throws<ArgumentException>(() => SequenceLogProb.PerSequence(logits, targets, mask, Vocab, new float[5]));
    }
}
