// FTG0002 / FTG0003: the seeds' freeze audit. In a model that carries adapters, every base weight needs an explicit
// decision — [Frozen] (PEFT: only the adapters train) or [Trainable] — and a frozen weight must never reach an optimizer.
using FineTuneGuard;
using FineTuneGuard.Kernels;

namespace FineTuneGuard.CommonMistakes;

/// <summary>LoRA for a 64 x 64 query projection.</summary>
[LoraLayer(64, 64, Rank = 4, Alpha = 8)]
public sealed partial class QueryLora;

/// <summary>Bug: is the base weight trained or not? Nobody decided, so nobody can audit the trainable count.</summary>
public sealed class UndecidedQueryProjection
{
    public float[] Weight { get; } = new float[64 * 64]; // FTG0002

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 1);
}

/// <summary>Fixed: the base weight is frozen, the adapter trains.</summary>
public sealed class QueryProjection
{
    [Frozen]
    public float[] Weight { get; } = new float[64 * 64];

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 1);
}

/// <summary>Bug: a [Frozen] weight updated by hand-written SGD — the freeze is a lie.</summary>
public sealed class FrozenWeightUpdated
{
    [Frozen]
    public float[] Weight { get; } = new float[64 * 64];

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 2);

    public void SgdStep(float[] weightGradient, float learningRate)
    {
        for (int i = 0; i < Weight.Length; i++)
        {
            Weight[i] -= learningRate * weightGradient[i]; // FTG0003
        }
    }
}

/// <summary>Fixed: the update goes to the adapter's factors only; the frozen weight is read, never written.</summary>
public sealed class AdapterOnlyUpdate
{
    [Frozen]
    public float[] Weight { get; } = new float[64 * 64];

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 2);

    public void SgdStep(float learningRate)
    {
        for (int i = 0; i < Adapter.A.Length; i++)
        {
            Adapter.A[i] -= learningRate * Adapter.GradA[i];
        }

        for (int i = 0; i < Adapter.B.Length; i++)
        {
            Adapter.B[i] -= learningRate * Adapter.GradB[i];
        }
    }
}
