using System;
using FineTuneGuard.Losses;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>Settings of a <see cref="DpoTrainer"/> run; defaults follow TRL's <c>DPOConfig</c> (β = 0.1, sigmoid loss).</summary>
public sealed record DpoOptions
{
    /// <summary>β &gt; 0: the strength of the KL anchor to the reference. β ≤ 0 is refused (FTG0009).</summary>
    public float Beta { get; init; } = 0.1f;

    /// <summary>The loss variant of the runtime's <see cref="Dpo"/>: sigmoid (DPO), IPO, hinge or robust.</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    /// <summary>Label smoothing ε in [0, 0.5) for the sigmoid and robust losses (conservative DPO); ignored by the others.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Preference pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Optimizer steps of <see cref="DpoTrainer.Train"/>.</summary>
    public int MaxSteps { get; init; } = 100;

    /// <summary>Peak learning rate.</summary>
    public float LearningRate { get; init; } = 5e-6f;

    /// <summary>Decoupled weight decay of adapter and weight groups; norms and biases never decay.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Linear warm-up steps from 0 to <see cref="LearningRate"/>.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Decay after the warm-up, down to 0 at <see cref="MaxSteps"/>.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Linear;

    /// <summary>Global gradient-norm clipping threshold; 0 disables clipping.</summary>
    public float MaxGradNorm { get; init; } = 1f;

    /// <summary>Token id written after the end of shorter sequences (never scored, whatever its value).</summary>
    public int PadTokenId { get; init; }

    /// <summary>Seed of the order in which <see cref="DpoTrainer.Train"/> visits the pairs.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Throws naming the first invalid setting; β ≤ 0 with the FTG0009 wording.</summary>
    public void Validate()
    {
        if (!(Beta > 0) || float.IsInfinity(Beta))
        {
            throw new ArgumentOutOfRangeException(
                nameof(Beta), Beta,
                $"FTG0009: Preference loss with beta <= 0: beta is {Beta}: with beta = 0 the loss is −log σ(0) = ln 2 for every pair and its gradient is zero, and a negative beta prefers the rejected answers; use a finite beta > 0 (typically 0.1).");
        }

        if (LossType is < DpoLossType.Sigmoid or > DpoLossType.Robust)
        {
            throw new ArgumentOutOfRangeException(nameof(LossType), LossType, $"'{nameof(LossType)}' must be a defined {nameof(DpoLossType)}.");
        }

        if (!(LabelSmoothing >= 0 && LabelSmoothing < 0.5f))
        {
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"'{nameof(LabelSmoothing)}' must be in [0, 0.5); got {LabelSmoothing}.");
        }

        if (BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"'{nameof(BatchSize)}' must be > 0; got {BatchSize}.");
        }

        if (MaxSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, $"'{nameof(MaxSteps)}' must be > 0; got {MaxSteps}.");
        }

        if (WarmupSteps < 0 || WarmupSteps > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, $"'{nameof(WarmupSteps)}' must be in [0, {nameof(MaxSteps)} = {MaxSteps}]; got {WarmupSteps}.");
        }

        if (!(LearningRate > 0) || float.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"'{nameof(LearningRate)}' must be a finite value > 0; got {LearningRate}.");
        }

        if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"'{nameof(WeightDecay)}' must be a finite value >= 0; got {WeightDecay}.");
        }

        if (!(MaxGradNorm >= 0) || float.IsInfinity(MaxGradNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), MaxGradNorm, $"'{nameof(MaxGradNorm)}' must be a finite value >= 0 (0 = no clipping); got {MaxGradNorm}.");
        }
    }
}
