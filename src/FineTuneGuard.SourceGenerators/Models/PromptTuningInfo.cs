namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>A validated <c>[PromptTuning]</c> declaration: everything the emitter needs, nothing from Roslyn.</summary>
/// <remarks>
/// <c>TrainableParameterCount</c>: virtualTokens·embeddingDim.<br/>
/// </remarks>
internal sealed record PromptTuningInfo(
    TypeDeclarationInfo Type,
    int VirtualTokens,
    int EmbeddingDim,
    long TrainableParameterCount);
