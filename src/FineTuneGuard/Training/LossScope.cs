namespace FineTuneGuard;

/// <summary>
/// Which next-token predictions an <see cref="SftTrainer"/> puts in its loss. Padding is never a target in either scope.
/// </summary>
/// <remarks>
/// Supervised fine-tuning imitates responses, so the default is <see cref="AnswerOnly"/>: averaging over prompt tokens too
/// dilutes the signal (the seeds' example: answer-only loss 1.0 against 0.5 unmasked). <see cref="FullSequence"/> is the
/// explicit opt-out for continued pre-training or language-modelling objectives; analyzer FTG0001 reports it in SFT code
/// so that the choice is visible in review.
/// </remarks>
public enum LossScope
{
    /// <summary>Only response tokens (assistant turns of a conversation, the end-of-sequence token included) are targets.</summary>
    AnswerOnly,

    /// <summary>Every real token after the first (prompt, user turns and response) is a target: a full-sequence objective.</summary>
    FullSequence,
}
