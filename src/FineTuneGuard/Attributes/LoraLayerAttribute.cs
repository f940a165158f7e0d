using System;

namespace FineTuneGuard;

/// <summary>
/// Completes a <c>partial class</c> into a LoRA adapter for a frozen linear layer <c>W</c> of shape
/// (<paramref name="outFeatures"/> x <paramref name="inFeatures"/>):
/// <c>y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ</c> with <c>A</c> (Rank x in), <c>B</c> (out x Rank, zeros at start) and
/// <c>s = Alpha / Rank</c> (or <c>Alpha / sqrt(Rank)</c> with <see cref="UseRsLora"/>).
/// </summary>
/// <param name="inFeatures">Input width of the adapted layer (columns of <c>W</c>).</param>
/// <param name="outFeatures">Output width of the adapted layer (rows of <c>W</c>).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LoraLayerAttribute(int inFeatures, int outFeatures) : Attribute
{
    /// <summary>Input width of the adapted layer.</summary>
    public int InFeatures { get; } = inFeatures;

    /// <summary>Output width of the adapted layer.</summary>
    public int OutFeatures { get; } = outFeatures;

    /// <summary>Rank r of the update <c>B·A</c>. Default 8.</summary>
    public int Rank { get; set; } = 8;

    /// <summary>LoRA alpha; the update is scaled by alpha / r (or alpha / sqrt(r) with rsLoRA). Default 8.</summary>
    public float Alpha { get; set; } = 8f;

    /// <summary>Rank-stabilised LoRA: scale by alpha / sqrt(r) instead of alpha / r.</summary>
    public bool UseRsLora { get; set; }

    /// <summary>Dropout probability on the adapter input, in [0, 1). Default 0.</summary>
    public float Dropout { get; set; }
}
