using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// Supervised fine-tuning batches, built with the runtime's SFT data types: each pair becomes an <c>SftExample</c>
/// (prompt ids + response ids), and <c>SftBatch.Collate</c> right-pads them and sets the targets of prompt and padding
/// positions to -100 (answer-only, the default <c>LossScope</c>). The resulting <see cref="ContextBatch"/> counts
/// answer tokens only. (Training itself goes through <c>SftTrainer</c>, which collates the same way.)
/// </summary>
public static class InstructionBatches
{
    /// <summary>The batch of <paramref name="pairs"/> with answer-only targets.</summary>
    public static ContextBatch Build(IReadOnlyList<InstructionPair> pairs)
    {
        SftExample[] examples = pairs.Select(ToExample).ToArray();
        return ContextBatch.FromCollated(SftBatch.Collate(examples, LossScope.AnswerOnly, CharTokenizer.PadId));
    }

    /// <summary>An instruction pair as the runtime's SFT example: prompt ids, then response ids (the only targets).</summary>
    public static SftExample ToExample(InstructionPair pair)
        => SftExample.FromPromptResponse(CharTokenizer.Encode(pair.Prompt), CharTokenizer.Encode(pair.Response));
}
