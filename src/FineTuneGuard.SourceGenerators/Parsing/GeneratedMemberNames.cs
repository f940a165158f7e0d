namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// The members each emitter declares in the annotated class (the rest is inherited from the runtime base class). A class
/// may not be named like one of these (C# forbids a member named like its enclosing type, CS0542) nor declare one itself
/// (CS0102): the parser reports FTG0101 and the generator emits nothing instead of emitting code that cannot compile.
/// Keep in sync with the emitters (the snapshot tests show every generated member).
/// </summary>
internal static class GeneratedMemberNames
{
    private const string CreateDefinition = "CreateDefinition";

    public static readonly string[] LoraLayer =
    {
        "InFeatures", "OutFeatures", "Rank", "Alpha", "UseRsLora", "Scaling", "Dropout", "TrainableParameterCount", CreateDefinition,
    };

    public static readonly string[] BottleneckAdapter = { "ModelDim", "Bottleneck", "HasBias", "TrainableParameterCount", CreateDefinition };

    public static readonly string[] PrefixTuning =
    {
        "Layers", "PrefixLength", "Heads", "HeadDim", "ProjectionHidden", "KeyValueWidth", "KeyValueStorageLength", "TrainableParameterCount",
        CreateDefinition,
    };

    public static readonly string[] PromptTuning = { "VirtualTokens", "EmbeddingDim", "TrainableParameterCount", CreateDefinition };

    /// <summary>The fixed members of a [TransformerModel]; the per-target ones (<c>QProjInFeatures</c>, ...) are checked by the parser.</summary>
    public static readonly string[] TransformerModel =
    {
        "Layers", "Hidden", "Heads", "KvHeads", "HeadDim", "Intermediate", "Vocab", "TiedEmbeddings", "AttentionBias",
        "BaseParameterCount", "TrainableParameterCount", "TotalParameterCount", "TrainablePercent", "Summary", "LoraRank",
        "LoraAlpha", "LoraScaling", "LoraTargetModules",
    };
}
