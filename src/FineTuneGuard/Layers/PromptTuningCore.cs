using System;
using System.ComponentModel;
using FineTuneGuard.Attention;

namespace FineTuneGuard;

/// <summary>
/// The storage of one <see cref="PromptTuningAttribute"/> layer, shared by every generated class: the soft prompt, VirtualTokens
/// x EmbeddingDim, row-major, N(0, 1) at initialisation (PEFT's random init), and its gradient, prepended to the token
/// embeddings through <see cref="SoftPrompt"/>. Generated layer classes hold one of these and forward to it; use the
/// generated members.
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

    /// <summary>The shape handed to <see cref="SoftPrompt"/>: (batch, VirtualTokens, tokens, EmbeddingDim).</summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <returns>The shape.</returns>
    public SoftPromptShape PromptShape(int batch, int tokens) => new(batch, VirtualTokens, tokens, EmbeddingDim);

    /// <summary>Y_b = [P; X_b] for every sequence b (<see cref="SoftPrompt.Prepend"/>).</summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <param name="embeddings">X <c>[batch x tokens x EmbeddingDim]</c>.</param>
    /// <param name="output">Written: Y <c>[batch x (VirtualTokens + tokens) x EmbeddingDim]</c>.</param>
    public void Prepend(int batch, int tokens, ReadOnlySpan<float> embeddings, Span<float> output)
        => SoftPrompt.Prepend(PromptShape(batch, tokens), Embeddings, embeddings, output);

    /// <summary>
    /// Backward of <see cref="Prepend"/> (<see cref="SoftPrompt.BackwardSlice"/>): <see cref="GradEmbeddings"/> =
    /// Σ_b dY_b[0..VirtualTokens) (overwritten); dX = the real-token rows of dY when <paramref name="embeddingsGradient"/> is not empty.
    /// </summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <param name="outputGradient">dL/dY <c>[batch x (VirtualTokens + tokens) x EmbeddingDim]</c>.</param>
    /// <param name="embeddingsGradient">Written unless empty: dL/dX <c>[batch x tokens x EmbeddingDim]</c>.</param>
    public void BackwardSlice(int batch, int tokens, ReadOnlySpan<float> outputGradient, Span<float> embeddingsGradient)
        => SoftPrompt.BackwardSlice(PromptShape(batch, tokens), outputGradient, GradEmbeddings, embeddingsGradient);

    /// <summary>Position ids of a prompted sequence (<see cref="SoftPrompt.Positions"/>): virtual tokens 0..VirtualTokens−1, real tokens shifted after them.</summary>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <param name="positions">Written: VirtualTokens + tokens positions.</param>
    public void Positions(int tokens, Span<int> positions) => SoftPrompt.Positions(PromptShape(1, tokens), positions);

    /// <summary>Labels <c>[batch x tokens]</c> → <c>[batch x (VirtualTokens + tokens)]</c> with <see cref="SoftPrompt.IgnoredLabel"/> at virtual positions.</summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <param name="labels">Labels of the real tokens.</param>
    /// <param name="output">Written: the prompted labels.</param>
    public void PrependLabels(int batch, int tokens, ReadOnlySpan<int> labels, Span<int> output)
        => SoftPrompt.PrependLabels(PromptShape(batch, tokens), labels, output);

    /// <summary>Padding mask <c>[batch x tokens]</c> → <c>[batch x (VirtualTokens + tokens)]</c> with virtual tokens always attended.</summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <param name="tokenMask">true = real token, false = padding.</param>
    /// <param name="output">Written: the prompted mask.</param>
    public void PrependPaddingMask(int batch, int tokens, ReadOnlySpan<bool> tokenMask, Span<bool> output)
        => SoftPrompt.PrependPaddingMask(PromptShape(batch, tokens), tokenMask, output);
}
