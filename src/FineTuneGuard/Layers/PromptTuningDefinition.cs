using FineTuneGuard.Internal;

namespace FineTuneGuard;

/// <summary>What a <see cref="PromptTuningBase"/> is, as declared by <see cref="PromptTuningAttribute"/>.</summary>
/// <param name="Name">The layer's name in messages (the generated class's name).</param>
/// <param name="VirtualTokens">Number of virtual (soft-prompt) tokens.</param>
/// <param name="EmbeddingDim">Embedding width of the model.</param>
public readonly record struct PromptTuningDefinition(string Name, int VirtualTokens, int EmbeddingDim)
{
    /// <summary>Trainable parameters VirtualTokens·EmbeddingDim.</summary>
    public long TrainableParameterCount => ParameterArithmetic.Prompt(VirtualTokens, EmbeddingDim);
}
