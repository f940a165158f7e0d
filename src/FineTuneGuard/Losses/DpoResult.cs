namespace FineTuneGuard.Losses;

/// <summary>
/// One preference pair's DPO loss, its gradient with respect to the policy's sequence log-probabilities, and TRL's
/// implicit rewards.
/// </summary>
/// <param name="Loss">The loss of the pair.</param>
/// <param name="GradPolicyChosen">∂Loss/∂log πθ(y_w|x).</param>
/// <param name="GradPolicyRejected">∂Loss/∂log πθ(y_l|x) (= −<paramref name="GradPolicyChosen"/>).</param>
/// <param name="ChosenReward">β·(log πθ(y_w|x) − log π_ref(y_w|x)).</param>
/// <param name="RejectedReward">β·(log πθ(y_l|x) − log π_ref(y_l|x)).</param>
/// <param name="Margin">h = (log πθ(y_w) − log πθ(y_l)) − (log π_ref(y_w) − log π_ref(y_l)), unscaled by β (the seeds' "preference margin").</param>
public readonly record struct DpoResult(
    float Loss, float GradPolicyChosen, float GradPolicyRejected, float ChosenReward, float RejectedReward, float Margin)
{
    /// <summary>ChosenReward − RejectedReward = β·h (TRL's <c>rewards/margins</c>).</summary>
    public float RewardMargin => ChosenReward - RejectedReward;
}
