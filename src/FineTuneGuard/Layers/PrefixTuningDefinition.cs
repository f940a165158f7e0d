using FineTuneGuard.Attention;
using FineTuneGuard.Internal;

namespace FineTuneGuard;

/// <summary>What a <see cref="PrefixTuningBase"/> is, as declared by <see cref="PrefixTuningAttribute"/>.</summary>
/// <param name="Name">The layer's name in messages (the generated class's name).</param>
/// <param name="Layers">Transformer layers that receive a prefix.</param>
/// <param name="PrefixLength">Prefix slots per layer and head.</param>
/// <param name="Heads">Key/value heads per layer (the attention heads, or the kv heads of a grouped-query model).</param>
/// <param name="HeadDim">Width of one head.</param>
/// <param name="ProjectionHidden">Hidden width of PEFT's reparameterisation MLP; 0 = none (the prefix is trained directly).</param>
public readonly record struct PrefixTuningDefinition(string Name, int Layers, int PrefixLength, int Heads, int HeadDim, int ProjectionHidden = 0)
{
    /// <summary>Heads·HeadDim, the width of one key (or value) prefix row.</summary>
    public int KeyValueWidth => checked(Heads * HeadDim);

    /// <summary>The prefix shape handed to <see cref="LayerPrefixes"/>.</summary>
    public PrefixShape Shape => new(Layers, PrefixLength, Heads, HeadDim);

    /// <summary>Trainable parameters: Layers·2·PrefixLength·Heads·HeadDim, or the reparameterisation MLP's when ProjectionHidden &gt; 0.</summary>
    public long TrainableParameterCount => ParameterArithmetic.Prefix(Layers, PrefixLength, Heads, HeadDim, ProjectionHidden);
}
