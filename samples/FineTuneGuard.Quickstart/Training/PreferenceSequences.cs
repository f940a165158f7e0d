using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// Every preference triple as two sequences (prompt + chosen, prompt + rejected) in one <see cref="ContextBatch"/>
/// whose mask marks the completion tokens: DPO needs log π(completion | prompt) per sequence, the sum of the
/// completion tokens' log-probabilities. Collated with the runtime's <c>SftBatch</c> (the completion plays the part
/// of the response), so every sequence has the same number of rows.
/// </summary>
public sealed class PreferenceSequences
{
    private PreferenceSequences(ContextBatch batch, int pairs, int rowsPerSequence)
    {
        Batch = batch;
        Pairs = pairs;
        RowsPerSequence = rowsPerSequence;
    }

    /// <summary>All sequences' prediction rows: the chosen sequences first, then the rejected ones.</summary>
    public ContextBatch Batch { get; }

    /// <summary>Number of pairs.</summary>
    public int Pairs { get; }

    /// <summary>Rows of one (padded) sequence.</summary>
    public int RowsPerSequence { get; }

    /// <summary>First row of pair <paramref name="pair"/>'s chosen sequence.</summary>
    public int ChosenStart(int pair) => pair * RowsPerSequence;

    /// <summary>First row of pair <paramref name="pair"/>'s rejected sequence.</summary>
    public int RejectedStart(int pair) => (Pairs + pair) * RowsPerSequence;

    /// <summary>Builds the sequences of <paramref name="triples"/>.</summary>
    public static PreferenceSequences Build(IReadOnlyList<PreferenceTriple> triples)
    {
        SftExample[] examples = triples.Select(t => Example(t.Prompt, t.Chosen))
            .Concat(triples.Select(t => Example(t.Prompt, t.Rejected)))
            .ToArray();
        SftBatch collated = SftBatch.Collate(examples, LossScope.AnswerOnly, CharTokenizer.PadId);
        return new PreferenceSequences(ContextBatch.FromCollated(collated), triples.Count, collated.SequenceLength - 1);
    }

    private static SftExample Example(string prompt, string completion)
        => SftExample.FromPromptResponse(CharTokenizer.Encode(prompt), CharTokenizer.Encode(completion));
}
