using System;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// Direct Preference Optimization and its TRL variants on sequence log-probabilities (Σ over completion tokens, see
/// <see cref="SequenceLogProb"/>). With the margin h = (log πθ(y_w) − log πθ(y_l)) − (log π_ref(y_w) − log π_ref(y_l))
/// and label smoothing ε (TRL's <c>DPOTrainer.dpo_loss</c>):
/// <list type="bullet">
/// <item><description>sigmoid: −(1 − ε)·log σ(β·h) − ε·log σ(−β·h); ∂/∂h = β·(ε·σ(β·h) − (1 − ε)·σ(−β·h)).</description></item>
/// <item><description>robust: (−(1 − ε)·log σ(β·h) + ε·log σ(−β·h)) / (1 − 2ε), ε &lt; 0.5; ∂/∂h = −β·((1 − ε)·σ(−β·h) + ε·σ(β·h)) / (1 − 2ε).</description></item>
/// <item><description>hinge: relu(1 − β·h); ∂/∂h = −β where 1 − β·h &gt; 0, else 0.</description></item>
/// <item><description>ipo: (h − 1/(2β))²; ∂/∂h = 2·(h − 1/(2β)).</description></item>
/// </list>
/// ∂L/∂log πθ(y_w) = ∂L/∂h and ∂L/∂log πθ(y_l) = −∂L/∂h; the reference is frozen (no gradient). Rewards are
/// β·(log πθ − log π_ref). Seeds: β 0.1, (−12, −15, −13, −14) → h = 2, loss 0.598139; β 0.2, (−4, −6, −5, −5.5) →
/// h = 1.5, loss 0.554355; policy = reference → h = 0, loss ln 2 (sigmoid) and 1 (hinge). Computed in double.
/// </summary>
public static class Dpo
{
    /// <summary>The loss of one preference pair and its gradient with respect to the policy log-probabilities.</summary>
    /// <param name="policyChosen">log πθ(y_w|x).</param>
    /// <param name="policyRejected">log πθ(y_l|x).</param>
    /// <param name="referenceChosen">log π_ref(y_w|x) from the frozen reference model.</param>
    /// <param name="referenceRejected">log π_ref(y_l|x) from the frozen reference model.</param>
    /// <param name="beta">β &gt; 0 (β ≤ 0 is FTG0009: the loss is stuck and nothing is learned).</param>
    /// <param name="type">The loss variant.</param>
    /// <param name="labelSmoothing">ε in [0, 0.5) for <see cref="DpoLossType.Sigmoid"/> and <see cref="DpoLossType.Robust"/>; ignored by the others, as in TRL.</param>
    public static DpoResult Loss(
        float policyChosen, float policyRejected, float referenceChosen, float referenceRejected, float beta,
        DpoLossType type = DpoLossType.Sigmoid, float labelSmoothing = 0)
    {
        Guard.Finite(policyChosen);
        Guard.Finite(policyRejected);
        Guard.Finite(referenceChosen);
        Guard.Finite(referenceRejected);
        CheckHyperparameters(beta, type, labelSmoothing);
        return Pair(policyChosen, policyRejected, referenceChosen, referenceRejected, beta, type, labelSmoothing);
    }

    /// <summary>
    /// The mean loss over a batch of pairs; <paramref name="gradChosen"/> and <paramref name="gradRejected"/> are
    /// overwritten with the gradient of the mean (per-pair gradient / n), or skipped when empty.
    /// </summary>
    /// <param name="policyChosen">log πθ(y_w|x) per pair.</param>
    /// <param name="policyRejected">log πθ(y_l|x) per pair.</param>
    /// <param name="referenceChosen">log π_ref(y_w|x) per pair; empty throws (a DPO loss needs its reference, FTG0006).</param>
    /// <param name="referenceRejected">log π_ref(y_l|x) per pair; empty throws.</param>
    /// <param name="beta">β &gt; 0.</param>
    /// <param name="type">The loss variant.</param>
    /// <param name="gradChosen">Empty, or one per pair: ∂mean/∂log πθ(y_w).</param>
    /// <param name="gradRejected">Empty, or one per pair: ∂mean/∂log πθ(y_l).</param>
    /// <param name="labelSmoothing">ε, as in the single-pair overload.</param>
    public static DpoBatchResult Loss(
        ReadOnlySpan<float> policyChosen, ReadOnlySpan<float> policyRejected,
        ReadOnlySpan<float> referenceChosen, ReadOnlySpan<float> referenceRejected,
        float beta, DpoLossType type, Span<float> gradChosen, Span<float> gradRejected, float labelSmoothing = 0)
    {
        if (referenceChosen.IsEmpty || referenceRejected.IsEmpty)
        {
            throw new ArgumentException(
                "DPO needs the frozen reference model's log-probabilities for every pair; 'referenceChosen' and 'referenceRejected' must not be empty (FTG0006). For a reference-free objective use ReferenceFree.SimPo or ReferenceFree.Orpo.",
                referenceChosen.IsEmpty ? nameof(referenceChosen) : nameof(referenceRejected));
        }

        int n = policyChosen.Length;
        LossChecks.SomethingSelected(n, nameof(policyChosen), "it is empty");
        Guard.Length(policyRejected.Length, n);
        Guard.Length(referenceChosen.Length, n);
        Guard.Length(referenceRejected.Length, n);
        if (!gradChosen.IsEmpty)
        {
            Guard.Length(gradChosen.Length, n);
        }

        if (!gradRejected.IsEmpty)
        {
            Guard.Length(gradRejected.Length, n);
        }

        CheckHyperparameters(beta, type, labelSmoothing);
        Guard.AllFinite(policyChosen);
        Guard.AllFinite(policyRejected);
        Guard.AllFinite(referenceChosen);
        Guard.AllFinite(referenceRejected);

        double loss = 0, chosen = 0, rejected = 0, correct = 0, margin = 0;
        for (int i = 0; i < n; i++)
        {
            DpoResult pair = Pair(policyChosen[i], policyRejected[i], referenceChosen[i], referenceRejected[i], beta, type, labelSmoothing);
            loss += pair.Loss;
            chosen += pair.ChosenReward;
            rejected += pair.RejectedReward;
            correct += pair.ChosenReward > pair.RejectedReward ? 1 : 0;
            margin += pair.Margin;
            if (!gradChosen.IsEmpty)
            {
                gradChosen[i] = pair.GradPolicyChosen / n;
            }

            if (!gradRejected.IsEmpty)
            {
                gradRejected[i] = pair.GradPolicyRejected / n;
            }
        }

        return new DpoBatchResult(
            (float)(loss / n), (float)(chosen / n), (float)(rejected / n), (float)(correct / n), (float)((chosen - rejected) / n), (float)(margin / n));
    }

    private static void CheckHyperparameters(float beta, DpoLossType type, float labelSmoothing)
    {
        Guard.PositiveFinite(beta);
        if (type is < DpoLossType.Sigmoid or > DpoLossType.Robust)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, $"'{nameof(type)}' must be a defined {nameof(DpoLossType)}; got {(int)type}.");
        }

        LossChecks.InRange(labelSmoothing, 0.5f);
    }

    private static DpoResult Pair(
        double policyChosen, double policyRejected, double referenceChosen, double referenceRejected, double beta,
        DpoLossType type, double epsilon)
    {
        double chosenRatio = policyChosen - referenceChosen;
        double rejectedRatio = policyRejected - referenceRejected;
        double h = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
        double z = beta * h;
        double loss, dh;
        switch (type)
        {
            case DpoLossType.Sigmoid:
                loss = ((1 - epsilon) * LogSigmoid.Softplus(-z)) + (epsilon * LogSigmoid.Softplus(z));
                dh = beta * ((epsilon * LogSigmoid.Sigmoid(z)) - ((1 - epsilon) * LogSigmoid.Sigmoid(-z)));
                break;
            case DpoLossType.Robust:
                loss = (((1 - epsilon) * LogSigmoid.Softplus(-z)) - (epsilon * LogSigmoid.Softplus(z))) / (1 - (2 * epsilon));
                dh = -beta * (((1 - epsilon) * LogSigmoid.Sigmoid(-z)) + (epsilon * LogSigmoid.Sigmoid(z))) / (1 - (2 * epsilon));
                break;
            case DpoLossType.Hinge:
                loss = Math.Max(0, 1 - z);
                dh = 1 - z > 0 ? -beta : 0;
                break;
            default:
                double d = h - (1 / (2 * beta));
                loss = d * d;
                dh = 2 * d;
                break;
        }

        return new DpoResult((float)loss, (float)dh, (float)-dh, (float)(beta * chosenRatio), (float)(beta * rejectedRatio), (float)h);
    }
}
