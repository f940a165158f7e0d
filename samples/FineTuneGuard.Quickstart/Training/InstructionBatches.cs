using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// Supervised fine-tuning batches, built with the runtime's SFT data types: each pair becomes an <c>SftExample</c>
/// (prompt ids + response ids), and <c>SftBatch.Collate</c> right-pads them and sets the targets of prompt and padding
/// positions to -100 (answer-only, the default <c>LossScope</c>). The resulting <see cref="ContextBatch"/> counts
/// answer tokens only.
/// </summary>
public static class InstructionBatches
{
    /// <summary>The batch of <paramref name="pairs"/> with answer-only targets.</summary>
    public static ContextBatch Build(IReadOnlyList<InstructionPair> pairs)
    {
        SftExample[] examples = pairs
            .Select(p => SftExample.FromPromptResponse(CharTokenizer.Encode(p.Prompt), CharTokenizer.Encode(p.Response)))
            .ToArray();
        return ContextBatch.FromCollated(SftBatch.Collate(examples, LossScope.AnswerOnly, CharTokenizer.PadId));
    }

    /// <summary>
    /// A deterministic stream of SFT batches: <paramref name="pairsPerBatch"/> examples drawn without replacement per
    /// epoch, reshuffled every epoch from <paramref name="seed"/>.
    /// </summary>
    public static Func<int, ContextBatch> Stream(IReadOnlyList<InstructionPair> pairs, int pairsPerBatch, ulong seed)
    {
        var random = new SeededRandom(seed);
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        int cursor = order.Length;
        return _ =>
        {
            var chosen = new List<InstructionPair>(pairsPerBatch);
            while (chosen.Count < pairsPerBatch)
            {
                if (cursor == order.Length)
                {
                    Shuffle(order, random);
                    cursor = 0;
                }

                chosen.Add(pairs[order[cursor++]]);
            }

            return Build(chosen);
        };
    }

    /// <summary>Fisher–Yates with the sample's seeded generator (reproducible on every machine).</summary>
    public static void Shuffle(int[] values, SeededRandom random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
