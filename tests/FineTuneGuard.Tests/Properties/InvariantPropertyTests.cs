using CsCheck;
using FineTuneGuard.Attention;
using FineTuneGuard.Kernels;
using FineTuneGuard.Losses;

namespace FineTuneGuard.Tests.Properties;

/// <summary>
/// Property tests (CsCheck) of the runtime's invariants over random shapes and values. Tolerances are stated per test in
/// units of the float32 machine epsilon ε = 2^-23 times the magnitude of the terms involved.
/// </summary>
public class InvariantPropertyTests
{
    private const float Eps = 1.1920929e-7f; // 2^-23

    /// <summary>Values on a 1/1000 grid in [lo, hi] (no subnormals: the bounds below are relative).</summary>
    private static Gen<float> Value(int lo, int hi) => Gen.Int[lo * 1000, hi * 1000].Select(i => i / 1000f);

    private static readonly Gen<(LoraShape Shape, float Scaling, int Rows, float[] W, float[] A, float[] B, float[] X)> LoraCase =
        from inF in Gen.Int[1, 24]
        from outF in Gen.Int[1, 24]
        from rank in Gen.Int[1, 8]
        from rows in Gen.Int[1, 6]
        from alpha in Gen.Float[0.5f, 32f]
        from w in Value(-2, 2).Array[outF * inF]
        from a in Value(-1, 1).Array[rank * inF]
        from b in Value(-1, 1).Array[outF * rank]
        from x in Value(-2, 2).Array[rows * inF]
        select (new LoraShape(inF, outF, rank), alpha / rank, rows, w, a, b, x);

    /// <summary>Σ_k |B_ik|·|A_kj|·s: the magnitude of one element of s·B·A before cancellation.</summary>
    private static float DeltaMagnitude(LoraShape s, float scaling, float[] a, float[] b, int i, int j)
    {
        float m = 0;
        for (int k = 0; k < s.Rank; k++)
        {
            m += MathF.Abs(b[(i * s.Rank) + k] * a[(k * s.InFeatures) + j]);
        }

        return m * scaling;
    }

    /// <summary>Merge then unmerge restores W: |W' − W| ≤ 4ε·(|W| + s·Σ_k|B||A|) per element (two roundings of W ± δ).</summary>
    [Fact]
    public void MergeThenUnmergeRestoresTheWeight()
    {
        LoraCase.Sample(c =>
        {
            float[] w = (float[])c.W.Clone();
            Lora.MergeInto(c.Shape, c.Scaling, w, c.A, c.B);
            Lora.UnmergeFrom(c.Shape, c.Scaling, w, c.A, c.B);
            for (int i = 0; i < c.Shape.OutFeatures; i++)
            {
                for (int j = 0; j < c.Shape.InFeatures; j++)
                {
                    int e = (i * c.Shape.InFeatures) + j;
                    float bound = 4 * Eps * (MathF.Abs(c.W[e]) + DeltaMagnitude(c.Shape, c.Scaling, c.A, c.B, i, j));
                    if (MathF.Abs(w[e] - c.W[e]) > bound)
                    {
                        return false;
                    }
                }
            }

            return true;
        }, iter: 200);
    }

    /// <summary>LoRA with B = 0 is the base layer exactly (bit for bit the GEMM x·Wᵀ).</summary>
    [Fact]
    public void LoraWithZeroBEqualsTheBaseLayerExactly()
    {
        LoraCase.Sample(c =>
        {
            var zeroB = new float[c.Shape.BLength];
            var y = new float[c.Rows * c.Shape.OutFeatures];
            var baseY = new float[y.Length];
            Lora.Forward(c.Shape, c.Scaling, c.Rows, c.X, c.W, c.A, zeroB, y);
            Gemm.Multiply(false, true, c.Rows, c.Shape.OutFeatures, c.Shape.InFeatures, 1f, c.X, c.W, 0f, baseY);
            return y.AsSpan().SequenceEqual(baseY);
        }, iter: 200);

        // And merging B = 0 leaves W untouched, bit for bit.
        LoraCase.Sample(c =>
        {
            float[] w = (float[])c.W.Clone();
            Lora.MergeInto(c.Shape, c.Scaling, w, c.A, new float[c.Shape.BLength]);
            return w.AsSpan().SequenceEqual(c.W);
        }, iter: 100);
    }

    /// <summary>
    /// Merged forward equals adapter forward: |x·(W + sBA)ᵀ − (x·Wᵀ + s(x·Aᵀ)·Bᵀ)| ≤ 8(in + r)ε·Σ_j |x_j|(|W_ij| + s·Σ_k|B_ik||A_kj|).
    /// </summary>
    [Fact]
    public void MergedForwardEqualsAdapterForward()
    {
        LoraCase.Sample(c =>
        {
            var s = c.Shape;
            var adapter = new float[c.Rows * s.OutFeatures];
            Lora.Forward(s, c.Scaling, c.Rows, c.X, c.W, c.A, c.B, adapter);
            float[] merged = (float[])c.W.Clone();
            Lora.MergeInto(s, c.Scaling, merged, c.A, c.B);
            var y = new float[adapter.Length];
            Gemm.Multiply(false, true, c.Rows, s.OutFeatures, s.InFeatures, 1f, c.X, merged, 0f, y);
            for (int r = 0; r < c.Rows; r++)
            {
                for (int i = 0; i < s.OutFeatures; i++)
                {
                    float magnitude = 0;
                    for (int j = 0; j < s.InFeatures; j++)
                    {
                        magnitude += MathF.Abs(c.X[(r * s.InFeatures) + j]) * (MathF.Abs(c.W[(i * s.InFeatures) + j]) + DeltaMagnitude(s, c.Scaling, c.A, c.B, i, j));
                    }

                    float bound = 8 * (s.InFeatures + s.Rank) * Eps * magnitude;
                    if (MathF.Abs(y[(r * s.OutFeatures) + i] - adapter[(r * s.OutFeatures) + i]) > bound)
                    {
                        return false;
                    }
                }
            }

            return true;
        }, iter: 200);
    }

    /// <summary>Policy = reference: the sigmoid DPO loss is exactly (float)ln 2 and the hinge loss exactly 1, for every β and log-prob.</summary>
    [Fact]
    public void DpoWithPolicyEqualToReferenceIsLn2AndHingeOne()
    {
        Gen.Select(Gen.Float[-500f, 0f], Gen.Float[-500f, 0f], Gen.Float[0.001f, 10f]).Sample((chosen, rejected, beta) =>
        {
            DpoResult sigmoid = Dpo.Loss(chosen, rejected, chosen, rejected, beta, DpoLossType.Sigmoid);
            DpoResult hinge = Dpo.Loss(chosen, rejected, chosen, rejected, beta, DpoLossType.Hinge);
            return sigmoid.Loss == (float)Math.Log(2) && hinge.Loss == 1f;
        }, iter: 500);
    }

    /// <summary>The masked loss (0/1 mask) equals the unmasked mean over the selected rows only, within 1e-6 relative (both accumulate in double).</summary>
    [Fact]
    public void MaskedLossEqualsTheUnmaskedLossOverTheSelectedTokens()
    {
        var gen = from vocab in Gen.Int[2, 20]
                  from rows in Gen.Int[1, 12]
                  from logits in Value(-8, 8).Array[rows * vocab]
                  from targets in Gen.Int[0, vocab - 1].Array[rows]
                  from mask in Gen.Bool.Array[rows]
                  where mask.Any(m => m)
                  select (vocab, rows, logits, targets, mask);
        gen.Sample(c =>
        {
            float masked = CrossEntropy.MaskedLoss(c.logits, c.targets, c.mask.Select(m => m ? 1f : 0f).ToArray(), c.vocab);
            int[] keep = Enumerable.Range(0, c.rows).Where(r => c.mask[r]).ToArray();
            float[] selectedLogits = keep.SelectMany(r => c.logits.Skip(r * c.vocab).Take(c.vocab)).ToArray();
            int[] selectedTargets = keep.Select(r => c.targets[r]).ToArray();
            float unmasked = CrossEntropy.UnmaskedLoss(selectedLogits, selectedTargets, c.vocab);

            // The ignore-index form says the same.
            int[] labels = c.targets.Select((t, r) => c.mask[r] ? t : CrossEntropy.IgnoreIndex).ToArray();
            float ignored = CrossEntropy.Loss(c.logits, labels, c.vocab);
            return MathF.Abs(masked - unmasked) <= 1e-6f * MathF.Max(1, unmasked) && MathF.Abs(ignored - unmasked) <= 1e-6f * MathF.Max(1, unmasked);
        }, iter: 300);
    }

    /// <summary>KL(tuned ‖ base) ≥ 0; exactly 0 for identical logits; &gt; 0 when one logit (of logits within ±3) moves by at least 0.5.</summary>
    [Fact]
    public void KlIsNonNegativeAndZeroOnlyForEqualDistributions()
    {
        var gen = from vocab in Gen.Int[2, 40]
                  from rows in Gen.Int[1, 4]
                  from tuned in Value(-20, 20).Array[rows * vocab]
                  from other in Value(-20, 20).Array[rows * vocab]
                  from index in Gen.Int[0, (rows * vocab) - 1]
                  from shift in Gen.Float[0.5f, 5f]
                  select (vocab, tuned, other, index, shift);
        gen.Sample(c =>
        {
            float different = KlDivergence.TunedToBase(c.tuned, c.other, c.vocab);
            Assert.True(different >= 0, $"KL = {different}");
            Assert.Equal(0f, KlDivergence.TunedToBase(c.tuned, c.tuned, c.vocab));
            // Logits within [-3, 3]: every probability is ≥ e^-6/vocab, so a shift of ≥ 0.5 changes the distribution by far
            // more than float resolution (with logits 40 apart a change can be below 1e-8 and KL rounds to 0).
            float[] small = c.tuned.Select(v => v * 0.15f).ToArray();
            float[] moved = (float[])small.Clone();
            moved[c.index] += c.shift;
            float positive = KlDivergence.TunedToBase(moved, small, c.vocab);
            Assert.True(positive > 0, $"KL after moving one logit by {c.shift} = {positive}");
        }, iter: 300);

        // From probabilities: ≥ 0, and 0 for the same distribution.
        Gen.Double[0.01, 1].Array[2, 10].Sample(p =>
        {
            double sum = p.Sum();
            double[] q = p.Select(v => v / sum).ToArray();
            double[] r = q.Reverse().ToArray();
            return KlDivergence.FromProbabilities(q, q) == 0 && KlDivergence.FromProbabilities(q, r) >= 0;
        }, iter: 200);
    }

    /// <summary>A batch whose mask selects no token is an error with a clear message, never a NaN.</summary>
    [Fact]
    public void AMaskThatSelectsNothingIsAnErrorNotANaN()
    {
        Gen.Int[1, 10].Sample(rows =>
        {
            float[] logits = new float[rows * 4];
            int[] targets = new int[rows];
            var e = Assert.Throws<ArgumentException>(() => CrossEntropy.MaskedLoss(logits, targets, new float[rows], 4));
            Assert.Contains("mask", e.Message);
            Assert.Contains("sums to 0", e.Message);
            var ignored = Assert.Throws<ArgumentException>(() => CrossEntropy.Loss(logits, Enumerable.Repeat(CrossEntropy.IgnoreIndex, rows).ToArray(), 4));
            Assert.Contains("ignore index", ignored.Message);
            var tokens = Assert.Throws<ArgumentException>(() => TokenLoss.AnswerOnlyMean(new float[rows], new float[rows]));
            Assert.Contains("mask", tokens.Message);
        }, iter: 20);

        // The SFT collator: an example with no response token has no target; the message names it.
        var example = SftExample.FromPromptResponse(new[] { 1, 2, 3 }, Array.Empty<int>());
        var error = Assert.Throws<ArgumentException>(() => SftBatch.Collate(new[] { SftExample.FromPromptResponse(new[] { 1 }, new[] { 2, 3 }), example }));
        Assert.Contains("Example 1 of the batch", error.Message);
    }
}
