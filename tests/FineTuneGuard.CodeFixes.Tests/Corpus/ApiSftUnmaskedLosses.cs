// An SFT step on FineTuneGuard's API that reaches for the unmasked forms.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiSftUnmaskedLosses;

public sealed class SftStep
{
    private readonly int _vocab;

    public SftStep(int vocab) => _vocab = vocab;

    public float Loss(float[] logits, int[] targets, float[] gradLogits)
        => CrossEntropy.UnmaskedLoss(logits, targets, _vocab, gradLogits); // expect: FTG0001

    public float TokenAverage(float[] logits, int[] targets)
    {
        var losses = new float[targets.Length];
        CrossEntropy.TokenLosses(logits, targets, _vocab, losses);
        return TokenLoss.Mean(losses); // expect: FTG0001
    }
}
