using System;

namespace FineTuneGuard.Attention;

/// <summary>
/// The per-layer view of a model's prefixes (layout of <see cref="PrefixShape"/>) and the checks that keep a prefix on
/// the model it was trained for: a prefix for another layer count, or for other kv heads, prefix length or head width
/// than the attention it is handed to, is refused with an <see cref="ArgumentException"/> naming both shapes.
/// </summary>
public static class LayerPrefixes
{
    /// <summary>The prefix keys <c>[KvHeads x p x HeadDim]</c> of <paramref name="layer"/>.</summary>
    public static ReadOnlySpan<float> Keys(PrefixShape shape, ReadOnlySpan<float> prefixes, int layer)
        => prefixes.Slice(Offset(shape, prefixes.Length, layer, 0), shape.LayerLength);

    /// <summary>The prefix values <c>[KvHeads x p x HeadDim]</c> of <paramref name="layer"/>.</summary>
    public static ReadOnlySpan<float> Values(PrefixShape shape, ReadOnlySpan<float> prefixes, int layer)
        => prefixes.Slice(Offset(shape, prefixes.Length, layer, 1), shape.LayerLength);

    /// <summary>The writable keys of <paramref name="layer"/> (e.g. of a gradient buffer laid out like the prefixes).</summary>
    public static Span<float> WritableKeys(PrefixShape shape, Span<float> prefixes, int layer)
        => prefixes.Slice(Offset(shape, prefixes.Length, layer, 0), shape.LayerLength);

    /// <summary>The writable values of <paramref name="layer"/>.</summary>
    public static Span<float> WritableValues(PrefixShape shape, Span<float> prefixes, int layer)
        => prefixes.Slice(Offset(shape, prefixes.Length, layer, 1), shape.LayerLength);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming both shapes unless <paramref name="prefix"/> fits
    /// <paramref name="attention"/>: same prefix length, kv heads and head width.
    /// </summary>
    public static void EnsureCompatible(PrefixShape prefix, AttentionShape attention)
    {
        if (prefix.PrefixLength != attention.PrefixLength || prefix.KvHeads != attention.KvHeads || prefix.HeadDim != attention.HeadDim)
        {
            throw AttentionShapeCheck.Mismatch(
                nameof(prefix),
                $"Prefix shape {prefix} does not fit attention shape {attention}: p, kvHeads and headDim must agree " +
                $"(p {prefix.PrefixLength} vs {attention.PrefixLength}, kvHeads {prefix.KvHeads} vs {attention.KvHeads}, " +
                $"headDim {prefix.HeadDim} vs {attention.HeadDim}).");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming both shapes unless the two prefix shapes are equal.</summary>
    public static void EnsureSame(PrefixShape expected, PrefixShape actual)
    {
        if (expected != actual)
        {
            string what = expected.Layers != actual.Layers
                ? $"a prefix for {actual.Layers} layers cannot serve a model of {expected.Layers} layers"
                : "kv heads, prefix length and head width must agree";
            throw AttentionShapeCheck.Mismatch(nameof(actual), $"Prefix shape {actual} does not match the expected prefix shape {expected}: {what}.");
        }
    }

    /// <summary>
    /// Copies prefixes of shape <paramref name="sourceShape"/> into a buffer of shape <paramref name="targetShape"/>
    /// (loading trained prefixes into a model); any difference in shape, layer count included, is an
    /// <see cref="ArgumentException"/> naming both shapes.
    /// </summary>
    public static void Load(PrefixShape targetShape, Span<float> target, PrefixShape sourceShape, ReadOnlySpan<float> source)
    {
        targetShape.Validate();
        sourceShape.Validate();
        EnsureSame(targetShape, sourceShape);
        AttentionShapeCheck.Exactly(target.Length, targetShape.Length, nameof(target), targetShape, PrefixText);
        AttentionShapeCheck.Exactly(source.Length, sourceShape.Length, nameof(source), sourceShape, PrefixText);
        source.CopyTo(target);
    }

    /// <summary>
    /// <see cref="CausalAttention.Forward"/> of <paramref name="layer"/> with that layer's prefix, after checking that the
    /// prefix fits the attention.
    /// </summary>
    /// <param name="prefixShape">Shape of all prefixes.</param>
    /// <param name="prefixes">All prefixes, <c>[Layers x 2 x KvHeads x p x HeadDim]</c>.</param>
    /// <param name="layer">The layer being computed.</param>
    /// <param name="attention">The attention shape of that layer.</param>
    /// <param name="q">Queries <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="k">Keys <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="v">Values <c>[Batch x KvHeads x t x d]</c>.</param>
    /// <param name="output">Written: <c>[Batch x Heads x t x d]</c>.</param>
    /// <param name="logSumExp">Written: <c>[Batch x Heads x t]</c>; empty to skip.</param>
    /// <param name="mask">Optional mask over the p + t keys.</param>
    public static void Forward(
        PrefixShape prefixShape,
        ReadOnlySpan<float> prefixes,
        int layer,
        AttentionShape attention,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        Span<float> output,
        Span<float> logSumExp,
        AttentionMask mask = default)
    {
        EnsureCompatible(prefixShape, attention);
        CausalAttention.Forward(
            attention, q, k, v, Keys(prefixShape, prefixes, layer), Values(prefixShape, prefixes, layer), output, logSumExp, mask);
    }

    /// <summary>
    /// <see cref="CausalAttention.Backward"/> of <paramref name="layer"/>: writes dq, dk, dv and that layer's slice of
    /// <paramref name="prefixGradients"/> (laid out like the prefixes; other layers' slices are left untouched).
    /// </summary>
    /// <param name="prefixShape">Shape of all prefixes.</param>
    /// <param name="prefixes">All prefixes.</param>
    /// <param name="layer">The layer being computed.</param>
    /// <param name="attention">The attention shape of that layer.</param>
    /// <param name="q">Queries of the forward call.</param>
    /// <param name="k">Keys of the forward call.</param>
    /// <param name="v">Values of the forward call.</param>
    /// <param name="output">The forward output.</param>
    /// <param name="logSumExp">The forward log-sum-exp.</param>
    /// <param name="dOutput">dL/doutput.</param>
    /// <param name="dq">Written: dL/dq.</param>
    /// <param name="dk">Written: dL/dk.</param>
    /// <param name="dv">Written: dL/dv.</param>
    /// <param name="prefixGradients">All prefix gradients, <c>[Layers x 2 x KvHeads x p x HeadDim]</c>; this layer's slice is overwritten.</param>
    /// <param name="mask">The mask of the forward call.</param>
    public static void Backward(
        PrefixShape prefixShape,
        ReadOnlySpan<float> prefixes,
        int layer,
        AttentionShape attention,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> output,
        ReadOnlySpan<float> logSumExp,
        ReadOnlySpan<float> dOutput,
        Span<float> dq,
        Span<float> dk,
        Span<float> dv,
        Span<float> prefixGradients,
        AttentionMask mask = default)
    {
        EnsureCompatible(prefixShape, attention);
        AttentionShapeCheck.Exactly(prefixGradients.Length, prefixShape.Length, nameof(prefixGradients), prefixShape, PrefixText);
        CausalAttention.Backward(
            attention, q, k, v, Keys(prefixShape, prefixes, layer), Values(prefixShape, prefixes, layer), output, logSumExp, dOutput,
            dq, dk, dv, WritableKeys(prefixShape, prefixGradients, layer), WritableValues(prefixShape, prefixGradients, layer), mask);
    }

    private static readonly Func<PrefixShape, string> PrefixText =
        static s => $"[layers={s.Layers} x 2 x kvHeads={s.KvHeads} x p={s.PrefixLength} x headDim={s.HeadDim}]";

    private static int Offset(PrefixShape shape, int length, int layer, int part)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(length, shape.Length, "prefixes", shape, PrefixText);
        if ((uint)layer >= (uint)shape.Layers)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"'layer' must be in [0, {shape.Layers}) for prefix shape {shape}; got {layer}.");
        }

        return ((2 * layer) + part) * shape.LayerLength;
    }
}
