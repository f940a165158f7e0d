using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Attention;

/// <summary>
/// Prompt tuning: learned virtual-token embeddings P <c>[v x e]</c> prepended to every sequence's token embeddings X
/// <c>[batch x t x e]</c>: Y_b = [P; X_b] <c>[batch x (v + t) x e]</c>. The backward slices dY back: dP = Σ_b dY_b[0..v)
/// (the prompt is shared by the batch) and dX_b = dY_b[v..v+t).
/// <para>
/// Positions: the virtual tokens are ordinary leading positions of the sequence. They take positions 0..v−1 and the real
/// tokens are shifted to v..v+t−1 (<see cref="Positions"/>), exactly what a decoder computes for the concatenated
/// <c>inputs_embeds</c> in PEFT; rotary or learned position embeddings therefore apply to virtual tokens as to any
/// other token, and the causal mask lets every real token see every virtual token. Labels of virtual positions are
/// -100 (<see cref="PrependLabels"/>), so a loss never trains on them, and a padding mask marks them as real
/// (<see cref="PrependPaddingMask"/>).
/// </para>
/// </summary>
public static class SoftPrompt
{
    /// <summary>The label that losses ignore (PyTorch's and PEFT's -100).</summary>
    public const int IgnoredLabel = -100;

    /// <summary>Y_b = [P; X_b] for every sequence b.</summary>
    /// <param name="shape">Batch, virtual tokens, tokens and embedding width.</param>
    /// <param name="prompt">P <c>[VirtualTokens x EmbeddingDim]</c>.</param>
    /// <param name="embeddings">X <c>[Batch x Tokens x EmbeddingDim]</c>.</param>
    /// <param name="output">Written: Y <c>[Batch x (VirtualTokens + Tokens) x EmbeddingDim]</c>.</param>
    public static void Prepend(SoftPromptShape shape, ReadOnlySpan<float> prompt, ReadOnlySpan<float> embeddings, Span<float> output)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(prompt.Length, shape.PromptLength, nameof(prompt), shape, PromptText);
        AttentionShapeCheck.Exactly(embeddings.Length, shape.EmbeddingsLength, nameof(embeddings), shape, EmbeddingsText);
        AttentionShapeCheck.Exactly(output.Length, shape.OutputLength, nameof(output), shape, OutputText);
        int tokensLength = shape.Tokens * shape.EmbeddingDim;
        int rowLength = shape.TotalTokens * shape.EmbeddingDim;
        for (int b = 0; b < shape.Batch; b++)
        {
            Span<float> sequence = output.Slice(b * rowLength, rowLength);
            prompt.CopyTo(sequence);
            embeddings.Slice(b * tokensLength, tokensLength).CopyTo(sequence[shape.PromptLength..]);
        }
    }

    /// <summary>dP = Σ_b dY_b[0..v) (overwritten) and, unless <paramref name="embeddingsGradient"/> is empty, dX_b = dY_b[v..v+t).</summary>
    /// <param name="shape">The shape of the forward call.</param>
    /// <param name="outputGradient">dL/dY <c>[Batch x (VirtualTokens + Tokens) x EmbeddingDim]</c>.</param>
    /// <param name="promptGradient">Written: dL/dP <c>[VirtualTokens x EmbeddingDim]</c>.</param>
    /// <param name="embeddingsGradient">Written: dL/dX <c>[Batch x Tokens x EmbeddingDim]</c>; empty when the embeddings are frozen and nothing is upstream.</param>
    public static void BackwardSlice(SoftPromptShape shape, ReadOnlySpan<float> outputGradient, Span<float> promptGradient, Span<float> embeddingsGradient)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(outputGradient.Length, shape.OutputLength, nameof(outputGradient), shape, OutputText);
        AttentionShapeCheck.Exactly(promptGradient.Length, shape.PromptLength, nameof(promptGradient), shape, PromptText);
        AttentionShapeCheck.EmptyOr(embeddingsGradient.Length, shape.EmbeddingsLength, nameof(embeddingsGradient), shape, EmbeddingsText);
        int tokensLength = shape.Tokens * shape.EmbeddingDim;
        int rowLength = shape.TotalTokens * shape.EmbeddingDim;
        for (int b = 0; b < shape.Batch; b++)
        {
            ReadOnlySpan<float> sequence = outputGradient.Slice(b * rowLength, rowLength);
            ReadOnlySpan<float> virtualPart = sequence[..shape.PromptLength];
            if (b == 0)
            {
                virtualPart.CopyTo(promptGradient);
            }
            else
            {
                TensorPrimitives.Add(promptGradient, virtualPart, promptGradient);
            }

            if (!embeddingsGradient.IsEmpty)
            {
                sequence[shape.PromptLength..].CopyTo(embeddingsGradient.Slice(b * tokensLength, tokensLength));
            }
        }
    }

    /// <summary>Position ids of one prepended sequence: 0..v−1 for the virtual tokens, then v..v+t−1 for the real tokens.</summary>
    /// <param name="shape">The soft-prompt shape.</param>
    /// <param name="positions">Written: <c>[VirtualTokens + Tokens]</c>.</param>
    public static void Positions(SoftPromptShape shape, Span<int> positions)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(positions.Length, shape.TotalTokens, nameof(positions), shape, PositionsText);
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i] = i;
        }
    }

    /// <summary>Labels <c>[Batch x Tokens]</c> → <c>[Batch x (VirtualTokens + Tokens)]</c> with <see cref="IgnoredLabel"/> at virtual positions.</summary>
    /// <param name="shape">The soft-prompt shape.</param>
    /// <param name="labels">Labels of the real tokens.</param>
    /// <param name="output">Written: the prepended labels.</param>
    public static void PrependLabels(SoftPromptShape shape, ReadOnlySpan<int> labels, Span<int> output)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(labels.Length, shape.Batch * shape.Tokens, nameof(labels), shape, TokenRowsText);
        AttentionShapeCheck.Exactly(output.Length, shape.Batch * shape.TotalTokens, nameof(output), shape, TotalRowsText);
        for (int b = 0; b < shape.Batch; b++)
        {
            Span<int> row = output.Slice(b * shape.TotalTokens, shape.TotalTokens);
            row[..shape.VirtualTokens].Fill(IgnoredLabel);
            labels.Slice(b * shape.Tokens, shape.Tokens).CopyTo(row[shape.VirtualTokens..]);
        }
    }

    /// <summary>A padding mask <c>[Batch x Tokens]</c> (true = real token) → <c>[Batch x (VirtualTokens + Tokens)]</c>, virtual tokens true.</summary>
    /// <param name="shape">The soft-prompt shape.</param>
    /// <param name="tokenMask">Padding mask of the real tokens.</param>
    /// <param name="output">Written: the prepended mask.</param>
    public static void PrependPaddingMask(SoftPromptShape shape, ReadOnlySpan<bool> tokenMask, Span<bool> output)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(tokenMask.Length, shape.Batch * shape.Tokens, nameof(tokenMask), shape, TokenRowsText);
        AttentionShapeCheck.Exactly(output.Length, shape.Batch * shape.TotalTokens, nameof(output), shape, TotalRowsText);
        for (int b = 0; b < shape.Batch; b++)
        {
            Span<bool> row = output.Slice(b * shape.TotalTokens, shape.TotalTokens);
            row[..shape.VirtualTokens].Fill(true);
            tokenMask.Slice(b * shape.Tokens, shape.Tokens).CopyTo(row[shape.VirtualTokens..]);
        }
    }

    private static readonly Func<SoftPromptShape, string> PromptText = static s => $"[virtualTokens={s.VirtualTokens} x embeddingDim={s.EmbeddingDim}]";
    private static readonly Func<SoftPromptShape, string> EmbeddingsText = static s => $"[batch={s.Batch} x tokens={s.Tokens} x embeddingDim={s.EmbeddingDim}]";
    private static readonly Func<SoftPromptShape, string> OutputText =
        static s => $"[batch={s.Batch} x (virtualTokens + tokens)={s.TotalTokens} x embeddingDim={s.EmbeddingDim}]";
    private static readonly Func<SoftPromptShape, string> PositionsText = static s => $"[(virtualTokens + tokens)={s.TotalTokens}]";
    private static readonly Func<SoftPromptShape, string> TokenRowsText = static s => $"[batch={s.Batch} x tokens={s.Tokens}]";
    private static readonly Func<SoftPromptShape, string> TotalRowsText = static s => $"[batch={s.Batch} x (virtualTokens + tokens)={s.TotalTokens}]";
}
