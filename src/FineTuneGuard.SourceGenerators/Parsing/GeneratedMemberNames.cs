namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// The members each emitter generates. A class may not have one of these names (C# forbids a member named like its
/// enclosing type, CS0542): the parser reports FTG0101 and the generator emits nothing instead of emitting code that
/// cannot compile. Keep in sync with the emitters (the snapshot tests show every generated member).
/// </summary>
internal static class GeneratedMemberNames
{
    private static readonly string[] Guards = { "GuardShape", "GuardRows" };

    public static readonly string[] LoraLayer =
    {
        "InFeatures", "OutFeatures", "Rank", "Alpha", "UseRsLora", "Scaling", "Dropout", "TrainableParameterCount", "Shape",
        "A", "B", "GradA", "GradB", "Enabled", "ResetParameters", "Forward", "Backward", "MergeInto", "UnmergeFrom", "SafeMergeInto",
        Guards[0], Guards[1],
    };

    public static readonly string[] BottleneckAdapter =
    {
        "ModelDim", "Bottleneck", "HasBias", "TrainableParameterCount", "Shape", "Down", "DownBias", "Up", "UpBias", "GradDown",
        "GradDownBias", "GradUp", "GradUpBias", "Activation", "Enabled", "ResetParameters", "Forward", "Backward", Guards[0], Guards[1],
    };

    public static readonly string[] PrefixTuning =
    {
        "Layers", "PrefixLength", "Heads", "HeadDim", "ProjectionHidden", "KeyValueWidth", "KeyValueStorageLength",
        "TrainableParameterCount", "KeyValues", "GradKeyValues", "PrefixEmbedding", "GradPrefixEmbedding", "ProjectionDown",
        "GradProjectionDown", "ProjectionDownBias", "GradProjectionDownBias", "ProjectionUp", "GradProjectionUp", "ProjectionUpBias",
        "GradProjectionUpBias", "ResetParameters", "Keys", "Values", "Shape", "AttentionForward", "AttentionBackward",
        "EncoderForward", "EncoderBackward", "Fold",
    };

    public static readonly string[] PromptTuning =
    {
        "VirtualTokens", "EmbeddingDim", "TrainableParameterCount", "Embeddings", "GradEmbeddings", "ResetParameters", "Token",
        "PromptShape", "Prepend", "BackwardSlice", "Positions", "PrependLabels", "PrependPaddingMask",
    };

    /// <summary>The fixed members of a [TransformerModel]; the per-target ones (<c>QProjInFeatures</c>, ...) are checked by the parser.</summary>
    public static readonly string[] TransformerModel =
    {
        "Layers", "Hidden", "Heads", "KvHeads", "HeadDim", "Intermediate", "Vocab", "TiedEmbeddings", "AttentionBias",
        "BaseParameterCount", "TrainableParameterCount", "TotalParameterCount", "TrainablePercent", "Summary", "LoraRank",
        "LoraAlpha", "LoraScaling", "LoraTargetModules",
    };
}
