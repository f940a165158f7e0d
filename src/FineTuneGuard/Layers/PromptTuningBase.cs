using System;
using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard;

/// <summary>
/// The base class of every <see cref="PromptTuningAttribute"/> layer: the soft prompt, VirtualTokens x EmbeddingDim,
/// row-major, N(0, 1) at initialisation (PEFT's random init), and its gradient, prepended to the token embeddings
/// through <see cref="SoftPrompt"/>.
/// </summary>
/// <remarks>
/// The generator derives each annotated class from this type and adds only the compile-time constants and
/// <see cref="TrainableLayer{PromptTuningDefinition}.CreateDefinition"/>. Without the generator, derive from it and override <see cref="TrainableLayer{PromptTuningDefinition}.CreateDefinition"/>.
/// </remarks>
public abstract class PromptTuningBase : TrainableLayer<PromptTuningDefinition>
{
    /// <summary>Allocates the soft prompt and its gradient from <see cref="TrainableLayer{PromptTuningDefinition}.CreateDefinition"/> and initialises the prompt N(0, 1) from <paramref name="seed"/>.</summary>
    /// <param name="seed">Seed of the initialisation.</param>
    protected PromptTuningBase(ulong seed = 0)
        : this(null, seed)
    {
    }

    /// <summary>
    /// For layers defined at run time (without the generator): allocates the soft prompt and its gradient from <paramref name="definition"/>
    /// and initialises them as the seeded constructor does.
    /// </summary>
    /// <param name="definition">What the layer is.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    protected PromptTuningBase(PromptTuningDefinition definition, ulong seed = 0)
        : this((PromptTuningDefinition?)definition, seed)
    {
    }

    private PromptTuningBase(PromptTuningDefinition? given, ulong seed)
        : base(given)
    {
        PromptTuningDefinition definition = Definition;
        LayerChecks.Name(definition.Name);
        int virtualTokens = LayerChecks.Positive(definition.VirtualTokens, nameof(definition.VirtualTokens));
        int embeddingDim = LayerChecks.Positive(definition.EmbeddingDim, nameof(definition.EmbeddingDim));
        Embeddings = new float[checked(virtualTokens * embeddingDim)];
        GradEmbeddings = new float[Embeddings.Length];
        ResetParameters(seed);
    }

    /// <summary>The soft prompt, VirtualTokens x EmbeddingDim, row-major.</summary>
    public float[] Embeddings { get; }

    /// <summary>dL/dEmbeddings (VirtualTokens x EmbeddingDim).</summary>
    public float[] GradEmbeddings { get; }

    /// <summary>Re-initialises the soft prompt N(0, 1) from <paramref name="seed"/> and zeroes its gradient.</summary>
    public sealed override void ResetParameters(ulong seed)
    {
        new SeededRandom(seed).FillNormal(Embeddings, 0f, 1f);
        Array.Clear(GradEmbeddings);
    }

    /// <summary>The embedding of virtual token <paramref name="index"/> (EmbeddingDim values), a view into <see cref="Embeddings"/>.</summary>
    public Span<float> Token(int index)
    {
        PromptTuningDefinition definition = Definition;
        LayerChecks.Index(nameof(index), index, definition.VirtualTokens);
        return new Span<float>(Embeddings, index * definition.EmbeddingDim, definition.EmbeddingDim);
    }

    /// <summary>The shape handed to <see cref="SoftPrompt"/>: (batch, VirtualTokens, tokens, EmbeddingDim).</summary>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="tokens">Real tokens per sequence.</param>
    /// <returns>The shape.</returns>
    public SoftPromptShape PromptShape(int batch, int tokens) => new(batch, Definition.VirtualTokens, tokens, Definition.EmbeddingDim);

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
