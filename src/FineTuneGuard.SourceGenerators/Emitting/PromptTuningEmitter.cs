using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a <c>[PromptTuning]</c> class deriving from <c>FineTuneGuard.PromptTuningBase</c>: the constants, the seeded
/// constructor and the definition handed to the base, which holds the soft prompt with its gradient, the seeded N(0, 1)
/// initialisation, the per-token view, and prepending to the token embeddings with its backward, positions, labels and
/// padding mask (<c>FineTuneGuard.Attention.SoftPrompt</c>). No logic is generated.
/// </summary>
internal static class PromptTuningEmitter
{
    public static string Emit(PromptTuningInfo prompt)
    {
        string summary = $"Prompt tuning: {prompt.VirtualTokens} learned virtual-token embeddings of width {prompt.EmbeddingDim} prepended to the input.";
        return TypeDeclarationEmitter.Emit(prompt.Type, summary, PromptTuningParser.BaseType, w =>
        {
            w.WriteLine("/// <summary>Number of virtual (soft-prompt) tokens.</summary>");
            w.WriteLine("public const int VirtualTokens = " + Literals.Int(prompt.VirtualTokens) + ";");
            w.WriteLine("/// <summary>Embedding width of the model.</summary>");
            w.WriteLine("public const int EmbeddingDim = " + Literals.Int(prompt.EmbeddingDim) + ";");
            w.WriteLine($"/// <summary>Trainable parameters virtualTokens·embeddingDim = {prompt.VirtualTokens}·{prompt.EmbeddingDim} = {Literals.Grouped(prompt.TrainableParameterCount)}.</summary>");
            w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(prompt.TrainableParameterCount) + ";");
            LayerBaseMembers.Constructor(w, prompt.Type, "Creates the soft prompt drawn N(0, 1) from <paramref name=\"seed\"/>.");
            LayerBaseMembers.Definition(w, "PromptTuningDefinition", Literals.String(prompt.Type.DisplayName) + ", VirtualTokens, EmbeddingDim");
        });
    }
}
