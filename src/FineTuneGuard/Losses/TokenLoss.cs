using System;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// Reductions of per-token losses (e.g. from <see cref="CrossEntropy.TokenLosses"/>). The seeds' theory cell: losses
/// [0.2, 0.3, 1.2, 0.8, 0.0] with answer mask [0, 0, 1, 1, 0] give 1.0 answer-only but 0.5 unmasked — the unmasked
/// mean dilutes the answer's loss with prompt and padding tokens the model was handed.
/// </summary>
public static class TokenLoss
{
    /// <summary>
    /// Σ_i l_i·m_i / Σ_i m_i (accumulated in double): the answer-only SFT loss. Throws
    /// <see cref="ArgumentException"/> when the mask selects nothing.
    /// </summary>
    /// <param name="tokenLosses">One loss per position.</param>
    /// <param name="mask">One finite weight &gt;= 0 per position (1 on answer tokens).</param>
    public static float AnswerOnlyMean(ReadOnlySpan<float> tokenLosses, ReadOnlySpan<float> mask)
    {
        Guard.Length(mask.Length, tokenLosses.Length);
        double weighted = 0, weights = 0;
        for (int i = 0; i < tokenLosses.Length; i++)
        {
            LossChecks.Weight(mask[i], i, nameof(mask));
            if (mask[i] != 0)
            {
                weighted += (double)tokenLosses[i] * mask[i];
                weights += mask[i];
            }
        }

        LossChecks.SomethingSelected(weights, nameof(mask), "the mask sums to 0");
        return (float)(weighted / weights);
    }

    /// <summary>
    /// Σ_i l_i / n over every position (accumulated in double). In supervised fine-tuning code analyzer FTG0001
    /// flags it: prompt and padding tokens dilute the objective; use <see cref="AnswerOnlyMean"/>.
    /// </summary>
    /// <param name="tokenLosses">One loss per position; must not be empty.</param>
    public static float Mean(ReadOnlySpan<float> tokenLosses)
    {
        LossChecks.SomethingSelected(tokenLosses.Length, nameof(tokenLosses), "it is empty");
        double sum = 0;
        for (int i = 0; i < tokenLosses.Length; i++)
        {
            sum += tokenLosses[i];
        }

        return (float)(sum / tokenLosses.Length);
    }
}
