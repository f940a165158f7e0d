using FineTuneGuard.Losses;
using FineTuneGuard.Quickstart.Data;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// A batch of next-token predictions: for each row, the <see cref="ModelDimensions.Context"/> previous token ids
/// (left-padded with <see cref="CharTokenizer.PadId"/> at the start of a sequence), the target id, and a weight
/// (1 = the loss counts this position, 0 = it does not).
/// </summary>
public sealed class ContextBatch
{
    private ContextBatch(int rows)
    {
        Rows = rows;
        Contexts = new int[rows * ModelDimensions.Context];
        Targets = new int[rows];
        Mask = new float[rows];
    }

    /// <summary>Number of predictions (rows).</summary>
    public int Rows { get; }

    /// <summary>Rows x Context token ids, row-major.</summary>
    public int[] Contexts { get; }

    /// <summary>The token each row should predict.</summary>
    public int[] Targets { get; }

    /// <summary>1 where the loss counts the row, 0 where it does not (prompt and padding under the answer-only objective).</summary>
    public float[] Mask { get; }

    /// <summary>The context window of one row.</summary>
    public ReadOnlySpan<int> Context(int row) => Contexts.AsSpan(row * ModelDimensions.Context, ModelDimensions.Context);

    /// <summary>Every next-token prediction along a text, all counted (language-model pre-training and retention).</summary>
    public static ContextBatch FromText(int[] ids, ReadOnlySpan<int> positions)
    {
        var batch = new ContextBatch(positions.Length);
        for (int row = 0; row < positions.Length; row++)
        {
            batch.SetRow(row, ids, positions[row], ids[positions[row] + 1], weight: 1f);
        }

        return batch;
    }

    /// <summary>
    /// Every next-token prediction of a collated SFT batch (the runtime's <c>SftBatch</c>: right-padded token rows
    /// and next-token targets that are -100 where the loss must not count). Row i of a sequence predicts token i + 1
    /// from the tokens up to i and is counted when its target is not -100. Prompt and padding positions stay in the
    /// batch (with their real next token, or padding, as target) so that an unmasked average really does average over
    /// them — as a buggy SFT loop would.
    /// </summary>
    public static ContextBatch FromCollated(SftBatch collated)
    {
        int length = collated.SequenceLength;
        var batch = new ContextBatch(collated.BatchSize * (length - 1));
        int row = 0;
        for (int b = 0; b < collated.BatchSize; b++)
        {
            int[] ids = collated.Tokens.AsSpan(b * length, length).ToArray();
            for (int t = 0; t + 1 < length; t++)
            {
                bool counted = collated.Targets[(b * length) + t] != CrossEntropy.IgnoreIndex;
                batch.SetRow(row++, ids, t, ids[t + 1], counted ? 1f : 0f);
            }
        }

        return batch;
    }

    /// <summary>
    /// Every position of a [batch x sequenceLength] token matrix (the layout of <c>ICausalLanguageModel.Forward</c>):
    /// row b·sequenceLength + i holds the context ending at token i of sequence b. Targets and mask are unused.
    /// </summary>
    public static ContextBatch FromTokenRows(ReadOnlySpan<int> tokens, int batch, int sequenceLength)
    {
        var contexts = new ContextBatch(batch * sequenceLength);
        for (int b = 0; b < batch; b++)
        {
            int[] ids = tokens.Slice(b * sequenceLength, sequenceLength).ToArray();
            for (int i = 0; i < sequenceLength; i++)
            {
                contexts.SetRow((b * sequenceLength) + i, ids, i, CharTokenizer.PadId, weight: 1f);
            }
        }

        return contexts;
    }

    /// <summary>
    /// The next-token distributions along prompts (no targets: every row's target is padding, every row counted), for
    /// comparing two models where neither was trained: KL(tuned || base) on held-out prompts.
    /// </summary>
    public static ContextBatch FromPrompts(IEnumerable<int[]> prompts)
    {
        int[][] all = prompts.ToArray();
        var batch = new ContextBatch(all.Sum(p => p.Length));
        int row = 0;
        foreach (int[] ids in all)
        {
            for (int t = 0; t < ids.Length; t++)
            {
                batch.SetRow(row++, ids, t, CharTokenizer.PadId, weight: 1f);
            }
        }

        return batch;
    }

    private void SetRow(int row, int[] ids, int last, int target, float weight)
    {
        Span<int> context = Contexts.AsSpan(row * ModelDimensions.Context, ModelDimensions.Context);
        for (int j = 0; j < ModelDimensions.Context; j++)
        {
            int source = last - (ModelDimensions.Context - 1) + j;
            context[j] = source >= 0 ? ids[source] : CharTokenizer.PadId;
        }

        Targets[row] = target;
        Mask[row] = weight;
    }
}
