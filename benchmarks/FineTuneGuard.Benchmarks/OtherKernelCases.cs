using System;
using System.Collections.Generic;
using FineTuneGuard.Attention;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Benchmarks;

/// <summary>
/// The peer's loss and attention cases, run on the runtime's CrossEntropy, KlDivergence and CausalAttention (written by
/// their own owners; this file only times them with the peer's shapes and work counts).
/// </summary>
internal static class OtherKernelCases
{
    /// <summary>Points the losses' and the attention's thread settings at <paramref name="threads"/>.</summary>
    public static void SetThreads(int threads)
    {
        CrossEntropy.MaxDegreeOfParallelism = threads;
        CausalAttention.MaxDegreeOfParallelism = threads;
    }

    public static IEnumerable<BenchmarkCase> All(SeededRandom random)
    {
        {
            const int n = 512, v = 32000;
            float[] logits = BenchmarkCases.Normal(random, n * v);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                // As the peer: random classes, the prompt half masked out with the ignore index.
                labels[i] = i < n / 2 ? CrossEntropy.IgnoreIndex : random.NextInt(v);
            }

            yield return new BenchmarkCase("masked_ce_512x32000", () => CrossEntropy.Loss(logits, labels, v), Bytes: 4.0 * n * v);
        }

        {
            const int n = 512, v = 32000;
            float[] tuned = BenchmarkCases.Normal(random, n * v), baseLogits = BenchmarkCases.Normal(random, n * v);
            yield return new BenchmarkCase("kl_to_base_512x32000", () => KlDivergence.TunedToBase(tuned, baseLogits, v), Bytes: 8.0 * n * v);
        }

        {
            // Causal self-attention over 256 tokens with 16 prefix key/value slots per head, inference (no log-sum-exp kept).
            const int b = 4, h = 8, t = 256, d = 64, p = 16;
            var shape = new AttentionShape(b, h, h, t, d, p);
            float[] q = BenchmarkCases.Normal(random, b * h * t * d), k = BenchmarkCases.Normal(random, b * h * t * d), val = BenchmarkCases.Normal(random, b * h * t * d);
            float[] pk = BenchmarkCases.Normal(random, h * p * d), pv = BenchmarkCases.Normal(random, h * p * d), output = new float[b * h * t * d];
            yield return new BenchmarkCase(
                "attention_prefix_b4_h8_t256_d64_p16",
                () => CausalAttention.Forward(shape, q, k, val, pk, pv, output, Span<float>.Empty),
                Flops: 4.0 * b * h * t * ((t / 2.0) + p) * d);
        }
    }
}
