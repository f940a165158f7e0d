using FineTuneGuard.SourceGenerators.Helpers;

namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>
/// A validated <c>[TransformerModel]</c> (with its optional <c>[LoraTargets]</c>): everything the emitter needs,
/// nothing from Roslyn. Without targets the model is fully fine-tuned (trainable = base).
/// </summary>
/// <remarks>
/// <c>KvHeads</c>: Key/value heads, the default (= heads) already applied.<br/>
/// <c>HeadDim</c>: Head width, the default (= hidden / heads) already applied.<br/>
/// <c>BaseParameterCount</c>: All parameters of the base model (<c>ParameterArithmetic.TransformerTotal</c>).<br/>
/// <c>Targets</c>: The LoRA targets in declaration order; empty without <c>[LoraTargets]</c>.<br/>
/// <c>TrainableParameterCount</c>: LoRA parameters over all layers, or the base count without targets.<br/>
/// <c>TotalParameterCount</c>: Base + LoRA (what PEFT prints as "all params"), or the base count without targets.<br/>
/// </remarks>
internal sealed record TransformerModelInfo(
    TypeDeclarationInfo Type,
    int Layers,
    int Hidden,
    int Heads,
    int KvHeads,
    int HeadDim,
    int Intermediate,
    int Vocab,
    bool TiedEmbeddings,
    bool AttentionBias,
    long BaseParameterCount,
    bool HasLoraTargets,
    EquatableArray<LoraTargetInfo> Targets,
    int Rank,
    float Alpha,
    bool UseRsLora,
    float Scaling,
    long TrainableParameterCount,
    long TotalParameterCount)
{
    /// <summary>PEFT's trainable%.</summary>
    public double TrainablePercent => FineTuneGuard.Internal.ParameterArithmetic.TrainablePercent(TrainableParameterCount, TotalParameterCount);

    /// <summary>PEFT's <c>print_trainable_parameters()</c> line.</summary>
    public string Summary => FineTuneGuard.Internal.ParameterArithmetic.PeftSummary(TrainableParameterCount, TotalParameterCount);
}
