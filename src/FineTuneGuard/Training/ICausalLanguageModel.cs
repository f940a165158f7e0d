using System;
using System.Collections.Generic;
using FineTuneGuard.Decoding;

namespace FineTuneGuard;

/// <summary>
/// The model contract <see cref="SftTrainer"/>, <see cref="DpoTrainer"/> and <see cref="TextGenerator"/> work against: a
/// causal language model that maps token ids to next-token logits, backpropagates a gradient of those logits into its
/// trainable parameters, and lists every tensor with its freeze decision and role. Implemented by the generated layers'
/// models and by hand-written models alike.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: <c>tokens</c> is [batch x sequenceLength] row-major; <c>logits</c> is [(batch·sequenceLength) x VocabSize],
/// row <c>b·sequenceLength + i</c> holding the distribution of token <c>i + 1</c> of sequence <c>b</c> given tokens
/// 0..i (teacher forcing). Sequences are right-padded, so causal attention never lets a real position see padding and
/// no attention mask is needed; the trainers give padding positions no target.
/// </para>
/// <para>
/// <see cref="Backward"/> follows the most recent <see cref="Forward"/> (the model keeps what it needs) and <b>adds</b>
/// into <see cref="FineTuneGuard.Optimization.Parameter.Gradient"/> of every trainable parameter, so that gradient accumulation over
/// micro-batches is a sequence of forward/backward pairs between two optimizer steps (the optimizer's
/// <c>ZeroGradients</c> clears them). Frozen parameters receive no gradient and their values are never written.
/// A <see cref="Forward"/> without a <see cref="Backward"/> (evaluation, a reference or base model, generation) is legal.
/// Implementations must be deterministic: the same parameters and tokens give bit-identical logits.
/// </para>
/// </remarks>
public interface ICausalLanguageModel
{
    /// <summary>Number of logits per position.</summary>
    int VocabSize { get; }

    /// <summary>Every tensor of the model, trainable and frozen, each with its freeze decision and role.</summary>
    IReadOnlyList<ModelParameter> Parameters { get; }

    /// <summary>Computes next-token logits for <paramref name="batch"/> sequences of <paramref name="sequenceLength"/> tokens.</summary>
    /// <param name="tokens">[batch x sequenceLength] token ids, row-major, each in [0, <see cref="VocabSize"/>).</param>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="sequenceLength">Tokens per sequence (padding included).</param>
    /// <param name="logits">Output [(batch·sequenceLength) x VocabSize]; position i predicts token i + 1.</param>
    void Forward(ReadOnlySpan<int> tokens, int batch, int sequenceLength, Span<float> logits);

    /// <summary>
    /// Backpropagates <paramref name="gradLogits"/> (d loss / d logits of the latest <see cref="Forward"/>, same shape) and
    /// adds the result into the gradients of the trainable parameters; frozen parameters get none.
    /// </summary>
    void Backward(ReadOnlySpan<float> gradLogits);
}
