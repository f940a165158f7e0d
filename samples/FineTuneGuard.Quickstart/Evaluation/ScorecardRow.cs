namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>
/// One row of the seeds' task-versus-retention scorecard (cell 12): task quality, retention of the base skill, and the
/// weighted score (the runtime's <c>FineTuningScorecard.Combined</c>: 0.7·task + 0.3·retention), plus how far the model
/// moved from the base (KL on held-out prompts).
/// </summary>
/// <param name="Method">The adaptation method.</param>
/// <param name="Task">Answer-token accuracy on the instruction set (teacher-forced, top-1).</param>
/// <param name="Retention">Next-character accuracy on the pre-training text: how much of what the base model learned survives.</param>
/// <param name="KlToBase">Mean KL(tuned ‖ base) over the positions of the held-out prompts, in nats.</param>
public sealed record ScorecardRow(string Method, double Task, double Retention, double KlToBase)
{
    /// <summary>Task quality matters most, but not at any cost to what the model already knew.</summary>
    public double Combined => FineTuningScorecard.Combined(Task, Retention);
}
