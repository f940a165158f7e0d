using System;

namespace FineTuneGuard.Decoding;

/// <summary>
/// How one next token is chosen from a row of logits, in the order Hugging Face applies its logits processors:
/// temperature, then top-k, then top-p (nucleus) on the distribution that survives top-k.
/// </summary>
/// <remarks>
/// The temperature divides the logits before the softmax (Hinton et al. 2015), so T → 0 approaches the
/// arg-max and T &gt; 1 flattens the distribution; top-p keeps the smallest set V⁽ᵖ⁾ of the most probable tokens whose
/// mass Σ P(x | x₁..ᵢ₋₁) ≥ p, which adapts to the shape of the distribution where top-k does not.
/// </remarks>
public sealed record SamplingOptions
{
    /// <summary>Greedy decoding: always the most probable token (the lowest id among ties). Consumes no randomness.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Softmax temperature; 0 means greedy. Must be finite and ≥ 0. Default 1 (the model's own distribution).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the <c>TopK</c> most probable tokens; 0 disables the filter. Must be ≥ 0. Default 0.</summary>
    public int TopK { get; init; }

    /// <summary>
    /// Keep the smallest set of most probable tokens whose probability mass reaches <c>TopP</c>; 1 disables the filter and
    /// 0 keeps only the most probable token (greedy). Must be in [0, 1]. Default 1.
    /// </summary>
    public float TopP { get; init; } = 1f;

    /// <summary>True when these options always pick the arg-max: temperature 0, top-k 1 or top-p 0.</summary>
    public bool IsGreedy => Temperature == 0f || TopK == 1 || TopP == 0f;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"'{nameof(Temperature)}' must be a finite value >= 0 (0 = greedy); got {Temperature}.");
        }

        if (TopK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"'{nameof(TopK)}' must be >= 0 (0 = no top-k filter); got {TopK}.");
        }

        if (!(TopP >= 0f && TopP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, $"'{nameof(TopP)}' must be in [0, 1] (1 = no top-p filter, 0 = greedy); got {TopP}.");
        }
    }
}
