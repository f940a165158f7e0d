// The [ReferenceModel] contract: one setup forgets [Frozen], another wires the policy in as its own reference.
using FineTuneGuard;

namespace Corpus.ApiReferenceModelContract;

public sealed class Policy
{
    [Trainable] public float[] Weights = new float[1024];
}

public sealed class PreferenceSetup
{
    public Policy Model;
    [ReferenceModel] public Policy Reference; // expect: FTG0008

    public PreferenceSetup(Policy model, Policy snapshot)
    {
        Model = model;
        Reference = snapshot;
    }
}

public sealed class SelfReferencingSetup
{
    public Policy Policy;
    [ReferenceModel, Frozen] public Policy Reference;

    public SelfReferencingSetup(Policy policy)
    {
        Policy = policy;
        Reference = policy; // expect: FTG0007
    }
}
