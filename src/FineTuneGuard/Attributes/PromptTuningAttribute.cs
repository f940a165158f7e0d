using System;

namespace FineTuneGuard;

/// <summary>
/// Completes a <c>partial class</c> into prompt tuning: <paramref name="virtualTokens"/> learned embeddings of width
/// <paramref name="embeddingDim"/> prepended to the token embeddings. Trainable parameters: <c>virtualTokens·embeddingDim</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PromptTuningAttribute(int virtualTokens, int embeddingDim) : Attribute
{
    /// <summary>Number of virtual (soft-prompt) tokens.</summary>
    public int VirtualTokens { get; } = virtualTokens;

    /// <summary>Embedding width of the model.</summary>
    public int EmbeddingDim { get; } = embeddingDim;
}
