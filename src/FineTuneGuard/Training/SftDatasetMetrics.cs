namespace FineTuneGuard;

/// <summary>Evaluation of one dataset: answer-token loss and accuracy, and how far the tuned model moved from the base.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Weight">Its mixture weight.</param>
/// <param name="Loss">Token-mean cross-entropy over its target tokens.</param>
/// <param name="TokenAccuracy">Fraction of target tokens that are the model's arg-max.</param>
/// <param name="TargetTokens">Number of target tokens.</param>
/// <param name="KlToBase">Mean over target positions of KL(tuned ‖ base) in nats; null without a base model.</param>
public sealed record SftDatasetMetrics(string Name, double Weight, double Loss, double TokenAccuracy, int TargetTokens, double? KlToBase);
