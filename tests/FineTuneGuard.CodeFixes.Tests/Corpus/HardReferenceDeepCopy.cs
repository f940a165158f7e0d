// Hard case (look-alike): the reference is a deep copy of the policy taken before training, not the policy itself.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.HardReferenceDeepCopy;

public sealed class Policy
{
    [Trainable] public float[] Weights = new float[4096];

    public Policy Clone()
    {
        var copy = new Policy();
        Weights.CopyTo(copy.Weights, 0);
        return copy;
    }

    public float LogProb(int[] ids) => -ids.Length;
}

public sealed class DpoSession
{
    private readonly Policy policy;
    [ReferenceModel, Frozen] private readonly Policy reference;

    public DpoSession(Policy policy)
    {
        this.policy = policy;
        reference = policy.Clone();
    }

    public float Loss(int[] chosen, int[] rejected)
        => Dpo.Loss(policy.LogProb(chosen), policy.LogProb(rejected), reference.LogProb(chosen), reference.LogProb(rejected), beta: 0.1f).Loss;
}
