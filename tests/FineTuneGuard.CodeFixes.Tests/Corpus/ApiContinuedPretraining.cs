// Continued pre-training on domain text: every token is a target, the unmasked mean is the objective.
using System;
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiContinuedPretraining;

public static class ContinuedPretraining
{
    public static float Step(float[] logits, int[] targets, int vocab, float[] gradLogits)
        => CrossEntropy.UnmaskedLoss(logits, targets, vocab, gradLogits);

    public static float Perplexity(float[] logits, int[] targets, int vocab)
    {
        var losses = new float[targets.Length];
        CrossEntropy.TokenLosses(logits, targets, vocab, losses);
        return MathF.Exp(TokenLoss.Mean(losses));
    }
}
