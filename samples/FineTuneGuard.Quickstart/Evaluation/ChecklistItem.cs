namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>One item of the seeds' final fine-tuning checklist, evaluated by code.</summary>
/// <param name="Check">The item, in the seeds' words.</param>
/// <param name="Passed">Whether this run satisfies it.</param>
/// <param name="Evidence">The measurement that decided it.</param>
public sealed record ChecklistItem(string Check, bool Passed, string Evidence);
