using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a thin <c>[PromptTuning]</c> class: the constants, one private <c>FineTuneGuard.PromptTuningCore</c> (the soft
/// prompt with its gradient, seeded N(0, 1) initialisation, the per-token view) and one-line members forwarding to it,
/// among them prepending to the token embeddings and its backward, positions, labels and padding mask of the prompted
/// sequence (<c>FineTuneGuard.Attention.SoftPrompt</c>).
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
            CoreForwarding.Method(w, Core, "global::FineTuneGuard.Attention.SoftPromptShape", "PromptShape", "int batch, int tokens", "batch, tokens");
            CoreForwarding.Method(w, Core, "void", "Prepend", $"int batch, int tokens, {CoreForwarding.ReadOnlySpan} embeddings, {CoreForwarding.Span} output", "batch, tokens, embeddings, output");
            CoreForwarding.Method(w, Core, "void", "BackwardSlice", $"int batch, int tokens, {CoreForwarding.ReadOnlySpan} outputGradient, {CoreForwarding.Span} embeddingsGradient", "batch, tokens, outputGradient, embeddingsGradient");
            CoreForwarding.Method(w, Core, "void", "Positions", "int tokens, global::System.Span<int> positions", "tokens, positions");
            CoreForwarding.Method(w, Core, "void", "PrependLabels", "int batch, int tokens, global::System.ReadOnlySpan<int> labels, global::System.Span<int> output", "batch, tokens, labels, output");
            CoreForwarding.Method(w, Core, "void", "PrependPaddingMask", "int batch, int tokens, global::System.ReadOnlySpan<bool> tokenMask, global::System.Span<bool> output", "batch, tokens, tokenMask, output");
        });
    }
}
