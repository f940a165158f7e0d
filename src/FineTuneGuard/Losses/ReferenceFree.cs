using System;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// Preference objectives that need no reference model (so analyzer FTG0006 does not ask for one). Computed in double.
/// </summary>
public static class ReferenceFree
{
    /// <summary>
    /// SimPO (Meng, Xia and Chen 2024), as TRL's <c>CPOTrainer</c> with <c>loss_type="simpo"</c>: with length-normalised
    /// log-probabilities r_w = log πθ(y_w)/|y_w| and r_l = log πθ(y_l)/|y_l|, z = β·(r_w − r_l) − γ and
    /// L = −log σ(z). ∂L/∂log πθ(y_w) = −σ(−z)·β/|y_w|, ∂L/∂log πθ(y_l) = σ(−z)·β/|y_l|.
    /// </summary>
    /// <param name="policyChosen">Summed log πθ(y_w|x).</param>
    /// <param name="chosenLength">|y_w| &gt; 0, completion tokens of the chosen response.</param>
    /// <param name="policyRejected">Summed log πθ(y_l|x).</param>
    /// <param name="rejectedLength">|y_l| &gt; 0.</param>
    /// <param name="beta">β &gt; 0 (the paper uses 2 to 2.5).</param>
    /// <param name="gamma">Target reward margin γ &gt;= 0 (TRL: <c>simpo_gamma</c>, default 0.5).</param>
    public static ReferenceFreeResult SimPo(
        float policyChosen, int chosenLength, float policyRejected, int rejectedLength, float beta = 2.0f, float gamma = 0.5f)
    {
        Guard.Finite(policyChosen);
        Guard.Finite(policyRejected);
        Guard.Positive(chosenLength);
        Guard.Positive(rejectedLength);
        Guard.PositiveFinite(beta);
        Guard.Finite(gamma);
        double z = (beta * (((double)policyChosen / chosenLength) - ((double)policyRejected / rejectedLength))) - gamma;
        double loss = LogSigmoid.Softplus(-z);
        double s = LogSigmoid.Sigmoid(-z);
        return new ReferenceFreeResult((float)loss, (float)(-s * beta / chosenLength), (float)(s * beta / rejectedLength), (float)z);
    }

    /// <summary>
    /// ORPO (Hong, Lee and Thorne 2024), as TRL's <c>ORPOTrainer</c>: with average per-token log-probabilities
    /// a_w, a_l &lt; 0, log odds(y) = a − log(1 − e^a), the log-odds ratio z = log odds(y_w) − log odds(y_l) and
    /// L = −a_w − λ·log σ(z) (the chosen response's NLL plus the odds-ratio term). ∂L/∂a_w = −1 − λ·σ(−z)/(1 − e^{a_w}),
    /// ∂L/∂a_l = λ·σ(−z)/(1 − e^{a_l}).
    /// </summary>
    /// <param name="chosenAverageLogProb">a_w: mean log πθ over the chosen completion's tokens, &lt; 0.</param>
    /// <param name="rejectedAverageLogProb">a_l: the same for the rejected completion, &lt; 0.</param>
    /// <param name="lambda">λ &gt; 0, the odds-ratio weight (TRL's <c>beta</c>, default 0.1).</param>
    public static ReferenceFreeResult Orpo(float chosenAverageLogProb, float rejectedAverageLogProb, float lambda = 0.1f)
    {
        CheckAverageLogProb(chosenAverageLogProb, nameof(chosenAverageLogProb));
        CheckAverageLogProb(rejectedAverageLogProb, nameof(rejectedAverageLogProb));
        Guard.PositiveFinite(lambda);
        double aw = chosenAverageLogProb, al = rejectedAverageLogProb;

        // 1 − e^a cancels for a near 0; OneMinusExp switches to its Taylor series there.
        double z = (aw - Log1MinusExp(aw)) - (al - Log1MinusExp(al));
        double s = LogSigmoid.Sigmoid(-z);
        double loss = -aw + (lambda * LogSigmoid.Softplus(-z));
        double gradChosen = -1 - (lambda * s / OneMinusExp(aw));
        double gradRejected = lambda * s / OneMinusExp(al);
        return new ReferenceFreeResult((float)loss, (float)gradChosen, (float)gradRejected, (float)z);
    }

    private static void CheckAverageLogProb(float value, string name)
    {
        if (!(value < 0) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be a finite average log-probability < 0 (odds are infinite at 0); got {value}.");
        }
    }

    // 1 − e^a = −(a + a²/2 + a³/6 + …): the series keeps the digits that 1 − e^a loses for |a| < 1e-3.
    private static double OneMinusExp(double a) => a > -1e-3 ? -(a + (a * a / 2) + (a * a * a / 6)) : 1 - Math.Exp(a);

    private static double Log1MinusExp(double a) => Math.Log(OneMinusExp(a));
}
