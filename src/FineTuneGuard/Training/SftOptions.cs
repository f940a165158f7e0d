using System;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// Settings of an <see cref="SftTrainer"/> run. Defaults follow TRL's <c>SFTConfig</c> where it has one (answer-only loss,
/// max gradient norm 1, no weight decay) and PEFT practice otherwise (learning rate 2e-4 for adapters).
/// </summary>
public sealed record SftOptions
{
    /// <summary>
    /// Which predictions are targets: <see cref="LossScope.AnswerOnly"/> (default, response / assistant tokens only) or the
    /// explicit <see cref="LossScope.FullSequence"/> opt-out (reported by analyzer FTG0001 in SFT code).
    /// </summary>
    public LossScope LossScope { get; init; } = LossScope.AnswerOnly;

    /// <summary>Token id written after the end of shorter examples; never a target, whatever its value (it may equal EOS).</summary>
    public int PadTokenId { get; init; }

    /// <summary>Examples per forward/backward pass.</summary>
    public int MicroBatchSize { get; init; } = 4;

    /// <summary>Micro-batches per optimizer step; the loss is normalised by the target tokens of all of them together.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Optimizer steps of <see cref="SftTrainer.Train"/>.</summary>
    public int MaxSteps { get; init; } = 100;

    /// <summary>Peak learning rate of every group (reached after the warm-up).</summary>
    public float LearningRate { get; init; } = 2e-4f;

    /// <summary>Decoupled weight decay of adapter and weight groups; norms and biases never decay.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Linear warm-up steps from 0 to <see cref="LearningRate"/>.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Decay after the warm-up, down to 0 at <see cref="MaxSteps"/> (Hugging Face's default is linear).</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Linear;

    /// <summary>Global gradient-norm clipping threshold; 0 disables clipping.</summary>
    public float MaxGradNorm { get; init; } = 1f;

    /// <summary>Label smoothing ε of the cross-entropy, in [0, 1).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Evaluate every this many optimizer steps (and after the last); 0 evaluates after the last step only.</summary>
    public int EvaluationInterval { get; init; } = 10;

    /// <summary>Examples per evaluation forward pass.</summary>
    public int EvaluationBatchSize { get; init; } = 8;

    /// <summary>Seed of the mixture sampler: the whole run is a function of the model's initial values, the data and this seed.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Stop <see cref="SftTrainer.Train"/> at the first evaluation that signals overfitting.</summary>
    public bool StopWhenOverfitting { get; init; }

    /// <summary>Weight of task quality in the combined score (the seeds' 0.7; retention gets the rest).</summary>
    public double TaskWeight { get; init; } = FineTuningScorecard.DefaultTaskWeight;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LossScope is not (LossScope.AnswerOnly or LossScope.FullSequence))
        {
            throw new ArgumentOutOfRangeException(nameof(LossScope), LossScope, $"'{nameof(LossScope)}' must be a defined {nameof(FineTuneGuard.LossScope)}.");
        }

        Positive(MicroBatchSize, nameof(MicroBatchSize));
        Positive(GradientAccumulationSteps, nameof(GradientAccumulationSteps));
        Positive(MaxSteps, nameof(MaxSteps));
        Positive(EvaluationBatchSize, nameof(EvaluationBatchSize));
        NonNegative(WarmupSteps, nameof(WarmupSteps));
        NonNegative(EvaluationInterval, nameof(EvaluationInterval));
        if (WarmupSteps > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, $"'{nameof(WarmupSteps)}' must be <= {nameof(MaxSteps)} ({MaxSteps}); got {WarmupSteps}.");
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

        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"'{nameof(LabelSmoothing)}' must be in [0, 1); got {LabelSmoothing}.");
        }

        if (!(TaskWeight >= 0 && TaskWeight <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TaskWeight), TaskWeight, $"'{nameof(TaskWeight)}' must be in [0, 1]; got {TaskWeight}.");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be > 0; got {value}.");
        }
    }

    private static void NonNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be >= 0; got {value}.");
        }
    }
}
