using System;
using System.Collections.Generic;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Decoding;

/// <summary>
/// The generate loop over an <see cref="ICausalLanguageModel"/>: forward the sequence so far, pick the next token from the
/// last position's logits with <see cref="TokenSampler"/>, append, repeat until the end-of-sequence token or the budget.
/// </summary>
/// <remarks>
/// The contract has no key/value cache, so each new token re-runs the whole sequence (quadratic in its length): meant for
/// the small models of tests, samples and base-versus-tuned comparisons, not for serving. Reproducible: the same model,
/// prompt, options and seed give the same tokens.
/// </remarks>
public static class TextGenerator
{
    /// <summary>Generates up to <paramref name="maxNewTokens"/> tokens after <paramref name="prompt"/>.</summary>
    /// <param name="model">The model; only <see cref="ICausalLanguageModel.Forward"/> is called.</param>
    /// <param name="prompt">At least one token id.</param>
    /// <param name="maxNewTokens">Budget of new tokens, &gt; 0.</param>
    /// <param name="options">Temperature, top-k, top-p; <see cref="SamplingOptions.Greedy"/> for greedy decoding.</param>
    /// <param name="random">The generator for sampling; may be null only when the options are greedy.</param>
    /// <param name="eosTokenId">Stop after emitting this id (included in the result); -1 for none.</param>
    /// <returns>The new tokens (the prompt excluded).</returns>
    /// <exception cref="ArgumentException">An empty prompt, or a prompt token outside the vocabulary.</exception>
    /// <exception cref="ArgumentNullException">Sampling options without a random generator.</exception>
    public static int[] Generate(
        ICausalLanguageModel model, ReadOnlySpan<int> prompt, int maxNewTokens, SamplingOptions options, SeededRandom? random = null, int eosTokenId = -1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.Positive(maxNewTokens);
        Guard.Positive(prompt.Length, "prompt.Length");
        if (random is null && !options.IsGreedy)
        {
            throw new ArgumentNullException(nameof(random), "Sampling (temperature > 0 with top-k != 1 and top-p > 0) needs a SeededRandom; pass one, or use SamplingOptions.Greedy.");
        }

        int vocab = model.VocabSize;
        for (int i = 0; i < prompt.Length; i++)
        {
            if ((uint)prompt[i] >= (uint)vocab)
            {
                throw new ArgumentException($"Prompt token {prompt[i]} at position {i} is outside the vocabulary [0, {vocab}).", nameof(prompt));
            }
        }

        var sequence = new List<int>(prompt.Length + maxNewTokens);
        sequence.AddRange(prompt.ToArray());
        var generated = new List<int>(maxNewTokens);
        float[] logits = new float[(prompt.Length + maxNewTokens) * vocab];
        for (int step = 0; step < maxNewTokens; step++)
        {
            int length = sequence.Count;
            Span<float> rows = logits.AsSpan(0, length * vocab);
            model.Forward(sequence.ToArray(), 1, length, rows);
            ReadOnlySpan<float> last = rows.Slice((length - 1) * vocab, vocab);
            int next = options.IsGreedy ? TokenSampler.ArgMax(last) : TokenSampler.Sample(last, options, random!);
            sequence.Add(next);
            generated.Add(next);
            if (next == eosTokenId)
            {
                break;
            }
        }

        return [.. generated];
    }
}
