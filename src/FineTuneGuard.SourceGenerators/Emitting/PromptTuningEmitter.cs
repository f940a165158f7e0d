using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a thin <c>[PromptTuning]</c> class: the constants, one private <c>FineTuneGuard.PromptTuningCore</c> (the soft
/// prompt with its gradient, seeded N(0, 1) initialisation, the per-token view) and one-line members forwarding to it.
/// Prepending to the token embeddings (forward/backward) is left to the attention kernels; <c>Embeddings</c> and
/// <c>Token</c> are the extension point.
/// </summary>
internal static class PromptTuningEmitter
{
    private const string Core = "PromptTuningCore";

    public static string Emit(PromptTuningInfo prompt)
    {
        string summary = $"Prompt tuning: {prompt.VirtualTokens} learned virtual-token embeddings of width {prompt.EmbeddingDim} prepended to the input.";
        return TypeDeclarationEmitter.Emit(prompt.Type, summary, w =>
        {
            w.WriteLine("/// <summary>Number of virtual (soft-prompt) tokens.</summary>");
            w.WriteLine("public const int VirtualTokens = " + Literals.Int(prompt.VirtualTokens) + ";");
            w.WriteLine("/// <summary>Embedding width of the model.</summary>");
            w.WriteLine("public const int EmbeddingDim = " + Literals.Int(prompt.EmbeddingDim) + ";");
            w.WriteLine($"/// <summary>Trainable parameters virtualTokens·embeddingDim = {prompt.VirtualTokens}·{prompt.EmbeddingDim} = {Literals.Grouped(prompt.TrainableParameterCount)}.</summary>");
            w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(prompt.TrainableParameterCount) + ";");
            CoreForwarding.Field(w, Core, "VirtualTokens, EmbeddingDim");
            CoreForwarding.Array(w, Core, "Embeddings");
            CoreForwarding.Array(w, Core, "GradEmbeddings");
            CoreForwarding.Initialisation(w, Core, prompt.Type, "Creates the soft prompt drawn N(0, 1) from <paramref name=\"seed\"/>.");
            CoreForwarding.Method(w, Core, "global::System.Span<float>", "Token", "int index", "index");
        });
    }
}
