using FineTuneGuard.Numerics;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>Language-model pre-training batches: random positions of the corpus, every next character counted.</summary>
public static class PretrainingBatch
{
    /// <summary>A deterministic stream of batches of <paramref name="rows"/> random positions of <paramref name="ids"/>.</summary>
    public static Func<int, ContextBatch> Stream(int[] ids, int rows, ulong seed)
    {
        var random = new SeededRandom(seed);
        var positions = new int[rows];
        return _ =>
        {
            for (int i = 0; i < rows; i++)
            {
                positions[i] = random.NextInt(ids.Length - 1);
            }

            return ContextBatch.FromText(ids, positions);
        };
    }

    /// <summary>Every position of <paramref name="ids"/> (evaluation: retention, perplexity).</summary>
    public static ContextBatch All(int[] ids) => ContextBatch.FromText(ids, Enumerable.Range(0, ids.Length - 1).ToArray());
}
