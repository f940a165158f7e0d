using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Losses;

public class SftLabelsTests
{
    private const int Pad = 2, Eos = 2; // Llama-style: the pad token is the EOS token

    [Fact]
    public void PromptAndPaddingBecomeIgnoreIndexAndTheEosIsKeptEvenWhenPadEqualsEos()
    {
        int[] ids = { 10, 11, 12, 50, 51, Eos, Pad, Pad };
        var labels = new int[ids.Length];
        int supervised = SftLabels.AnswerOnly(ids, promptLength: 3, sequenceLength: 6, labels);
        Assert.Equal(new[] { -100, -100, -100, 50, 51, Eos, -100, -100 }, labels);
        Assert.Equal(3, supervised);

        // The id-based overload must agree when told that pad == eos.
        var byId = new int[ids.Length];
        SftLabels.AnswerOnly(ids, 3, byId, padTokenId: Pad, eosTokenId: Eos);
        Assert.Equal(labels, byId);

        // Without that hint the trailing run is padding, EOS included: the model would never learn to stop.
        SftLabels.AnswerOnly(ids, 3, byId, padTokenId: Pad);
        Assert.Equal(new[] { -100, -100, -100, 50, 51, -100, -100, -100 }, byId);
    }

    [Fact]
    public void UnpaddedSequenceAndBatch()
    {
        int[] ids = { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0 };
        var labels = new int[ids.Length];
        Assert.Equal(2, SftLabels.AnswerOnly(ids.AsSpan(0, 5), 3, labels.AsSpan(0, 5)));
        Assert.Equal(new[] { -100, -100, -100, 4, 5 }, labels.Take(5));

        int supervised = SftLabels.AnswerOnly(ids, new[] { 2, 1 }, new[] { 4, 3 }, labels);
        Assert.Equal(new[] { -100, -100, 3, 4, -100, -100, 7, 8, -100, -100 }, labels);
        Assert.Equal(4, supervised);

        var mask = new float[5];
        SftLabels.AnswerMask(2, 4, mask);
        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 0f }, mask);
    }

    [Fact]
    public void LabelsDriveTheAnswerOnlyLoss()
    {
        // The builder's labels give the same loss as the float answer mask.
        const int Vocab = 60;
        int[] ids = { 10, 11, 12, 50, 51, Eos, Pad, Pad };
        var random = new SeededRandom(2);
        float[] logits = NaiveReference.RandomLogits(random, ids.Length * Vocab);
        var labels = new int[ids.Length];
        SftLabels.AnswerOnly(ids, 3, 6, labels);
        var mask = new float[ids.Length];
        SftLabels.AnswerMask(3, 6, mask);
        Assert.Equal(CrossEntropy.MaskedLoss(logits, ids, mask, Vocab), CrossEntropy.Loss(logits, labels, Vocab));
    }

    [Fact]
    public void BadLengthsThrow()
    {
        var labels = new int[4];
        Assert.Throws<ArgumentOutOfRangeException>(() => SftLabels.AnswerOnly(new int[4], 3, 2, labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => SftLabels.AnswerOnly(new int[4], 1, 5, labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => SftLabels.AnswerOnly(new int[4], -1, 2, labels));
        var e = Assert.Throws<ArgumentException>(() => SftLabels.AnswerOnly(new int[4], 1, 2, new int[3]));
        Assert.Equal("labels", e.ParamName);
        Assert.Throws<ArgumentException>(() => SftLabels.AnswerOnly(new int[7], new[] { 1, 1 }, new[] { 2, 2 }, new int[7]));
    }
}
