using System;
using System.Buffers;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// log πθ(y|x) = Σ_i m_i·log softmax(z_i)[t_i]: the summed log-probability of a completion under a model, over the
/// completion tokens only (mask 1), as DPO and TRL use it. The gradient with respect to the logits is
/// ∂/∂z_ij = m_i·(onehot_ij − softmax_ij); masked-out rows are skipped and get zero gradient.
/// </summary>
public static class SequenceLogProb
{
    /// <summary>Σ over completion tokens of log p(target) for one sequence (or any set of rows).</summary>
    /// <param name="logits">rows x vocab, row-major; rows = <c>targets.Length</c>.</param>
    /// <param name="targets">The next token at each position; read only where the mask is not 0.</param>
    /// <param name="completionMask">One finite weight &gt;= 0 per position (1 on completion tokens).</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="gradLogits">Empty to skip, else rows x vocab: overwritten with ∂Sum/∂logits.</param>
    /// <returns>The summed log-probability (≤ 0); 0 when the mask selects nothing.</returns>
    public static float Sum(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> completionMask, int vocab,
        Span<float> gradLogits = default)
    {
        Check(logits, targets, completionMask, vocab, gradLogits);
        return (float)-CrossEntropy.WeightedSum(
            logits, targets, completionMask, useMask: true, CrossEntropy.IgnoreIndex, vocab, 0f, gradLogits, -1.0, default, default);
    }

    /// <summary>
    /// The summed completion log-probability of each of <c>logProbs.Length</c> sequences of equal length stacked
    /// row-wise (batch·length rows), and optionally ∂(Σ_b logProbs_b)/∂logits, i.e. each sequence's own gradient.
    /// </summary>
    /// <param name="logits">(batch·length) x vocab, row-major.</param>
    /// <param name="targets">batch·length next tokens.</param>
    /// <param name="completionMask">batch·length weights.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="logProbs">batch: overwritten with each sequence's log-probability.</param>
    /// <param name="gradLogits">Empty to skip, else (batch·length) x vocab.</param>
    public static void PerSequence(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> completionMask, int vocab,
        Span<float> logProbs, Span<float> gradLogits = default)
    {
        Check(logits, targets, completionMask, vocab, gradLogits);
        Guard.Positive(logProbs.Length);
        int length = targets.Length / logProbs.Length;
        Guard.Shape(targets.Length, logProbs.Length, length);
        double[] sums = ArrayPool<double>.Shared.Rent(logProbs.Length);
        try
        {
            Span<double> perSequence = sums.AsSpan(0, logProbs.Length);
            CrossEntropy.WeightedSum(
                logits, targets, completionMask, useMask: true, CrossEntropy.IgnoreIndex, vocab, 0f, gradLogits, -1.0, default, perSequence);
            for (int b = 0; b < logProbs.Length; b++)
            {
                logProbs[b] = (float)-perSequence[b];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    private static void Check(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> completionMask, int vocab, ReadOnlySpan<float> gradLogits)
    {
        Guard.Positive(vocab);
        Guard.Shape(logits.Length, targets.Length, vocab);
        Guard.Length(completionMask.Length, targets.Length);
        if (!gradLogits.IsEmpty)
        {
            Guard.Shape(gradLogits.Length, targets.Length, vocab);
        }

        for (int i = 0; i < completionMask.Length; i++)
        {
            LossChecks.Weight(completionMask[i], i, nameof(completionMask));
            if (completionMask[i] != 0)
            {
                LossChecks.ClassIndex(targets[i], vocab, i, nameof(targets));
            }
        }
    }
}
