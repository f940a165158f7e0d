using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Attention;

/// <summary>
/// The learned prefixes of prefix tuning for a whole model: per layer, <see cref="PrefixLength"/> key and value vectors
/// per key/value head, stored row-major as <c>[Layers x 2 x KvHeads x PrefixLength x HeadDim]</c> (keys of layer l at
/// (2l)·<see cref="LayerLength"/>, its values right after) — PEFT's <c>past_key_values</c> layout after its
/// <c>permute([2, 0, 3, 1, 4])</c>, without the batch axis, because one prefix serves the whole batch.
/// <para>
/// Prefixes are per key/value head: a prefix slot is a key (and a value), and under grouped-query attention the query
/// heads of a group share their kv head's keys, so they share its prefix slots too. With KvHeads = Heads this is the
/// classic per-head prefix; <c>[PrefixTuning(layers, p, heads, headDim)]</c> on a GQA model takes the kv-head count as
/// <c>heads</c>. The count is <c>layers·p·kvHeads·headDim·2</c>, the same arithmetic as <c>ParameterCount.Prefix</c>.
/// </para>
/// </summary>
/// <param name="Layers">Transformer layers that receive a prefix.</param>
/// <param name="PrefixLength">Prefix slots per layer and kv head (p).</param>
/// <param name="KvHeads">Key/value heads per layer.</param>
/// <param name="HeadDim">Width of one head.</param>
public readonly record struct PrefixShape(int Layers, int PrefixLength, int KvHeads, int HeadDim)
{
    /// <summary>Elements of the keys (or of the values) of one layer: KvHeads·PrefixLength·HeadDim.</summary>
    public int LayerLength => checked(KvHeads * PrefixLength * HeadDim);

    /// <summary>Elements of all prefixes: Layers·2·KvHeads·PrefixLength·HeadDim.</summary>
    public int Length => checked(Layers * 2 * LayerLength);

    /// <summary>
    /// Trainable parameters: <see cref="Length"/> without reparameterisation, or embedding + both linear layers of the
    /// reparameterisation MLP (see <see cref="PrefixEncoderShape"/>) — the same function the generator's constants use.
    /// </summary>
    /// <param name="projectionHidden">Hidden width of the reparameterisation MLP; 0 = none.</param>
    public long TrainableParameterCount(int projectionHidden = 0)
        => ParameterArithmetic.Prefix(Layers, PrefixLength, KvHeads, HeadDim, projectionHidden);

    /// <summary>"[layers=24, p=16, kvHeads=16, headDim=64]", the form every error message uses.</summary>
    public override string ToString() => $"[layers={Layers}, p={PrefixLength}, kvHeads={KvHeads}, headDim={HeadDim}]";

    internal void Validate()
    {
        Guard.Positive(Layers, "prefixShape.Layers");
        Guard.NonNegative(PrefixLength, "prefixShape.PrefixLength");
        Guard.Positive(KvHeads, "prefixShape.KvHeads");
        Guard.Positive(HeadDim, "prefixShape.HeadDim");
        try
        {
            _ = Length;
        }
        catch (System.OverflowException)
        {
            throw AttentionShapeCheck.Mismatch("prefixShape", $"Prefix shape {this} has more than int.MaxValue elements.");
        }
    }
}
