using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Attention;

/// <summary>
/// The reparameterisation MLP of prefix tuning (PEFT's <c>PrefixEncoder</c> with <c>prefix_projection=True</c>):
/// a prefix embedding E <c>[PrefixLength x TokenDim]</c>, then Linear(TokenDim → Hidden) with bias, tanh, and
/// Linear(Hidden → OutputDim) with bias, where TokenDim = KvHeads·HeadDim and OutputDim = Layers·2·TokenDim. Weights are
/// stored as PyTorch's <c>nn.Linear</c> does: <c>[out x in]</c> row-major.
/// </summary>
/// <param name="Layers">Transformer layers that receive a prefix.</param>
/// <param name="PrefixLength">Prefix slots per layer and kv head.</param>
/// <param name="KvHeads">Key/value heads per layer.</param>
/// <param name="HeadDim">Width of one head.</param>
/// <param name="Hidden">Hidden width of the MLP (PEFT's <c>encoder_hidden_size</c>).</param>
public readonly record struct PrefixEncoderShape(int Layers, int PrefixLength, int KvHeads, int HeadDim, int Hidden)
{
    /// <summary>The shape of the prefixes the MLP produces.</summary>
    public PrefixShape Prefix => new(Layers, PrefixLength, KvHeads, HeadDim);

    /// <summary>Width of one embedding row: KvHeads·HeadDim.</summary>
    public int TokenDim => checked(KvHeads * HeadDim);

    /// <summary>Width of one output row: Layers·2·KvHeads·HeadDim.</summary>
    public int OutputDim => checked(Layers * 2 * TokenDim);

    /// <summary>Elements of the embedding E: PrefixLength·TokenDim.</summary>
    public int EmbeddingLength => checked(PrefixLength * TokenDim);

    /// <summary>Elements of the first weight W₁ <c>[Hidden x TokenDim]</c>.</summary>
    public int FirstWeightLength => checked(Hidden * TokenDim);

    /// <summary>Elements of the first bias b₁: Hidden.</summary>
    public int FirstBiasLength => Hidden;

    /// <summary>Elements of the second weight W₂ <c>[OutputDim x Hidden]</c>.</summary>
    public int SecondWeightLength => checked(OutputDim * Hidden);

    /// <summary>Elements of the second bias b₂: OutputDim.</summary>
    public int SecondBiasLength => OutputDim;

    /// <summary>Elements of the saved activations H = tanh(E·W₁ᵀ + b₁) <c>[PrefixLength x Hidden]</c>.</summary>
    public int HiddenLength => checked(PrefixLength * Hidden);

    /// <summary>
    /// Trainable parameters while the MLP is trained: embedding + W₁ + b₁ + W₂ + b₂, which is
    /// <c>ParameterCount.Prefix(layers, p, kvHeads, headDim, hidden)</c>.
    /// </summary>
    public long TrainableParameterCount => ParameterArithmetic.Prefix(Layers, PrefixLength, KvHeads, HeadDim, Hidden);

    /// <summary>"[layers=2, p=16, kvHeads=8, headDim=64, hidden=512]", the form every error message uses.</summary>
    public override string ToString() => $"[layers={Layers}, p={PrefixLength}, kvHeads={KvHeads}, headDim={HeadDim}, hidden={Hidden}]";

    internal void Validate()
    {
        Guard.Positive(Layers, "shape.Layers");
        Guard.Positive(PrefixLength, "shape.PrefixLength");
        Guard.Positive(KvHeads, "shape.KvHeads");
        Guard.Positive(HeadDim, "shape.HeadDim");
        Guard.Positive(Hidden, "shape.Hidden");
        try
        {
            _ = checked(EmbeddingLength + FirstWeightLength + SecondWeightLength + SecondBiasLength + HiddenLength + Prefix.Length);
        }
        catch (System.OverflowException)
        {
            throw AttentionShapeCheck.Mismatch("shape", $"Prefix encoder shape {this} has buffers beyond int.MaxValue elements.");
        }
    }
}
