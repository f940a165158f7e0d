namespace FineTuneGuard.Optimization;

/// <summary>What a <see cref="LearningRateSchedule"/> does after its linear warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Half a cosine from 1 down to the floor (Hugging Face's <c>get_cosine_schedule_with_warmup</c>).</summary>
    Cosine,

    /// <summary>A straight line from 1 down to the floor (<c>get_linear_schedule_with_warmup</c>).</summary>
    Linear,

    /// <summary>Stays at 1 (<c>get_constant_schedule_with_warmup</c>).</summary>
    Constant,
}
