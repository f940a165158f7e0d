namespace FineTuneGuard.Losses;

/// <summary>A batch of preference pairs: the mean loss and TRL's logged metrics, averaged over the pairs.</summary>
/// <param name="Loss">Mean loss over the pairs.</param>
/// <param name="ChosenReward">Mean β·(log πθ(y_w) − log π_ref(y_w)) (TRL's <c>rewards/chosen</c>).</param>
/// <param name="RejectedReward">Mean β·(log πθ(y_l) − log π_ref(y_l)) (TRL's <c>rewards/rejected</c>).</param>
/// <param name="RewardAccuracy">Fraction of pairs whose chosen reward exceeds the rejected one (TRL's <c>rewards/accuracies</c>).</param>
/// <param name="RewardMargin">Mean ChosenReward − RejectedReward (TRL's <c>rewards/margins</c>).</param>
/// <param name="Margin">Mean unscaled margin h.</param>
public readonly record struct DpoBatchResult(
    float Loss, float ChosenReward, float RejectedReward, float RewardAccuracy, float RewardMargin, float Margin);
