// DPO on FineTuneGuard's API with a separate, frozen reference: the seeds' example (margin 2, loss ≈ 0.598 at beta 0.1).
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiDpoStepCorrect;

public interface ILanguageModel
{
    float SequenceLogProb(int[] prompt, int[] completion);
}

public sealed class DpoStep
{
    private readonly ILanguageModel _policy;
    [ReferenceModel, Frozen] private readonly ILanguageModel _reference;
    private readonly float _beta;

    public DpoStep(ILanguageModel policy, ILanguageModel reference, float beta = 0.1f)
    {
        _policy = policy;
        _reference = reference;
        _beta = beta;
    }

    public DpoResult Run(int[] prompt, int[] chosen, int[] rejected)
    {
        float policyChosen = _policy.SequenceLogProb(prompt, chosen);
        float policyRejected = _policy.SequenceLogProb(prompt, rejected);
        float referenceChosen = _reference.SequenceLogProb(prompt, chosen);
        float referenceRejected = _reference.SequenceLogProb(prompt, rejected);
        return Dpo.Loss(policyChosen, policyRejected, referenceChosen, referenceRejected, _beta, DpoLossType.Sigmoid);
    }

    public static float SeedExample() => Dpo.Loss(-12f, -15f, -13f, -14f, beta: 0.1f).Loss;
}
