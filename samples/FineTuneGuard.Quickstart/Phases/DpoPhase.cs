using FineTuneGuard.Decoding;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 7: preference tuning with the runtime's <c>DpoTrainer</c>. The policy is the LoRA-tuned model (its adapters
/// keep training); the reference is a frozen copy taken before the first DPO step. The trainer refuses a reference that
/// is the policy (FTG0007) or that has anything trainable (FTG0008) — the analyzers say the same at compile time.
/// </summary>
public static class DpoPhase
{
    /// <summary>The DPO curve and its checks.</summary>
    public sealed record Result(IReadOnlyList<DpoMetrics> History, bool ReferenceUnchanged, double TokensPerSecond)
    {
        /// <summary>The loss per step.</summary>
        public IReadOnlyList<float> Losses => History.Select(m => (float)m.Loss).ToArray();

        /// <summary>The loss of the first step, computed before any update: ln 2 when the policy equals the reference.</summary>
        public double InitialLoss => History[0].Loss;
    }

    /// <summary>Runs DPO on <paramref name="variant"/>'s adapters.</summary>
    public static Result Run(LoraVariant variant, QuickstartOptions options, TextWriter output)
    {
        Heading(output, 7, F($"DPO on preference pairs (policy: {variant.Name} after SFT; reference: its frozen copy)"),
            F($"loss = −log σ(β·h), h = policy margin − reference margin, β = {options.DpoBeta}; starts at ln 2 = {Math.Log(2):F6} because policy = reference."));

        var setup = new PreferenceSetup(new CharLanguageModel(variant.Model), new CharLanguageModel(variant.FrozenCopy()));
        PreferencePair[] pairs = PreferenceTriples.Train
            .Select(t => new PreferencePair(CharTokenizer.Encode(t.Prompt), CharTokenizer.Encode(t.Chosen), CharTokenizer.Encode(t.Rejected)))
            .ToArray();
        IReadOnlyList<PreferencePair> before = DpoTrainer.PrecomputeReferenceLogProbs(setup.Reference, pairs, padTokenId: CharTokenizer.PadId);

        var trainer = new DpoTrainer(setup.Policy, setup.Reference, new DpoOptions
        {
            Beta = options.DpoBeta,
            BatchSize = pairs.Length,
            MaxSteps = options.DpoSteps,
            LearningRate = options.DpoLearningRate,
            Decay = LearningRateDecay.Cosine,
            PadTokenId = CharTokenizer.PadId,
            Seed = options.Seed + 11,
        });

        var progress = new PhaseProgress(output, "DPO", options.DpoSteps);
        int tokensPerStep = pairs.Sum(p => (2 * p.Prompt.Count) + p.Chosen.Count + p.Rejected.Count);
        DpoRunResult run = trainer.Train(pairs, new ConsoleProgress<DpoProgress>(p =>
        {
            if (p.Step == 1)
            {
                output.WriteLine(F($"   step 1 (before any update): loss {p.Metrics.Loss:F7} (ln 2 = {Math.Log(2):F7}), rewards/margins {p.Metrics.RewardsMargins:F4}"));
            }

            progress.Report(p.Step - 1, p.Metrics.Loss, tokensPerStep);
        }));

        DpoMetrics last = run.History[^1];
        output.WriteLine(F($"   last step (TRL's log): loss {last.Loss:F4}, rewards/chosen {last.RewardsChosen:+0.000;-0.000}, rewards/rejected {last.RewardsRejected:+0.000;-0.000}, rewards/margins {last.RewardsMargins:F3}, rewards/accuracies {last.RewardsAccuracies:P0}"));
        output.WriteLine("   (reward = β·(log π_policy − log π_ref) of a completion: the policy now prefers the chosen answers more than the reference does)");

        IReadOnlyList<PreferencePair> after = DpoTrainer.PrecomputeReferenceLogProbs(setup.Reference, pairs, padTokenId: CharTokenizer.PadId);
        bool unchanged = before.Zip(after).All(p => p.First.ReferenceChosenLogProb == p.Second.ReferenceChosenLogProb
                                                     && p.First.ReferenceRejectedLogProb == p.Second.ReferenceRejectedLogProb);
        output.WriteLine(F($"   {Mark(unchanged)} reference log-probabilities after DPO: unchanged, bit for bit (the reference is frozen)"));

        var random = new SeededRandom(options.Seed + 5);
        foreach (PreferenceTriple triple in PreferenceTriples.Train.Take(2))
        {
            string reference = PromptCompleter.Complete(((CharLanguageModel)setup.Reference).Model, triple.Prompt, SamplingOptions.Greedy, random);
            string policy = PromptCompleter.Complete(variant.Model, triple.Prompt, SamplingOptions.Greedy, random);
            output.WriteLine(F($"     {triple.Prompt.Split('\n')[0],-28} greedy, reference: \"{reference}\"  policy: \"{policy}\"  (chosen \"{triple.Chosen.TrimEnd()}\", rejected \"{triple.Rejected.TrimEnd()}\")"));
        }

        return new Result(run.History, unchanged, tokensPerStep * run.Steps / Math.Max(progress.Elapsed.TotalSeconds, 1e-9));
    }

    /// <summary>The two models of a DPO run, with the reference declared for the analyzers.</summary>
    private sealed class PreferenceSetup(ICausalLanguageModel policy, ICausalLanguageModel reference)
    {
        /// <summary>The model being tuned.</summary>
        public ICausalLanguageModel Policy { get; } = policy;

        /// <summary>A separate instance (FTG0007), with nothing trainable (FTG0008), declared as such.</summary>
        [ReferenceModel]
        [Frozen]
        public ICausalLanguageModel Reference { get; } = reference;
    }
}
