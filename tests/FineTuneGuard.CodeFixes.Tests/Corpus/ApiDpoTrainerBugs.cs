// Four ways to misuse the runtime's DpoTrainer; each one would throw at run time with the same words.
using System.Collections.Generic;
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiDpoTrainerBugs;

public sealed class PreferenceTuning
{
    [Trainable] public ICausalLanguageModel Snapshot;

    public PreferenceTuning(ICausalLanguageModel snapshot) => Snapshot = snapshot;

    public DpoRunResult SelfReference(ICausalLanguageModel policy, IReadOnlyList<PreferencePair> pairs)
        => new DpoTrainer(policy, policy, new DpoOptions { MaxSteps = 50 }).Train(pairs); // expect: FTG0007

    public DpoRunResult TrainableReference(ICausalLanguageModel policy, IReadOnlyList<PreferencePair> pairs)
        => new DpoTrainer(policy, Snapshot).Train(pairs); // expect: FTG0008

    public DpoRunResult ZeroBeta(ICausalLanguageModel policy, ICausalLanguageModel reference, IReadOnlyList<PreferencePair> pairs)
    {
        var options = new DpoOptions
        {
            Beta = 0f, // expect: FTG0009
            LossType = DpoLossType.Sigmoid,
        };
        return new DpoTrainer(policy, reference, options).Train(pairs);
    }

    public DpoMetrics NoReference(ICausalLanguageModel policy, int[] prompt, int[] good, int[] bad)
    {
        var pairs = new List<PreferencePair> { new PreferencePair(prompt, good, bad), new PreferencePair(prompt, bad, good) };
        var trainer = new DpoTrainer(policy, new DpoOptions()); // expect: FTG0006
        return trainer.TrainStep(pairs);
    }
}
