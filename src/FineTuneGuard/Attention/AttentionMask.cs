using System;

namespace FineTuneGuard.Attention;

/// <summary>What an <see cref="AttentionMask"/> holds.</summary>
public enum AttentionMaskKind
{
    /// <summary>No mask: only the causal rule applies.</summary>
    None,

    /// <summary>Float values added to the scaled scores before the softmax (0 = keep, -∞ = drop, anything else = bias).</summary>
    Additive,

    /// <summary>Booleans: true = the query may attend to the key, false = it may not.</summary>
    Allowed,
}

/// <summary>
/// An optional mask over the full key axis of a causal attention call, <c>PrefixLength + SequenceLength</c> columns per
/// query row (prefix slots first, then the tokens), either shared by the batch (<c>[t x (p + t)]</c>) or per sequence
/// (<c>[batch x t x (p + t)]</c>) — the length decides which. It is applied on top of the causal rule (token j is visible
/// to query i only when j ≤ i; prefix slots are always visible), typically to hide padding or to drop prefix slots.
/// A query row that ends up with no visible key at all gets output 0, log-sum-exp -∞ and zero gradients.
/// </summary>
public readonly ref struct AttentionMask
{
    private AttentionMask(AttentionMaskKind kind, ReadOnlySpan<float> additive, ReadOnlySpan<bool> allowed)
    {
        Kind = kind;
        AdditiveValues = additive;
        AllowedValues = allowed;
    }

    /// <summary>No mask (the default value).</summary>
    public static AttentionMask None => default;

    /// <summary>What the mask holds.</summary>
    public AttentionMaskKind Kind { get; }

    /// <summary>The additive values (empty unless <see cref="Kind"/> is <see cref="AttentionMaskKind.Additive"/>).</summary>
    public ReadOnlySpan<float> AdditiveValues { get; }

    /// <summary>The booleans (empty unless <see cref="Kind"/> is <see cref="AttentionMaskKind.Allowed"/>).</summary>
    public ReadOnlySpan<bool> AllowedValues { get; }

    /// <summary>Number of mask elements.</summary>
    public int Length => Kind switch
    {
        AttentionMaskKind.Additive => AdditiveValues.Length,
        AttentionMaskKind.Allowed => AllowedValues.Length,
        _ => 0,
    };

    /// <summary>An additive mask: score'ᵢⱼ = qᵢ·kⱼ/√d + mask[i, j]; -∞ removes key j from row i.</summary>
    public static AttentionMask Additive(ReadOnlySpan<float> values) => new(AttentionMaskKind.Additive, values, default);

    /// <summary>A boolean mask: key j is visible to row i only where allowed[i, j] is true (and the causal rule allows it).</summary>
    public static AttentionMask Allowed(ReadOnlySpan<bool> allowed) => new(AttentionMaskKind.Allowed, default, allowed);

    /// <summary>
    /// Checks the mask against <paramref name="shape"/> and returns whether it is per sequence (true) or shared by the
    /// batch (false). Throws <see cref="ArgumentException"/> naming both shapes otherwise.
    /// </summary>
    internal bool Validate(AttentionShape shape)
    {
        if (Kind == AttentionMaskKind.None)
        {
            return false;
        }

        int length = Length;
        if (length == shape.SharedMaskLength)
        {
            // With Batch = 1 both forms have the same length and mean the same thing.
            return false;
        }

        if (length == shape.BatchMaskLength)
        {
            return true;
        }

        throw AttentionShapeCheck.Mismatch(
            "mask",
            $"'mask' must have shape [t={shape.SequenceLength} x keys={shape.KeyCount}] ({shape.SharedMaskLength} elements, shared by the batch) " +
            $"or [batch={shape.Batch} x t={shape.SequenceLength} x keys={shape.KeyCount}] ({shape.BatchMaskLength} elements) for shape {shape}; " +
            $"got {length} elements.");
    }
}
