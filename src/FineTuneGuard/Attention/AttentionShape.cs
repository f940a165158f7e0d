using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Attention;

/// <summary>
/// The shape of one causal self-attention call with learned prefix slots, in the layout of PyTorch's
/// <c>(batch, heads, tokens, headDim)</c>:
/// queries and outputs are <c>[Batch x Heads x SequenceLength x HeadDim]</c>, keys and values
/// <c>[Batch x KvHeads x SequenceLength x HeadDim]</c>, prefix keys and values <c>[KvHeads x PrefixLength x HeadDim]</c>
/// (shared across the batch), the saved log-sum-exp <c>[Batch x Heads x SequenceLength]</c>.
/// Query head <c>h</c> reads key/value head <c>h / (Heads / KvHeads)</c> (grouped-query attention; KvHeads = Heads is
/// plain multi-head attention, KvHeads = 1 multi-query attention).
/// </summary>
/// <param name="Batch">Sequences in the batch.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads; must divide <paramref name="Heads"/>.</param>
/// <param name="SequenceLength">Tokens per sequence (t).</param>
/// <param name="HeadDim">Width of one head (d); scores are scaled by 1/√d.</param>
/// <param name="PrefixLength">Learned prefix key/value slots per key/value head (p, may be 0).</param>
public readonly record struct AttentionShape(int Batch, int Heads, int KvHeads, int SequenceLength, int HeadDim, int PrefixLength = 0)
{
    /// <summary>Query heads that share one key/value head: Heads / KvHeads.</summary>
    public int GroupSize => Heads / KvHeads;

    /// <summary>Keys every query row can see at most: PrefixLength + SequenceLength.</summary>
    public int KeyCount => PrefixLength + SequenceLength;

    /// <summary>The softmax scale 1/√HeadDim.</summary>
    public float Scale => 1f / MathF.Sqrt(HeadDim);

    /// <summary>Elements of q, the output, dq and dOutput: Batch·Heads·SequenceLength·HeadDim.</summary>
    public int QueryLength => checked(Batch * Heads * SequenceLength * HeadDim);

    /// <summary>Elements of k, v, dk and dv: Batch·KvHeads·SequenceLength·HeadDim.</summary>
    public int KeyValueLength => checked(Batch * KvHeads * SequenceLength * HeadDim);

    /// <summary>Elements of the prefix keys (and of the prefix values) of one layer: KvHeads·PrefixLength·HeadDim.</summary>
    public int PrefixKeyValueLength => checked(KvHeads * PrefixLength * HeadDim);

    /// <summary>Elements of the saved per-row log-sum-exp: Batch·Heads·SequenceLength.</summary>
    public int LogSumExpLength => checked(Batch * Heads * SequenceLength);

    /// <summary>Elements of a mask shared by the whole batch: SequenceLength·(PrefixLength + SequenceLength).</summary>
    public int SharedMaskLength => checked(SequenceLength * KeyCount);

    /// <summary>Elements of a per-sequence mask: Batch·SequenceLength·(PrefixLength + SequenceLength).</summary>
    public int BatchMaskLength => checked(Batch * SequenceLength * KeyCount);

    /// <summary>"[batch=4, heads=8, kvHeads=8, t=256, headDim=64, p=16]", the form every error message uses.</summary>
    public override string ToString()
        => $"[batch={Batch}, heads={Heads}, kvHeads={KvHeads}, t={SequenceLength}, headDim={HeadDim}, p={PrefixLength}]";

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a non-positive dimension (or a negative prefix length) and
    /// <see cref="ArgumentException"/> when KvHeads does not divide Heads or a buffer length would overflow.
    /// </summary>
    internal void Validate()
    {
        Guard.Positive(Batch, "shape.Batch");
        Guard.Positive(Heads, "shape.Heads");
        Guard.Positive(KvHeads, "shape.KvHeads");
        Guard.Positive(SequenceLength, "shape.SequenceLength");
        Guard.Positive(HeadDim, "shape.HeadDim");
        Guard.NonNegative(PrefixLength, "shape.PrefixLength");
        if (Heads % KvHeads != 0)
        {
            throw AttentionShapeCheck.Mismatch(
                "shape",
                $"Grouped-query attention needs heads to be a multiple of kvHeads: heads={Heads}, kvHeads={KvHeads} in shape {this}.");
        }

        try
        {
            _ = checked(QueryLength + KeyValueLength + PrefixKeyValueLength + BatchMaskLength);
        }
        catch (OverflowException)
        {
            throw AttentionShapeCheck.Mismatch("shape", $"Attention shape {this} has buffers beyond int.MaxValue elements.");
        }
    }
}
