using System;
using System.Buffers;
using FineTuneGuard.Losses;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// KL(p_tuned ‖ p_base) = Σ_j p_t,j·(log p_t,j − log p_b,j): how far fine-tuning moved the next-token distribution
/// away from the base model (the seeds' "function-space shift"; theory cell: 0.068599, exercise 2: 0.091516).
/// </summary>
public static class KlDivergence
{
    /// <summary>
    /// Mean over rows of KL(softmax(tuned_i) ‖ softmax(base_i)) from logits (rows x vocab, row-major), with a stable
    /// log-softmax: with a = tuned − max(tuned), b = base − max(base), S_t = Σ e^a, S_b = Σ e^b,
    /// KL_i = Σ_j e^{a_j}(a_j − b_j) / S_t − log S_t + log S_b — no large offsets cancel, and equal rows give exactly 0.
    /// The gradient with respect to the tuned logits, ∂/∂tuned_ij = p_t,ij·((a_j − b_j) − (log S_t − log S_b) − KL_i) / rows,
    /// overwrites <paramref name="gradTunedLogits"/> when it is not empty (the base model is frozen).
    /// One read of each row from memory (block maxima and sums over 4 KB blocks while they sit in L1); rows split over the cores for large
    /// batches, results independent of the thread count; no allocation per call in steady state.
    /// </summary>
    /// <param name="tunedLogits">rows x vocab logits of the fine-tuned model.</param>
    /// <param name="baseLogits">rows x vocab logits of the base model, same shape.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="gradTunedLogits">Empty to skip, else rows x vocab.</param>
    /// <returns>The mean KL in nats (≥ 0).</returns>
    public static float TunedToBase(
        ReadOnlySpan<float> tunedLogits, ReadOnlySpan<float> baseLogits, int vocab, Span<float> gradTunedLogits = default)
    {
        Guard.Positive(vocab);
        int rows = tunedLogits.Length / vocab;
        Guard.Shape(tunedLogits.Length, rows, vocab);
        LossChecks.SomethingSelected(rows, nameof(tunedLogits), "it is empty");
        Guard.Shape(baseLogits.Length, rows, vocab);
        if (!gradTunedLogits.IsEmpty)
        {
            Guard.Shape(gradTunedLogits.Length, rows, vocab);
        }

        double[] perRow = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            Run(tunedLogits, baseLogits, vocab, rows, gradTunedLogits, perRow);
            double total = 0;
            for (int i = 0; i < rows; i++)
            {
                total += perRow[i];
            }

            return (float)(total / rows);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(perRow);
        }
    }

    /// <summary>Per-row KL(softmax(tuned_i) ‖ softmax(base_i)), written to <paramref name="klPerRow"/>.</summary>
    /// <param name="tunedLogits">rows x vocab logits of the fine-tuned model.</param>
    /// <param name="baseLogits">rows x vocab logits of the base model.</param>
    /// <param name="vocab">Number of classes.</param>
    /// <param name="klPerRow">rows: overwritten with each row's KL.</param>
    public static void PerRow(ReadOnlySpan<float> tunedLogits, ReadOnlySpan<float> baseLogits, int vocab, Span<float> klPerRow)
    {
        Guard.Positive(vocab);
        int rows = klPerRow.Length;
        Guard.Shape(tunedLogits.Length, rows, vocab);
        Guard.Shape(baseLogits.Length, rows, vocab);
        double[] perRow = ArrayPool<double>.Shared.Rent(Math.Max(rows, 1));
        try
        {
            Run(tunedLogits, baseLogits, vocab, rows, default, perRow);
            for (int i = 0; i < rows; i++)
            {
                klPerRow[i] = (float)perRow[i];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(perRow);
        }
    }

    /// <summary>
    /// KL(tuned ‖ base) = Σ_i t_i·(log t_i − log b_i) of two categorical distributions, with 0·log 0 = 0 and +∞ where
    /// tuned puts mass that base does not. Exercise 2: tuned [0.4, 0.4, 0.2], base [0.6, 0.3, 0.1] → 0.0915162.
    /// </summary>
    /// <param name="tuned">Probabilities (each &gt;= 0).</param>
    /// <param name="base">Probabilities of the same length (each &gt;= 0).</param>
    public static double FromProbabilities(ReadOnlySpan<double> tuned, ReadOnlySpan<double> @base)
    {
        Guard.Length(@base.Length, tuned.Length);
        double kl = 0;
        for (int i = 0; i < tuned.Length; i++)
        {
            double t = tuned[i], b = @base[i];
            if (!(t >= 0) || !(b >= 0) || double.IsInfinity(t) || double.IsInfinity(b))
            {
                string name = !(t >= 0) || double.IsInfinity(t) ? nameof(tuned) : nameof(@base);
                throw new ArgumentOutOfRangeException(name, $"'{name}[{i}]' must be a finite probability >= 0; got {(name == nameof(tuned) ? t : b)}.");
            }

            if (t == 0)
            {
                continue;
            }

            if (b == 0)
            {
                return double.PositiveInfinity;
            }

            kl += t * (Math.Log(t) - Math.Log(b));
        }

        return kl;
    }

    private static unsafe void Run(
        ReadOnlySpan<float> tuned, ReadOnlySpan<float> @base, int vocab, int rows, Span<float> grad, double[] perRow)
    {
        fixed (float* pTuned = tuned)
        fixed (float* pBase = @base)
        fixed (float* pGrad = grad)
        fixed (double* pPerRow = perRow)
        {
            var job = new Job
            {
                Tuned = pTuned,
                Base = pBase,
                Grad = pGrad,
                Vocab = vocab,
                GradScale = 1f / rows,
                PerRow = pPerRow,
            };
            RowParallel.For(job, rows, 2 * vocab);
        }
    }

    private unsafe struct Job : IRowJob
    {
        public float* Tuned;
        public float* Base;
        public float* Grad;
        public int Vocab;
        public float GradScale;
        public double* PerRow;

        public readonly void Run(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                var tuned = new ReadOnlySpan<float>(Tuned + ((long)r * Vocab), Vocab);
                var @base = new ReadOnlySpan<float>(Base + ((long)r * Vocab), Vocab);
                SoftmaxKernels.KlSumsOnePass(
                    tuned, @base, out float tunedMax, out float baseMax, out double sumTuned, out double sumBase, out double weighted);
                double logSumTuned = Math.Log(sumTuned);
                double logRatio = logSumTuned - Math.Log(sumBase);
                double kl = (weighted / sumTuned) - logRatio;

                // KL >= 0 exactly; only rounding can push a near-zero row below it.
                PerRow[r] = Math.Max(kl, 0);
                if (Grad != null)
                {
                    SoftmaxKernels.KlGradient(
                        tuned, tunedMax, @base, baseMax, (float)logSumTuned, (float)(logRatio + kl), GradScale,
                        new Span<float>(Grad + ((long)r * Vocab), Vocab));
                }
            }
        }
    }
}
