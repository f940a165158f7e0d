namespace FineTuneGuard;

/// <summary>One optimizer step (or one gradient accumulation) of an <see cref="SftTrainer"/>.</summary>
/// <param name="Loss">Token-mean loss over all target tokens of all micro-batches: Σ nll / Σ targets.</param>
/// <param name="TargetTokens">Target tokens of the step (the normaliser).</param>
/// <param name="InputTokens">Non-padding input tokens processed.</param>
/// <param name="MicroBatches">Forward/backward passes.</param>
/// <param name="GradientNorm">Global gradient norm before clipping (NaN when the step did not clip or measure it).</param>
/// <param name="LearningRate">Learning rate the step used (peak rate times the schedule's factor).</param>
public readonly record struct SftStepResult(
    double Loss, int TargetTokens, int InputTokens, int MicroBatches, float GradientNorm, float LearningRate);
