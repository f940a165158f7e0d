namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// What the tiny model needs from a LoRA layer. Every <c>[LoraLayer]</c> class the generator completes already has
/// these members, so a declaration only has to name the interface (<c>public partial class HiddenLoraR2 : ILoraProjection;</c>)
/// and one model class can carry adapters of any rank.
/// </summary>
public interface ILoraProjection
{
    /// <summary>A (Rank x InFeatures), Kaiming-uniform at construction.</summary>
    float[] A { get; }

    /// <summary>B (OutFeatures x Rank), zero at construction: the tuned model starts equal to the base.</summary>
    float[] B { get; }

    /// <summary>dL/dA, written by <see cref="Backward"/>.</summary>
    float[] GradA { get; }

    /// <summary>dL/dB, written by <see cref="Backward"/>.</summary>
    float[] GradB { get; }

    /// <summary>Adapter on or off (off: the layer computes x·Wᵀ only — the ablation).</summary>
    bool Enabled { get; set; }

    /// <summary>y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.</summary>
    void Forward(int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y);

    /// <summary>Gradients of A and B (and of x unless <paramref name="dx"/> is empty) with W frozen.</summary>
    void Backward(int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dx);

    /// <summary>W += s·B·A.</summary>
    void MergeInto(Span<float> weight);
}
