// The runtime's DpoTrainer used as intended: a frozen copy as reference, or reference log-probabilities precomputed
// once (TRL's precompute_ref_log_probs) so the reference need not stay in memory. Nothing to flag.
using System.Collections.Generic;
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiDpoTrainerCorrect;

public sealed class PreferenceTuning
{
    [ReferenceModel, Frozen] public ICausalLanguageModel Reference;
    public ICausalLanguageModel Policy;

    public PreferenceTuning(ICausalLanguageModel policy, ICausalLanguageModel frozenCopy)
    {
        Policy = policy;
        Reference = frozenCopy;
    }

    public DpoRunResult WithReference(IReadOnlyList<PreferencePair> pairs, float beta)
        => new DpoTrainer(Policy, Reference, new DpoOptions { Beta = beta, LossType = DpoLossType.Ipo }).Train(pairs);

    public DpoRunResult Precomputed(IReadOnlyList<PreferencePair> raw)
    {
        IReadOnlyList<PreferencePair> pairs = DpoTrainer.PrecomputeReferenceLogProbs(Reference, raw, batchSize: 16);
        var trainer = new DpoTrainer(Policy, new DpoOptions { Beta = 0.1f });
        return trainer.Train(pairs);
    }

    public DpoMetrics Literal(int[] prompt, int[] good, int[] bad)
    {
        var pairs = new[] { new PreferencePair(prompt, good, bad, referenceChosenLogProb: -2.5f, referenceRejectedLogProb: -3.1f) };
        return new DpoTrainer(Policy).Evaluate(pairs);
    }

    public DpoOptions Sharper(DpoOptions options) => options with { Beta = 0.5f };
}
