using System;
using System.Buffers;
using System.Numerics.Tensors;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// Token-level cross-entropy over row-major logits (rows x vocab) with a numerically stable log-softmax:
/// nll_i = log Σ_j e^{z_ij} − z_i,t = (m_i − z_i,t) + log Σ_j e^{z_ij − m_i}, m_i = max_j z_ij.
/// With label smoothing ε the target is q = (1 − ε)·onehot + ε/V (PyTorch's <c>label_smoothing</c>):
/// loss_i = (1 − ε)·nll_i + ε·(lse_i − mean_j z_ij). The gradient of the mean loss with respect to the logits is
/// ∂/∂z_ij = w_i/Σw·(softmax_ij − q_ij), written over <c>gradLogits</c> (rows that carry no weight get zeros).
/// Ignored / masked rows are skipped entirely; large batches are split over the cores with results independent of
/// the thread count. No allocation per call in steady state.
/// </summary>
public static class CrossEntropy
{
    /// <summary>The label that marks a position as "not a target" (PyTorch's and Hugging Face's -100).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>Cores the loss kernels (cross-entropy, KL, sequence log-prob) may use; 1 runs inline.</summary>
    public static int MaxDegreeOfParallelism
    {
        get => RowParallel.MaxDegreeOfParallelism;
        set => RowParallel.MaxDegreeOfParallelism = value;
    }

    /// <summary>
    /// Mean cross-entropy over the positions whose label is not <paramref name="ignoreIndex"/> (the answer-only SFT
    /// loss when the prompt and padding labels are -100). Throws <see cref="ArgumentException"/> when every label is
    /// ignored, instead of returning NaN.
    /// </summary>
    /// <param name="logits">rows x vocab, row-major; rows = <c>labels.Length</c>.</param>
    /// <param name="labels">One class index per row, or <paramref name="ignoreIndex"/>.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="gradLogits">Empty to skip, else rows x vocab: overwritten with ∂loss/∂logits.</param>
    /// <param name="ignoreIndex">Label value that excludes a position.</param>
    /// <param name="labelSmoothing">ε in [0, 1).</param>
    /// <returns>Σ_i∉ignored loss_i / #not ignored.</returns>
    public static float Loss(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int vocab, Span<float> gradLogits = default,
        int ignoreIndex = IgnoreIndex, float labelSmoothing = 0)
    {
        CheckShapes(logits, labels.Length, vocab, gradLogits);
        LossChecks.InRange(labelSmoothing, 1f);
        int selected = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != ignoreIndex)
            {
                LossChecks.ClassIndex(labels[i], vocab, i, nameof(labels));
                selected++;
            }
        }

        if (selected == 0)
        {
            // The message is built only when thrown: an interpolated argument would allocate on every call.
            LossChecks.SomethingSelected(selected, nameof(labels), $"every label is the ignore index {ignoreIndex}");
        }
        return Run(logits, labels, default, useMask: false, ignoreIndex, vocab, labelSmoothing, gradLogits, selected, default);
    }

    /// <summary>
    /// Σ_i mask_i·loss_i / Σ_i mask_i: the answer-only loss with an explicit (0/1 or fractional) token mask. Targets
    /// under a zero mask are never read, so they may hold anything (e.g. -100). Throws when Σ mask = 0.
    /// </summary>
    /// <param name="logits">rows x vocab, row-major; rows = <c>targets.Length</c>.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="mask">One finite weight &gt;= 0 per row.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="gradLogits">Empty to skip, else rows x vocab: overwritten with ∂loss/∂logits.</param>
    /// <param name="labelSmoothing">ε in [0, 1).</param>
    public static float MaskedLoss(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, int vocab,
        Span<float> gradLogits = default, float labelSmoothing = 0)
    {
        CheckShapes(logits, targets.Length, vocab, gradLogits);
        Guard.Length(mask.Length, targets.Length);
        LossChecks.InRange(labelSmoothing, 1f);
        double weightSum = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            LossChecks.Weight(mask[i], i, nameof(mask));
            if (mask[i] != 0)
            {
                LossChecks.ClassIndex(targets[i], vocab, i, nameof(targets));
                weightSum += mask[i];
            }
        }

        LossChecks.SomethingSelected(weightSum, nameof(mask), "the mask sums to 0");
        return Run(logits, targets, mask, useMask: true, IgnoreIndex, vocab, labelSmoothing, gradLogits, weightSum, default);
    }

    /// <summary>
    /// Mean cross-entropy over every position, prompt and padding included: a full-sequence (pre-training style)
    /// objective. In supervised fine-tuning code analyzer FTG0001 flags it; use <see cref="Loss"/> or
    /// <see cref="MaskedLoss"/> there.
    /// </summary>
    /// <param name="logits">rows x vocab, row-major; rows = <c>targets.Length</c> &gt; 0.</param>
    /// <param name="targets">One class index per row (no ignore index).</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="gradLogits">Empty to skip, else rows x vocab: overwritten with ∂loss/∂logits.</param>
    public static float UnmaskedLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int vocab, Span<float> gradLogits = default)
    {
        CheckShapes(logits, targets.Length, vocab, gradLogits);
        for (int i = 0; i < targets.Length; i++)
        {
            LossChecks.ClassIndex(targets[i], vocab, i, nameof(targets));
        }

        LossChecks.SomethingSelected(targets.Length, nameof(targets), "it is empty");
        return Run(logits, targets, default, useMask: false, int.MinValue, vocab, 0f, gradLogits, targets.Length, default);
    }

    /// <summary>
    /// Per-position negative log-likelihood −log softmax(z_i)[t_i] (PyTorch's <c>reduction='none'</c>); positions
    /// whose target is <paramref name="ignoreIndex"/> get 0. Feed the result to <see cref="TokenLoss"/>.
    /// </summary>
    /// <param name="logits">rows x vocab, row-major; rows = <c>targets.Length</c>.</param>
    /// <param name="targets">One class index per row, or <paramref name="ignoreIndex"/>.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="losses">rows: overwritten with the per-position losses.</param>
    /// <param name="ignoreIndex">Target value that yields a 0 loss.</param>
    public static void TokenLosses(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int vocab, Span<float> losses, int ignoreIndex = IgnoreIndex)
    {
        CheckShapes(logits, targets.Length, vocab, default);
        Guard.Length(losses.Length, targets.Length);
        for (int i = 0; i < targets.Length; i++)
        {
            if (targets[i] != ignoreIndex)
            {
                LossChecks.ClassIndex(targets[i], vocab, i, nameof(targets));
            }
        }

        Run(logits, targets, default, useMask: false, ignoreIndex, vocab, 0f, default, 1.0, losses);
    }

    private static void CheckShapes(ReadOnlySpan<float> logits, int rows, int vocab, ReadOnlySpan<float> gradLogits)
    {
        Guard.Positive(vocab);
        Guard.Shape(logits.Length, rows, vocab);
        if (!gradLogits.IsEmpty)
        {
            Guard.Shape(gradLogits.Length, rows, vocab);
        }
    }

    private static float Run(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, bool useMask, int ignoreIndex,
        int vocab, float smoothing, Span<float> gradLogits, double weightSum, Span<float> tokenLosses)
        => (float)(WeightedSum(logits, targets, mask, useMask, ignoreIndex, vocab, smoothing, gradLogits, 1.0 / weightSum, tokenLosses, default) / weightSum);

    /// <summary>
    /// The shared kernel: Σ_i w_i·loss_i in row order (w_i = mask_i, or 1 unless the target is the ignore index),
    /// with gradient rows w_i·<paramref name="gradFactor"/>·(softmax − q). Optionally the per-row w_i·loss_i
    /// (<paramref name="tokenLosses"/>) and their sums over consecutive groups of rows (<paramref name="perSequence"/>).
    /// </summary>
    internal static unsafe double WeightedSum(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, bool useMask, int ignoreIndex,
        int vocab, float smoothing, Span<float> gradLogits, double gradFactor, Span<float> tokenLosses, Span<double> perSequence)
    {
        int rows = targets.Length;
        double[] rowLosses = ArrayPool<double>.Shared.Rent(Math.Max(rows, 1));
        try
        {
            fixed (float* pLogits = logits)
            fixed (int* pTargets = targets)
            fixed (float* pMask = mask)
            fixed (float* pGrad = gradLogits)
            fixed (double* pRowLosses = rowLosses)
            {
                var job = new Job
                {
                    Logits = pLogits,
                    Targets = pTargets,
                    Mask = useMask ? pMask : null,
                    IgnoreIndex = ignoreIndex,
                    Vocab = vocab,
                    Smoothing = smoothing,
                    Grad = pGrad,
                    GradFactor = gradFactor,
                    RowLosses = pRowLosses,
                };
                RowParallel.For(job, rows, vocab);
            }

            // Reduced in row order on this thread: the same bits for any thread count.
            double total = 0;
            int sequenceLength = perSequence.IsEmpty ? 1 : rows / perSequence.Length;
            perSequence.Clear();
            for (int i = 0; i < rows; i++)
            {
                total += rowLosses[i];
                if (!tokenLosses.IsEmpty)
                {
                    tokenLosses[i] = (float)rowLosses[i];
                }

                if (!perSequence.IsEmpty)
                {
                    perSequence[i / sequenceLength] += rowLosses[i];
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rowLosses);
        }
    }

    private unsafe struct Job : IRowJob
    {
        public float* Logits;
        public int* Targets;
        public float* Mask;
        public int IgnoreIndex;
        public int Vocab;
        public float Smoothing;
        public float* Grad;
        public double GradFactor;
        public double* RowLosses;

        public readonly void Run(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                float weight = Mask != null ? Mask[r] : (Targets[r] == IgnoreIndex ? 0f : 1f);
                Span<float> grad = Grad == null ? default : new Span<float>(Grad + ((long)r * Vocab), Vocab);
                if (weight == 0)
                {
                    // Skipped entirely: not even read. Its gradient is exactly zero.
                    grad.Clear();
                    RowLosses[r] = 0;
                    continue;
                }

                var row = new ReadOnlySpan<float>(Logits + ((long)r * Vocab), Vocab);
                int target = Targets[r];
                double logSum = Math.Log(SoftmaxKernels.SumExpOnePass(row, out float max));
                double nll = (max - (double)row[target]) + logSum;
                double loss = nll;
                if (Smoothing > 0)
                {
                    double mean = (double)TensorPrimitives.Sum(row) / Vocab;
                    loss = ((1.0 - Smoothing) * nll) + (Smoothing * ((max - mean) + logSum));
                }

                RowLosses[r] = weight * loss;
                if (Grad != null)
                {
                    double scale = weight * GradFactor;
                    SoftmaxKernels.ScaledSoftmax(row, max, (float)logSum, (float)scale, (float)(-Smoothing * scale / Vocab), grad);
                    grad[target] -= (float)((1.0 - Smoothing) * scale);
                }
            }
        }
    }
}
