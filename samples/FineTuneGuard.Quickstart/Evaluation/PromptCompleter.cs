using FineTuneGuard.Decoding;
using FineTuneGuard.Numerics;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>Completes a prompt with the runtime's <c>TextGenerator</c> (greedy, or temperature / top-k / top-p sampling).</summary>
public static class PromptCompleter
{
    private static readonly int Newline = CharTokenizer.Encode("\n")[0];

    /// <summary>
    /// Continues <paramref name="prompt"/> until the model writes a newline (the end of an answer in this sample's chat
    /// format) or <paramref name="maxCharacters"/>, and returns the continuation without the newline.
    /// </summary>
    public static string Complete(ITrainableCharModel model, string prompt, SamplingOptions options, SeededRandom random, int maxCharacters = 24)
    {
        int[] generated = TextGenerator.Generate(new CharLanguageModel(model), CharTokenizer.Encode(prompt), maxCharacters, options, random, eosTokenId: Newline);
        int length = generated.Length > 0 && generated[^1] == Newline ? generated.Length - 1 : generated.Length;
        return CharTokenizer.Decode(generated.AsSpan(0, length));
    }
}
