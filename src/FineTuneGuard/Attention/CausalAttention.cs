using System;
using System.Buffers;
using System.Numerics.Tensors;

namespace FineTuneGuard.Attention;

/// <summary>
/// Multi-head causal self-attention with learned prefix key/value slots (prefix tuning) and grouped-query attention,
/// computed tile by tile (the FlashAttention idea on the CPU) so that no (t x t) score matrix ever exists.
/// <para>
/// For batch b, query head h (kv head g = h / (Heads / KvHeads)) and query row i, the keys are the p prefix slots
/// followed by the t tokens; with sᵢⱼ = qᵢ·kⱼ/√d (+ mask[i, j]), prefix slots always visible and token j visible only
/// when j ≤ i:
/// oᵢ = Σⱼ softmax(sᵢ)ⱼ·vⱼ, computed with the running maximum so it never overflows, and Lᵢ = ln Σⱼ e^{sᵢⱼ} (the
/// log-sum-exp, saved for the backward). Prefix keys/values are <c>[KvHeads x p x d]</c>, shared by the whole batch.
/// </para>
/// <para>
/// Buffers are row-major float32 in PyTorch's <c>(batch, heads, tokens, headDim)</c> layout (see <see cref="AttentionShape"/>)
/// and must not overlap. Work is spread over (batch, head) pairs on up to <see cref="MaxDegreeOfParallelism"/> threads;
/// results are bit-identical for every thread count. Extra memory per thread is a few tiles (a 64-key panel and a
/// 32 x 64 score tile) plus per-row statistics (2t floats forward, t backward) — O(tile + t), never O(t²) — and the
/// backward adds Batch·KvHeads·2·p·d partial prefix gradients; all of it comes from <see cref="ArrayPool{T}.Shared"/>,
/// so in steady state a single-threaded call allocates nothing.
/// </para>
/// </summary>
public static class CausalAttention
{
    private static int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Threads a call may use (default <see cref="Environment.ProcessorCount"/>; 1 = the caller's thread only).</summary>
    public static int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            Validation.Guard.Positive(value);
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// o = softmax(q·[pk; k]ᵀ/√d + causal + mask)·[pv; v] for every batch and head, and Lᵢ = ln Σⱼ e^{sᵢⱼ} per query row.
    /// </summary>
    /// <param name="shape">Batch, heads, kv heads, tokens, head width and prefix length.</param>
    /// <param name="q">Queries <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="k">Keys <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="v">Values <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="prefixKeys">Prefix keys <c>[KvHeads x p x d]</c> of this layer (empty when p = 0).</param>
    /// <param name="prefixValues">Prefix values <c>[KvHeads x p x d]</c> of this layer (empty when p = 0).</param>
    /// <param name="output">Written: <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="logSumExp">Written: <c>[Batch x Heads x t]</c>, needed by <see cref="Backward"/>; empty to skip (inference).</param>
    /// <param name="mask">Optional additive or boolean mask over the p + t keys (see <see cref="AttentionMask"/>).</param>
    public static void Forward(
        AttentionShape shape,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> prefixKeys,
        ReadOnlySpan<float> prefixValues,
        Span<float> output,
        Span<float> logSumExp,
        AttentionMask mask = default)
        => ForwardCore(shape, q, k, v, prefixKeys, prefixValues, output, logSumExp, mask, AttentionLanes.Auto, MaxDegreeOfParallelism);

    /// <summary>
    /// Gradients of a loss through <see cref="Forward"/>, given dL/do. With P = e^{s − L} recomputed per tile and
    /// Dᵢ = dOᵢ·Oᵢ: dS = P∘(dO·Vᵀ − D)/√d, dq = dS·K, dk = dSᵀ·q, dv = Pᵀ·dO, summed over the query heads that share
    /// a kv head; the prefix gradients are the prefix columns of dk and dv, summed over the batch as well.
    /// Every gradient buffer is overwritten.
    /// </summary>
    /// <param name="shape">The shape of the forward call.</param>
    /// <param name="q">Queries of the forward call.</param>
    /// <param name="k">Keys of the forward call.</param>
    /// <param name="v">Values of the forward call.</param>
    /// <param name="prefixKeys">Prefix keys of the forward call.</param>
    /// <param name="prefixValues">Prefix values of the forward call.</param>
    /// <param name="output">The forward output o.</param>
    /// <param name="logSumExp">The forward log-sum-exp L (required here).</param>
    /// <param name="dOutput">dL/do, <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="dq">Written: dL/dq, <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="dk">Written: dL/dk, <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="dv">Written: dL/dv, <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="dPrefixKeys">Written: dL/dprefixKeys, <c>[KvHeads x p x d]</c>; empty (with <paramref name="dPrefixValues"/>) for a frozen prefix.</param>
    /// <param name="dPrefixValues">Written: dL/dprefixValues, <c>[KvHeads x p x d]</c>; empty (with <paramref name="dPrefixKeys"/>) for a frozen prefix.</param>
    /// <param name="mask">The mask of the forward call.</param>
    public static void Backward(
        AttentionShape shape,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> prefixKeys,
        ReadOnlySpan<float> prefixValues,
        ReadOnlySpan<float> output,
        ReadOnlySpan<float> logSumExp,
        ReadOnlySpan<float> dOutput,
        Span<float> dq,
        Span<float> dk,
        Span<float> dv,
        Span<float> dPrefixKeys,
        Span<float> dPrefixValues,
        AttentionMask mask = default)
        => BackwardCore(
            shape, q, k, v, prefixKeys, prefixValues, output, logSumExp, dOutput, dq, dk, dv, dPrefixKeys, dPrefixValues, mask,
            AttentionLanes.Auto, MaxDegreeOfParallelism);

    internal static unsafe void ForwardCore(
        AttentionShape shape,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> prefixKeys,
        ReadOnlySpan<float> prefixValues,
        Span<float> output,
        Span<float> logSumExp,
        AttentionMask mask,
        AttentionLanes lanes,
        int degree)
    {
        shape.Validate();
        CheckInputs(shape, q, k, v, prefixKeys, prefixValues);
        AttentionShapeCheck.Exactly(output.Length, shape.QueryLength, nameof(output), shape, QueryShape);
        AttentionShapeCheck.EmptyOr(logSumExp.Length, shape.LogSumExpLength, nameof(logSumExp), shape, RowShape);
        bool maskPerBatch = mask.Validate(shape);

        fixed (float* pq = q, pk = k, pv = v, ppk = prefixKeys, ppv = prefixValues, po = output, pl = logSumExp)
        fixed (float* additive = mask.AdditiveValues)
        fixed (bool* allowed = mask.AllowedValues)
        {
            var work = new FlashForward
            {
                Shape = shape,
                Lanes = AttentionParallel.Resolve(lanes),
                Buffers = new AttentionBuffers
                {
                    Q = pq, K = pk, V = pv, PrefixKeys = ppk, PrefixValues = ppv, Output = po,
                    LogSumExp = logSumExp.IsEmpty ? null : pl,
                    AdditiveMask = mask.Kind == AttentionMaskKind.Additive ? additive : null,
                    AllowedMask = mask.Kind == AttentionMaskKind.Allowed ? allowed : null,
                    MaskPerBatch = maskPerBatch,
                },
            };
            AttentionParallel.Run(work, shape.Batch * shape.Heads, degree);
        }
    }

    internal static unsafe void BackwardCore(
        AttentionShape shape,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> prefixKeys,
        ReadOnlySpan<float> prefixValues,
        ReadOnlySpan<float> output,
        ReadOnlySpan<float> logSumExp,
        ReadOnlySpan<float> dOutput,
        Span<float> dq,
        Span<float> dk,
        Span<float> dv,
        Span<float> dPrefixKeys,
        Span<float> dPrefixValues,
        AttentionMask mask,
        AttentionLanes lanes,
        int degree)
    {
        shape.Validate();
        CheckInputs(shape, q, k, v, prefixKeys, prefixValues);
        AttentionShapeCheck.Exactly(output.Length, shape.QueryLength, nameof(output), shape, QueryShape);
        AttentionShapeCheck.Exactly(logSumExp.Length, shape.LogSumExpLength, nameof(logSumExp), shape, RowShape);
        AttentionShapeCheck.Exactly(dOutput.Length, shape.QueryLength, nameof(dOutput), shape, QueryShape);
        AttentionShapeCheck.Exactly(dq.Length, shape.QueryLength, nameof(dq), shape, QueryShape);
        AttentionShapeCheck.Exactly(dk.Length, shape.KeyValueLength, nameof(dk), shape, KeyValueShape);
        AttentionShapeCheck.Exactly(dv.Length, shape.KeyValueLength, nameof(dv), shape, KeyValueShape);
        AttentionShapeCheck.EmptyOr(dPrefixKeys.Length, shape.PrefixKeyValueLength, nameof(dPrefixKeys), shape, PrefixShapeText);
        AttentionShapeCheck.EmptyOr(dPrefixValues.Length, shape.PrefixKeyValueLength, nameof(dPrefixValues), shape, PrefixShapeText);
        if (dPrefixKeys.IsEmpty != dPrefixValues.IsEmpty)
        {
            throw AttentionShapeCheck.Mismatch(
                nameof(dPrefixValues),
                $"'dPrefixKeys' and 'dPrefixValues' must both be [kvHeads={shape.KvHeads}, p={shape.PrefixLength}, headDim={shape.HeadDim}] " +
                $"or both empty (frozen prefix) for shape {shape}; got {dPrefixKeys.Length} and {dPrefixValues.Length} elements.");
        }

        bool maskPerBatch = mask.Validate(shape);
        bool prefixGradients = !dPrefixKeys.IsEmpty && shape.PrefixLength > 0;
        int items = shape.Batch * shape.KvHeads;
        int partialLength = prefixGradients ? checked(items * 2 * shape.PrefixLength * shape.HeadDim) : 0;
        float[]? partials = prefixGradients ? ArrayPool<float>.Shared.Rent(partialLength) : null;
        try
        {
            fixed (float* pq = q, pk = k, pv = v, ppk = prefixKeys, ppv = prefixValues, po = output, pl = logSumExp, pdo = dOutput)
            fixed (float* pdq = dq, pdk = dk, pdv = dv, partial = partials)
            fixed (float* additive = mask.AdditiveValues)
            fixed (bool* allowed = mask.AllowedValues)
            {
                var work = new FlashBackward
                {
                    Shape = shape,
                    Lanes = AttentionParallel.Resolve(lanes),
                    Buffers = new AttentionBuffers
                    {
                        Q = pq, K = pk, V = pv, PrefixKeys = ppk, PrefixValues = ppv, Output = po, LogSumExp = pl,
                        AdditiveMask = mask.Kind == AttentionMaskKind.Additive ? additive : null,
                        AllowedMask = mask.Kind == AttentionMaskKind.Allowed ? allowed : null,
                        MaskPerBatch = maskPerBatch,
                        DOutput = pdo, DQ = pdq, DK = pdk, DV = pdv,
                        PrefixGradientPartials = prefixGradients ? partial : null,
                    },
                };
                AttentionParallel.Run(work, items, degree);
            }

            if (prefixGradients)
            {
                ReducePrefixGradients(shape, partials!, dPrefixKeys, dPrefixValues);
            }
        }
        finally
        {
            if (partials != null)
            {
                ArrayPool<float>.Shared.Return(partials);
            }
        }
    }

    // Partials are [batch x kvHeads x 2 x p x d]; the sum runs over the batch in order 0..B-1 for a deterministic result.
    private static void ReducePrefixGradients(AttentionShape shape, float[] partials, Span<float> dPrefixKeys, Span<float> dPrefixValues)
    {
        int slab = shape.PrefixLength * shape.HeadDim;
        for (int g = 0; g < shape.KvHeads; g++)
        {
            Span<float> keys = dPrefixKeys.Slice(g * slab, slab);
            Span<float> values = dPrefixValues.Slice(g * slab, slab);
            for (int b = 0; b < shape.Batch; b++)
            {
                int at = ((b * shape.KvHeads) + g) * 2 * slab;
                ReadOnlySpan<float> partialKeys = partials.AsSpan(at, slab);
                ReadOnlySpan<float> partialValues = partials.AsSpan(at + slab, slab);
                if (b == 0)
                {
                    partialKeys.CopyTo(keys);
                    partialValues.CopyTo(values);
                }
                else
                {
                    TensorPrimitives.Add(keys, partialKeys, keys);
                    TensorPrimitives.Add(values, partialValues, values);
                }
            }
        }
    }

    private static void CheckInputs(
        AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> prefixKeys, ReadOnlySpan<float> prefixValues)
    {
        AttentionShapeCheck.Exactly(q.Length, shape.QueryLength, nameof(q), shape, QueryShape);
        AttentionShapeCheck.Exactly(k.Length, shape.KeyValueLength, nameof(k), shape, KeyValueShape);
        AttentionShapeCheck.Exactly(v.Length, shape.KeyValueLength, nameof(v), shape, KeyValueShape);
        AttentionShapeCheck.Exactly(prefixKeys.Length, shape.PrefixKeyValueLength, nameof(prefixKeys), shape, PrefixShapeText);
        AttentionShapeCheck.Exactly(prefixValues.Length, shape.PrefixKeyValueLength, nameof(prefixValues), shape, PrefixShapeText);
    }

    private static readonly Func<AttentionShape, string> QueryShape = static s => $"[batch={s.Batch}, heads={s.Heads}, t={s.SequenceLength}, headDim={s.HeadDim}]";

    private static readonly Func<AttentionShape, string> KeyValueShape = static s => $"[batch={s.Batch}, kvHeads={s.KvHeads}, t={s.SequenceLength}, headDim={s.HeadDim}]";

    private static readonly Func<AttentionShape, string> PrefixShapeText = static s => $"[kvHeads={s.KvHeads}, p={s.PrefixLength}, headDim={s.HeadDim}]";

    private static readonly Func<AttentionShape, string> RowShape = static s => $"[batch={s.Batch}, heads={s.Heads}, t={s.SequenceLength}]";
}
