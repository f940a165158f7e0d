using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Attention;

/// <summary>
/// The shape of prompt tuning on one batch: <see cref="VirtualTokens"/> learned embeddings <c>[VirtualTokens x EmbeddingDim]</c>
/// prepended to token embeddings <c>[Batch x Tokens x EmbeddingDim]</c>, giving <c>[Batch x (VirtualTokens + Tokens) x EmbeddingDim]</c>.
/// </summary>
/// <param name="Batch">Sequences in the batch.</param>
/// <param name="VirtualTokens">Learned virtual tokens (the soft prompt).</param>
/// <param name="Tokens">Real tokens per sequence.</param>
/// <param name="EmbeddingDim">Embedding width of the model.</param>
public readonly record struct SoftPromptShape(int Batch, int VirtualTokens, int Tokens, int EmbeddingDim)
{
    /// <summary>Positions per sequence after prepending: VirtualTokens + Tokens.</summary>
    public int TotalTokens => checked(VirtualTokens + Tokens);

    /// <summary>Elements of the soft prompt: VirtualTokens·EmbeddingDim.</summary>
    public int PromptLength => checked(VirtualTokens * EmbeddingDim);

    /// <summary>Elements of the token embeddings: Batch·Tokens·EmbeddingDim.</summary>
    public int EmbeddingsLength => checked(Batch * Tokens * EmbeddingDim);

    /// <summary>Elements of the prepended embeddings: Batch·(VirtualTokens + Tokens)·EmbeddingDim.</summary>
    public int OutputLength => checked(Batch * TotalTokens * EmbeddingDim);

    /// <summary>Trainable parameters: VirtualTokens·EmbeddingDim (the same arithmetic as <c>ParameterCount.Prompt</c>).</summary>
    public long TrainableParameterCount => ParameterArithmetic.Prompt(VirtualTokens, EmbeddingDim);

    /// <summary>"[batch=2, virtualTokens=20, tokens=128, embeddingDim=768]", the form every error message uses.</summary>
    public override string ToString() => $"[batch={Batch}, virtualTokens={VirtualTokens}, tokens={Tokens}, embeddingDim={EmbeddingDim}]";

    internal void Validate()
    {
        Guard.Positive(Batch, "shape.Batch");
        Guard.NonNegative(VirtualTokens, "shape.VirtualTokens");
        Guard.Positive(Tokens, "shape.Tokens");
        Guard.Positive(EmbeddingDim, "shape.EmbeddingDim");
        try
        {
            _ = checked(OutputLength + PromptLength);
        }
        catch (System.OverflowException)
        {
            throw AttentionShapeCheck.Mismatch("shape", $"Soft prompt shape {this} has buffers beyond int.MaxValue elements.");
        }
    }
}
