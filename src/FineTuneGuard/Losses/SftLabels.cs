using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Losses;

/// <summary>
/// Builders of answer-only SFT labels: the response tokens keep their ids, the prompt and the padding become
/// <see cref="CrossEntropy.IgnoreIndex"/> (-100), as Hugging Face's data collators do. Labels are aligned with the
/// input ids (the model shifts them by one internally). Positions are decided by lengths, never by comparing token
/// ids: when the pad id equals the EOS id (common with Llama tokenizers), an id comparison would also mask the
/// response's EOS and the model would never learn to stop.
/// </summary>
public static class SftLabels
{
    /// <summary>
    /// labels_i = -100 for i &lt; promptLength (prompt) and i &gt;= sequenceLength (padding), else inputIds_i.
    /// </summary>
    /// <param name="inputIds">The padded sequence: prompt, response (with its EOS), padding.</param>
    /// <param name="promptLength">Tokens of the prompt, 0 &lt;= promptLength &lt;= sequenceLength.</param>
    /// <param name="sequenceLength">Tokens before the padding (prompt + response including EOS), &lt;= inputIds.Length.</param>
    /// <param name="labels">Same length as <paramref name="inputIds"/>: overwritten.</param>
    /// <returns>The number of supervised (answer) positions.</returns>
    public static int AnswerOnly(ReadOnlySpan<int> inputIds, int promptLength, int sequenceLength, Span<int> labels)
    {
        Guard.Length(labels.Length, inputIds.Length);
        CheckLengths(promptLength, sequenceLength, inputIds.Length);
        labels.Slice(0, promptLength).Fill(CrossEntropy.IgnoreIndex);
        inputIds.Slice(promptLength, sequenceLength - promptLength).CopyTo(labels.Slice(promptLength));
        labels.Slice(sequenceLength).Fill(CrossEntropy.IgnoreIndex);
        return sequenceLength - promptLength;
    }

    /// <summary>
    /// Answer-only labels for a right-padded sequence whose padding is the trailing run of <paramref name="padTokenId"/>.
    /// When the pad id is also the EOS id (<paramref name="eosTokenId"/> == <paramref name="padTokenId"/>), the first
    /// token of that run is the response's EOS and stays supervised. Prefer the length-based overload when the
    /// lengths are known. A <paramref name="padTokenId"/> of -1 means no padding.
    /// </summary>
    /// <param name="inputIds">The padded sequence.</param>
    /// <param name="promptLength">Tokens of the prompt.</param>
    /// <param name="labels">Same length as <paramref name="inputIds"/>: overwritten.</param>
    /// <param name="padTokenId">The padding id, or -1 when the sequence is not padded.</param>
    /// <param name="eosTokenId">The EOS id, or -1 when it differs from the pad id.</param>
    /// <returns>The number of supervised (answer) positions.</returns>
    public static int AnswerOnly(ReadOnlySpan<int> inputIds, int promptLength, Span<int> labels, int padTokenId = -1, int eosTokenId = -1)
    {
        Guard.NonNegative(promptLength);
        int end = inputIds.Length;
        if (padTokenId != -1)
        {
            while (end > promptLength && inputIds[end - 1] == padTokenId)
            {
                end--;
            }

            if (eosTokenId == padTokenId && end < inputIds.Length)
            {
                end++;
            }
        }

        return AnswerOnly(inputIds, promptLength, end, labels);
    }

    /// <summary>
    /// A batch (batch x length, row-major) of answer-only labels from per-sequence prompt and sequence lengths.
    /// </summary>
    /// <param name="inputIds">batch x length token ids.</param>
    /// <param name="promptLengths">batch prompt lengths.</param>
    /// <param name="sequenceLengths">batch unpadded lengths.</param>
    /// <param name="labels">batch x length: overwritten.</param>
    /// <returns>The number of supervised positions in the batch (the token count to normalise a summed loss by).</returns>
    public static int AnswerOnly(ReadOnlySpan<int> inputIds, ReadOnlySpan<int> promptLengths, ReadOnlySpan<int> sequenceLengths, Span<int> labels)
    {
        int batch = promptLengths.Length;
        Guard.Positive(batch);
        Guard.Length(sequenceLengths.Length, batch);
        int length = inputIds.Length / batch;
        Guard.Shape(inputIds.Length, batch, length);
        Guard.Shape(labels.Length, batch, length);
        int supervised = 0;
        for (int b = 0; b < batch; b++)
        {
            supervised += AnswerOnly(
                inputIds.Slice(b * length, length), promptLengths[b], sequenceLengths[b], labels.Slice(b * length, length));
        }

        return supervised;
    }

    /// <summary>mask_i = 1 for promptLength &lt;= i &lt; sequenceLength, else 0 (the float form for <see cref="TokenLoss.AnswerOnlyMean"/>).</summary>
    /// <param name="promptLength">Tokens of the prompt.</param>
    /// <param name="sequenceLength">Tokens before the padding.</param>
    /// <param name="mask">Overwritten; its length is the padded length.</param>
    public static void AnswerMask(int promptLength, int sequenceLength, Span<float> mask)
    {
        CheckLengths(promptLength, sequenceLength, mask.Length);
        mask.Clear();
        mask.Slice(promptLength, sequenceLength - promptLength).Fill(1f);
    }

    private static void CheckLengths(int promptLength, int sequenceLength, int paddedLength)
    {
        Guard.NonNegative(promptLength);
        if (sequenceLength < promptLength || sequenceLength > paddedLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(sequenceLength), sequenceLength,
                $"'{nameof(sequenceLength)}' must be in [promptLength, padded length] = [{promptLength}, {paddedLength}]; got {sequenceLength}.");
        }
    }
}
