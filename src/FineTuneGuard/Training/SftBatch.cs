using System;
using System.Collections.Generic;
using FineTuneGuard.Losses;

namespace FineTuneGuard;

/// <summary>
/// A right-padded batch of <see cref="SftExample"/>s with next-token targets aligned to the logits rows of
/// <see cref="ICausalLanguageModel.Forward"/>: <c>Targets[b·T + i]</c> is token i + 1 of example b when that token is a
/// target under the <see cref="LossScope"/>, and <see cref="CrossEntropy.IgnoreIndex"/> (-100) otherwise — prompt or
/// non-assistant positions, padding, and the last position of every row.
/// </summary>
/// <remarks>
/// Padding is positional: an example ends at its own length, whatever its last token is, so the end-of-sequence token of
/// a response stays a target even when the padding id equals the EOS id (the bug of masking labels by
/// <c>labels == pad_token_id</c>).
/// </remarks>
public sealed class SftBatch
{
    private SftBatch(int[] tokens, int[] targets, int batchSize, int sequenceLength, int[] targetCounts, int targetTokenCount)
    {
        Tokens = tokens;
        Targets = targets;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        TargetCounts = targetCounts;
        TargetTokenCount = targetTokenCount;
    }

    /// <summary>Token ids, [BatchSize x SequenceLength] row-major, right-padded.</summary>
    public int[] Tokens { get; }

    /// <summary>Next-token targets, same shape as <see cref="Tokens"/>, -100 where there is no target.</summary>
    public int[] Targets { get; }

    /// <summary>Number of sequences.</summary>
    public int BatchSize { get; }

    /// <summary>Length of the longest example (every row is padded to it).</summary>
    public int SequenceLength { get; }

    /// <summary>Number of targets of each example.</summary>
    public IReadOnlyList<int> TargetCounts { get; }

    /// <summary>Total number of targets: the denominator of the token-mean loss.</summary>
    public int TargetTokenCount { get; }

    /// <summary>Number of logits rows (BatchSize·SequenceLength).</summary>
    public int Rows => BatchSize * SequenceLength;

    /// <summary>Pads <paramref name="examples"/> with <paramref name="padTokenId"/> and builds their targets under <paramref name="scope"/>.</summary>
    /// <param name="examples">The examples, at least one.</param>
    /// <param name="scope">Answer-only (default for SFT) or the full-sequence opt-out.</param>
    /// <param name="padTokenId">Id written after the end of shorter examples (never a target, whatever its value).</param>
    /// <exception cref="ArgumentException">
    /// An example has no target (an empty response, or a response of one token at position 0, or no assistant turn):
    /// the message names the example's index in <paramref name="examples"/>.
    /// </exception>
    public static SftBatch Collate(IReadOnlyList<SftExample> examples, LossScope scope = LossScope.AnswerOnly, int padTokenId = 0)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one example.", nameof(examples));
        }

        if (scope is not (LossScope.AnswerOnly or LossScope.FullSequence))
        {
            throw new ArgumentOutOfRangeException(nameof(scope), scope, $"'{nameof(scope)}' must be a defined {nameof(LossScope)}; got {(int)scope}.");
        }

        int length = 0;
        for (int b = 0; b < examples.Count; b++)
        {
            ArgumentNullException.ThrowIfNull(examples[b], nameof(examples));
            length = Math.Max(length, examples[b].Length);
        }

        var tokens = new int[examples.Count * length];
        var targets = new int[examples.Count * length];
        var counts = new int[examples.Count];
        int total = 0;
        for (int b = 0; b < examples.Count; b++)
        {
            SftExample example = examples[b];
            Span<int> row = tokens.AsSpan(b * length, length);
            example.TokenSpan.CopyTo(row);
            row[example.Length..].Fill(padTokenId);

            Span<int> rowTargets = targets.AsSpan(b * length, length);
            counts[b] = WriteTargets(example, scope, row, rowTargets);
            if (counts[b] == 0)
            {
                throw new ArgumentException(NoTargetMessage($"Example {b} of the batch", example, scope), nameof(examples));
            }

            total += counts[b];
        }

        return new SftBatch(tokens, targets, examples.Count, length, counts, total);
    }

    /// <summary>Number of targets <paramref name="example"/> has under <paramref name="scope"/>.</summary>
    public static int CountTargets(SftExample example, LossScope scope)
    {
        ArgumentNullException.ThrowIfNull(example);
        Span<int> scratch = example.Length <= 512 ? stackalloc int[example.Length] : new int[example.Length];
        return WriteTargets(example, scope, example.TokenSpan, scratch);
    }

    /// <summary>The message of the all-ignored-example error, shared with the trainers' up-front validation.</summary>
    internal static string NoTargetMessage(string which, SftExample example, LossScope scope)
        => scope == LossScope.AnswerOnly
            ? $"{which} selects no target token under LossScope.AnswerOnly: {example.Length} tokens, {example.ResponseTokenCount} response tokens after a prompt of {example.PromptLength}. " +
              "An example whose labels are all -100 adds nothing to the loss and hides a data bug (an empty response, a truncated answer, or a conversation without an assistant turn); fix or drop it."
            : $"{which} selects no target token under LossScope.FullSequence: it has {example.Length} token(s) and a sequence needs at least 2 to predict one.";

    /// <summary>
    /// Writes the row's targets and returns their count: first Hugging Face-style labels aligned with the input ids, built
    /// by the runtime's <see cref="SftLabels"/> from lengths (prompt and padding -100), then shifted by one so that the
    /// target of logits row i is label i + 1 (the last row has none).
    /// </summary>
    private static int WriteTargets(SftExample example, LossScope scope, ReadOnlySpan<int> paddedRow, Span<int> rowTargets)
    {
        int length = paddedRow.Length;
        Span<int> labels = length <= 512 ? stackalloc int[length] : new int[length];
        if (scope == LossScope.FullSequence)
        {
            SftLabels.AnswerOnly(paddedRow, 0, example.Length, labels);
        }
        else if (example.ResponseTokenCount == example.Length - example.PromptLength)
        {
            // One response after the prompt (every single-turn example, and conversations ending in their only assistant turn).
            SftLabels.AnswerOnly(paddedRow, example.PromptLength, example.Length, labels);
        }
        else
        {
            // Multi-turn: each assistant turn is an answer whose "prompt" is everything before it.
            labels.Fill(CrossEntropy.IgnoreIndex);
            ReadOnlySpan<bool> response = example.ResponseFlags;
            for (int start = 0; start < example.Length;)
            {
                int end = start;
                while (end < example.Length && response[end] == response[start])
                {
                    end++;
                }

                if (response[start])
                {
                    SftLabels.AnswerOnly(paddedRow.Slice(start, end - start), 0, end - start, labels.Slice(start, end - start));
                }

                start = end;
            }
        }

        int count = 0;
        for (int i = 0; i < length; i++)
        {
            int target = i + 1 < length ? labels[i + 1] : CrossEntropy.IgnoreIndex;
            rowTargets[i] = target;
            count += target == CrossEntropy.IgnoreIndex ? 0 : 1;
        }

        return count;
    }
}
