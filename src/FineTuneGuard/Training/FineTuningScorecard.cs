using System;

namespace FineTuneGuard;

/// <summary>
/// The scorecard of a fine-tuning method: task quality and base-task retention are both measured and combined as
/// <c>taskWeight·task + (1 − taskWeight)·retention</c>, by default 0.7·task + 0.3·retention, so that a method that wins on
/// the task by forgetting the base skills does not look best (for example full fine-tuning at task 0.82 / retention 0.70 → 0.784
/// loses to LoRA r = 32, 0.78 / 0.82 → 0.792).
/// </summary>
public static class FineTuningScorecard
{
    /// <summary>The weight of task quality, 0.7 (retention gets the rest, 0.3).</summary>
    public const double DefaultTaskWeight = 0.7;

    /// <summary>taskWeight·task + (1 − taskWeight)·retention.</summary>
    /// <param name="task">Task quality in [0, 1] (e.g. answer-token accuracy on the validation set).</param>
    /// <param name="retention">Base-task retention in [0, 1] (e.g. token accuracy on a base-task set).</param>
    /// <param name="taskWeight">Weight of the task in [0, 1].</param>
    public static double Combined(double task, double retention, double taskWeight = DefaultTaskWeight)
    {
        if (!(taskWeight >= 0 && taskWeight <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(taskWeight), taskWeight, $"'{nameof(taskWeight)}' must be in [0, 1]; got {taskWeight}.");
        }

        return (taskWeight * task) + ((1 - taskWeight) * retention);
    }
}
