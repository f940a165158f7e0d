namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>A validated <c>[LoraLayer]</c> declaration: everything the emitter needs, nothing from Roslyn.</summary>
internal sealed record LoraLayerInfo(
    TypeDeclarationInfo Type,
    int InFeatures,
    int OutFeatures,
    int Rank,
    float Alpha,
    bool UseRsLora,
    float Dropout,
    long TrainableParameterCount,
    float Scaling);
