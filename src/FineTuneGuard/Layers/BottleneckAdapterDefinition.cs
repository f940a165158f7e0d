using FineTuneGuard.Internal;

namespace FineTuneGuard;

/// <summary>What a <see cref="BottleneckAdapterBase"/> is, as declared by <see cref="BottleneckAdapterAttribute"/>.</summary>
/// <param name="Name">The layer's name in shape-check messages (the generated class's name).</param>
/// <param name="ModelDim">Model (residual stream) width d.</param>
/// <param name="Bottleneck">Bottleneck width b.</param>
/// <param name="HasBias">Whether Down and Up carry biases.</param>
public readonly record struct BottleneckAdapterDefinition(string Name, int ModelDim, int Bottleneck, bool HasBias = true)
{
    /// <summary>Trainable parameters 2·d·b, plus b + d with biases.</summary>
    public long TrainableParameterCount => ParameterArithmetic.BottleneckAdapter(ModelDim, Bottleneck, HasBias);
}
