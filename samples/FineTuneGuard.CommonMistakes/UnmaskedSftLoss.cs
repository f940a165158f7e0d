// FTG0001: supervised fine-tuning imitates responses. Averaging the loss over every position (prompt and padding too)
// optimizes the wrong objective: the seeds' example gives 0.5 unmasked against 1.0 answer-only.
using FineTuneGuard;
using FineTuneGuard.Kernels;
using FineTuneGuard.Losses;

namespace FineTuneGuard.CommonMistakes;

/// <summary>An SFT training step on a model with a LoRA adapter.</summary>
public sealed class SftStep
{
    [Frozen]
    public float[] Weight { get; } = new float[64 * 64];

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 4);

    /// <summary>Bug: every position counts, so the model is also trained to write the prompts and the padding.</summary>
    public float UnmaskedLoss(float[] logits, int[] targets, int vocab, float[] gradLogits)
        => CrossEntropy.UnmaskedLoss(logits, targets, vocab, gradLogits); // FTG0001

    /// <summary>Fixed: the answer-only loss, Σ mask·nll / Σ mask, with the mask over response tokens.</summary>
    public float AnswerOnlyLoss(float[] logits, int[] targets, float[] answerMask, int vocab, float[] gradLogits)
        => CrossEntropy.MaskedLoss(logits, targets, answerMask, vocab, gradLogits);
}
