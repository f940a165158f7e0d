// Three preference-loss bugs in one helper class: zero reference, reference = policy, beta 0.
using System;
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiDpoBugs;

public static class PreferenceHelpers
{
    public static float WithoutReference(float policyChosen, float policyRejected)
        => Dpo.Loss(policyChosen, policyRejected, 0f, 0f, beta: 0.1f).Loss; // expect: FTG0006

    public static float SelfReference(float policyChosen, float policyRejected)
        => Dpo.Loss(policyChosen, policyRejected, policyChosen, policyRejected, beta: 0.1f).Loss; // expect: FTG0007

    public static float ZeroBeta(float pc, float pr, float rc, float rr)
        => Dpo.Loss(pc, pr, rc, rr, beta: 0f).Loss; // expect: FTG0009

    public static float Batch(float[] policyChosen, float[] policyRejected, float[] gradChosen, float[] gradRejected)
    {
        var referenceChosen = new float[policyChosen.Length];
        var referenceRejected = new float[policyRejected.Length];
        return Dpo.Loss(policyChosen, policyRejected, referenceChosen, referenceRejected, 0.1f, DpoLossType.Sigmoid, gradChosen, gradRejected).Loss; // expect: FTG0006
    }
}
