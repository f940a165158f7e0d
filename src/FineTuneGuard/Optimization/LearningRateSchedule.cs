using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// A learning-rate multiplier for <see cref="AdamW.LearningRateScale"/>: linear warm-up from 0 to 1 over
/// <see cref="WarmupSteps"/>, then decay to <see cref="MinFactor"/> at <see cref="TotalSteps"/> (held there after).
/// With progress p = (step − warmup) / (total − warmup): cosine f = floor + (1 − floor)·½(1 + cos πp); linear
/// f = floor + (1 − floor)·(1 − p). With floor 0 these are Hugging Face's schedules exactly.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates a schedule.</summary>
    /// <param name="warmupSteps">Steps of linear warm-up, &gt;= 0.</param>
    /// <param name="totalSteps">Training steps, &gt;= warmupSteps and &gt; 0.</param>
    /// <param name="decay">The shape after warm-up.</param>
    /// <param name="minFactor">The floor the decay ends at, in [0, 1].</param>
    public LearningRateSchedule(int warmupSteps, int totalSteps, LearningRateDecay decay = LearningRateDecay.Cosine, float minFactor = 0f)
    {
        Guard.NonNegative(warmupSteps);
        Guard.Positive(totalSteps);
        if (totalSteps < warmupSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"'{nameof(totalSteps)}' must be >= warmupSteps ({warmupSteps}); got {totalSteps}.");
        }

        if (!(minFactor >= 0 && minFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, $"'{nameof(minFactor)}' must be in [0, 1]; got {minFactor}.");
        }

        if (decay is < LearningRateDecay.Cosine or > LearningRateDecay.Constant)
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, $"'{nameof(decay)}' must be a defined {nameof(LearningRateDecay)}.");
        }

        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
        MinFactor = minFactor;
    }

    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; }

    /// <summary>Total steps.</summary>
    public int TotalSteps { get; }

    /// <summary>The decay shape.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>The final factor.</summary>
    public float MinFactor { get; }

    /// <summary>The multiplier at <paramref name="step"/> (0-based: the factor used for the step-th update).</summary>
    public float Factor(long step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"'{nameof(step)}' must be >= 0; got {step}.");
        }

        if (step < WarmupSteps)
        {
            return (float)((double)step / WarmupSteps);
        }

        if (Decay == LearningRateDecay.Constant)
        {
            return 1f;
        }

        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        double shape = Decay == LearningRateDecay.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return (float)(MinFactor + ((1 - MinFactor) * shape));
    }
}
