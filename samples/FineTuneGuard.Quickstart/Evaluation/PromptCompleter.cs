using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>Autoregressive generation with the runtime's <c>TokenSampler</c> (greedy, temperature, top-k, top-p).</summary>
public static class PromptCompleter
{
    /// <summary>
    /// Continues <paramref name="prompt"/> one character at a time until a newline or <paramref name="maxCharacters"/>,
    /// and returns the continuation (without the newline).
    /// </summary>
    public static string Complete(ICharModel model, string prompt, SamplingOptions options, SeededRandom random, int maxCharacters = 24)
    {
        var ids = new List<int>(CharTokenizer.Encode(prompt));
        var context = new int[ModelDimensions.Context];
        var activations = new MlpActivations();
        var generated = new List<int>();
        for (int i = 0; i < maxCharacters; i++)
        {
            for (int j = 0; j < ModelDimensions.Context; j++)
            {
                int source = ids.Count - ModelDimensions.Context + j;
                context[j] = source >= 0 ? ids[source] : CharTokenizer.PadId;
            }

            model.Forward(context, 1, activations);
            int next = TokenSampler.Sample(activations.LogitsSpan, options, random);
            if (next == CharTokenizer.Encode("\n")[0] || next == CharTokenizer.PadId)
            {
                break;
            }

            ids.Add(next);
            generated.Add(next);
        }

        return CharTokenizer.Decode(generated.ToArray());
    }
}
