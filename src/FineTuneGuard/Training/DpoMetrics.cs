using System.Collections.Generic;

namespace FineTuneGuard;

/// <summary>The metrics TRL's <c>DPOTrainer</c> logs, for one batch of preference pairs (means over the pairs).</summary>
/// <param name="Loss">The mean preference loss.</param>
/// <param name="RewardsChosen">Mean β·(log πθ(y_w) − log π_ref(y_w)) — <c>rewards/chosen</c>.</param>
/// <param name="RewardsRejected">Mean β·(log πθ(y_l) − log π_ref(y_l)) — <c>rewards/rejected</c>.</param>
/// <param name="RewardsAccuracies">Fraction of pairs whose chosen reward is strictly above the rejected one — <c>rewards/accuracies</c>.</param>
/// <param name="RewardsMargins">Mean chosen − rejected reward — <c>rewards/margins</c>.</param>
/// <param name="LogPsChosen">Mean log πθ(y_w) summed over completion tokens — <c>logps/chosen</c>.</param>
/// <param name="LogPsRejected">Mean log πθ(y_l) — <c>logps/rejected</c>.</param>
/// <param name="KlToReference">Mean over completion positions of KL(πθ ‖ π_ref) of the next-token distributions, in nats; null when only precomputed reference log-probabilities were available.</param>
/// <param name="Pairs">Pairs in the batch.</param>
public sealed record DpoMetrics(
    double Loss,
    double RewardsChosen,
    double RewardsRejected,
    double RewardsAccuracies,
    double RewardsMargins,
    double LogPsChosen,
    double LogPsRejected,
    double? KlToReference,
    int Pairs)
{
    /// <summary>The metrics under TRL's log keys (<c>loss</c>, <c>rewards/chosen</c>, ..., <c>kl</c> when known).</summary>
    public IReadOnlyDictionary<string, double> ToTrlLog()
    {
        var log = new Dictionary<string, double>
        {
            ["loss"] = Loss,
            ["rewards/chosen"] = RewardsChosen,
            ["rewards/rejected"] = RewardsRejected,
            ["rewards/accuracies"] = RewardsAccuracies,
            ["rewards/margins"] = RewardsMargins,
            ["logps/chosen"] = LogPsChosen,
            ["logps/rejected"] = LogPsRejected,
        };
        if (KlToReference is double kl)
        {
            log["kl"] = kl;
        }

        return log;
    }
}
