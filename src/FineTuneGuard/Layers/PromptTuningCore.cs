using System;
using System.ComponentModel;

namespace FineTuneGuard;

/// <summary>
/// The storage of one <see cref="PromptTuningAttribute"/> layer, shared by every generated class: the soft prompt, VirtualTokens
/// x EmbeddingDim, row-major, N(0, 1) at initialisation (PEFT's random init), and its gradient. Generated layer classes
/// hold one of these and forward to it; use the generated members.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PromptTuningCore
{
    /// <summary>Allocates the soft prompt and its gradient, both zero.</summary>
    /// <param name="virtualTokens">Number of virtual (soft-prompt) tokens.</param>
    /// <param name="embeddingDim">Embedding width of the model.</param>
    public PromptTuningCore(int virtualTokens, int embeddingDim)
    {
        VirtualTokens = LayerChecks.Positive(virtualTokens, nameof(virtualTokens));
        EmbeddingDim = LayerChecks.Positive(embeddingDim, nameof(embeddingDim));
        Embeddings = new float[checked(virtualTokens * embeddingDim)];
        GradEmbeddings = new float[Embeddings.Length];
    }

    /// <summary>Number of virtual tokens.</summary>
    public int VirtualTokens { get; }

    /// <summary>Embedding width.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The soft prompt, VirtualTokens x EmbeddingDim, row-major.</summary>
    public float[] Embeddings { get; }

    /// <summary>dL/dEmbeddings (VirtualTokens x EmbeddingDim).</summary>
    public float[] GradEmbeddings { get; }

    /// <summary>Re-initialises the soft prompt N(0, 1) from <paramref name="seed"/> and zeroes its gradient.</summary>
    public void ResetParameters(ulong seed)
    {
        new SeededRandom(seed).FillNormal(Embeddings, 0f, 1f);
        Array.Clear(GradEmbeddings);
    }

    /// <summary>The embedding of virtual token <paramref name="index"/> (EmbeddingDim values), a view into <see cref="Embeddings"/>.</summary>
    public Span<float> Token(int index)
    {
        LayerChecks.Index(nameof(index), index, VirtualTokens);
        return new Span<float>(Embeddings, index * EmbeddingDim, EmbeddingDim);
    }
}
