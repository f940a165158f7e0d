// The answer-only SFT objective on FineTuneGuard's API: labels from SftLabels, a mask for the token average.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiSftMaskedCorrectly;

public static class InstructionTuning
{
    public static float Loss(float[] logits, int[] inputIds, int promptLength, int vocab)
    {
        var labels = new int[inputIds.Length];
        SftLabels.AnswerOnly(inputIds, promptLength, labels);
        return CrossEntropy.Loss(logits, labels, vocab);
    }

    public static float MaskedAverage(float[] logits, int[] targets, int promptLength, int vocab)
    {
        var mask = new float[targets.Length];
        SftLabels.AnswerMask(promptLength, targets.Length, mask);
        var losses = new float[targets.Length];
        CrossEntropy.TokenLosses(logits, targets, vocab, losses);
        return TokenLoss.AnswerOnlyMean(losses, mask) + CrossEntropy.MaskedLoss(logits, targets, mask, vocab);
    }
}
