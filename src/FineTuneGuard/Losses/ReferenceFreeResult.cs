namespace FineTuneGuard.Losses;

/// <summary>A reference-free preference loss of one pair and its gradient with respect to the policy's log-probabilities.</summary>
/// <param name="Loss">The loss of the pair.</param>
/// <param name="GradChosen">∂Loss/∂(the chosen log-probability input).</param>
/// <param name="GradRejected">∂Loss/∂(the rejected log-probability input).</param>
/// <param name="Margin">The quantity inside the log-sigmoid (SimPO: β·Δavg − γ; ORPO: the log-odds ratio).</param>
public readonly record struct ReferenceFreeResult(float Loss, float GradChosen, float GradRejected, float Margin);
