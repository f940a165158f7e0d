// FTG0006–FTG0009: DPO is −log σ(β·h), h = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)). It is only DPO
// with a real reference (FTG0006), a separate one (FTG0007), a frozen one (FTG0008), and β > 0 (FTG0009).
using FineTuneGuard;
using FineTuneGuard.Kernels;
using FineTuneGuard.Losses;

namespace FineTuneGuard.CommonMistakes;

/// <summary>The policy's and the reference's sequence log-probabilities for a batch of preference pairs.</summary>
public sealed record PreferenceLogProbs(float[] PolicyChosen, float[] PolicyRejected, float[] ReferenceChosen, float[] ReferenceRejected);

/// <summary>A model with adapters, as a DPO policy or reference.</summary>
public sealed class ChatModel
{
    [Frozen]
    public float[] Weight { get; } = new float[64 * 64];

    [Trainable]
    public QueryLora Adapter { get; } = new(seed: 3);
}

/// <summary>The four bugs.</summary>
public static class BrokenDpo
{
    /// <summary>No reference at all: this is not DPO, just pushing log-probabilities apart.</summary>
    public static DpoBatchResult WithoutReference(PreferenceLogProbs p, Span<float> gradChosen, Span<float> gradRejected)
        => Dpo.Loss(p.PolicyChosen, p.PolicyRejected, default, default, 0.1f, DpoLossType.Sigmoid, gradChosen, gradRejected); // FTG0006

    /// <summary>The policy as its own reference: h is always 0, the loss is stuck at ln 2.</summary>
    public static DpoBatchResult PolicyAsReference(PreferenceLogProbs p, Span<float> gradChosen, Span<float> gradRejected)
        => Dpo.Loss(p.PolicyChosen, p.PolicyRejected, p.PolicyChosen, p.PolicyRejected, 0.1f, DpoLossType.Sigmoid, gradChosen, gradRejected); // FTG0007

    /// <summary>β = 0: σ(0) = ½ for every pair, zero gradient.</summary>
    public static DpoBatchResult ZeroBeta(PreferenceLogProbs p, Span<float> gradChosen, Span<float> gradRejected)
        => Dpo.Loss(p.PolicyChosen, p.PolicyRejected, p.ReferenceChosen, p.ReferenceRejected, 0f, DpoLossType.Sigmoid, gradChosen, gradRejected); // FTG0009
}

/// <summary>Bug: the reference is declared but trainable: it drifts with the policy and the anchor disappears.</summary>
public sealed class DriftingReferenceSetup
{
    public ChatModel Policy { get; } = new();

    [ReferenceModel]
    public ChatModel Reference { get; } = new(); // FTG0008
}

/// <summary>Fixed: a separate, frozen reference, its log-probabilities passed in, β = 0.1.</summary>
public sealed class DpoSetup
{
    public ChatModel Policy { get; } = new();

    [ReferenceModel]
    [Frozen]
    public ChatModel Reference { get; } = new();

    public static DpoBatchResult Loss(PreferenceLogProbs p, Span<float> gradChosen, Span<float> gradRejected)
        => Dpo.Loss(p.PolicyChosen, p.PolicyRejected, p.ReferenceChosen, p.ReferenceRejected, 0.1f, DpoLossType.Sigmoid, gradChosen, gradRejected);
}
