using FineTuneGuard.Internal;
using FineTuneGuard.Kernels;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// What a <see cref="LoraLayerBase"/> is, as declared by <see cref="LoraLayerAttribute"/>: the frozen weight W it adapts
/// (OutFeatures x InFeatures), the rank r of the update B·A, alpha, rank-stabilised scaling and the declared dropout.
/// </summary>
/// <param name="Name">The layer's name in shape-check messages (the generated class's name, e.g. "Block.QProj").</param>
/// <param name="InFeatures">Input width (columns of W and of A).</param>
/// <param name="OutFeatures">Output width (rows of W and of B).</param>
/// <param name="Rank">Rank r of the update B·A.</param>
/// <param name="Alpha">LoRA alpha.</param>
/// <param name="UseRsLora">Rank-stabilised LoRA: scaling alpha / √r instead of alpha / r.</param>
/// <param name="Dropout">Dropout probability on the adapter input, in [0, 1).</param>
public readonly record struct LoraLayerDefinition(string Name, int InFeatures, int OutFeatures, int Rank, float Alpha, bool UseRsLora = false, float Dropout = 0f)
{
    /// <summary>
    /// Transformer layer index given to the layer's <see cref="Parameter"/>s (for layer-wise learning-rate decay), or -1
    /// when the layer is not in a numbered block (the default).
    /// </summary>
    public int Layer { get; init; } = -1;

    /// <summary>s = alpha / r, or alpha / √r with rsLoRA (<see cref="Lora.Scaling"/>; equal bit for bit to the generated <c>Scaling</c> constant).</summary>
    public float Scaling => Lora.Scaling(Alpha, Rank, UseRsLora);

    /// <summary>Trainable parameters r·(in + out).</summary>
    public long TrainableParameterCount => ParameterArithmetic.Lora(InFeatures, OutFeatures, Rank);
}
