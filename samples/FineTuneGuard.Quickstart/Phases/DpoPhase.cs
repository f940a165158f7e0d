using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 6: preference tuning with DPO. The policy is the LoRA-tuned model (its adapters keep training); the reference
/// is a frozen copy taken before the first DPO step.
/// </summary>
public static class DpoPhase
{
    /// <summary>The DPO curve and its checks.</summary>
    public sealed record Result(IReadOnlyList<float> Losses, IReadOnlyList<float> RewardAccuracies, DpoBatchResult Final, bool ReferenceUnchanged, double TokensPerSecond)
    {
        /// <summary>The loss before any update: ln 2 when the policy equals the reference.</summary>
        public float InitialLoss => Losses[0];
    }

    /// <summary>Runs DPO on <paramref name="variant"/>'s adapters.</summary>
    public static Result Run(LoraVariant variant, QuickstartOptions options, TextWriter output)
    {
        Heading(output, 7, F($"DPO on preference pairs (policy: {variant.Name} after SFT; reference: its frozen copy)"),
            F($"loss = −log σ(β·h), h = policy margin − reference margin, β = {options.DpoBeta}; starts at ln 2 = {MathF.Log(2f):F6} because policy = reference."));

        PreferenceSequences batch = PreferenceSequences.Build(PreferenceTriples.Train);
        LoraCharMlp reference = variant.FrozenCopy();
        var dpo = new DpoLoop(variant.Model, reference, batch, options.DpoBeta);
        var optimizer = new AdamW([LoraTrainingGroups.Adapters(variant.Model, options.DpoLearningRate)]);

        var losses = new float[options.DpoSteps];
        var accuracies = new float[options.DpoSteps];
        DpoBatchResult last = default;
        var progress = new PhaseProgress(output, "DPO", options.DpoSteps);
        LearningRateSchedule schedule = LossTrainingLoop.CosineSchedule(options.DpoSteps);
        for (int step = 0; step < options.DpoSteps; step++)
        {
            optimizer.LearningRateScale = schedule.Factor(step);
            DpoBatchResult result = dpo.Step(optimizer);
            losses[step] = result.Loss;
            accuracies[step] = result.RewardAccuracy;
            last = result;
            if (step == 0)
            {
                output.WriteLine(F($"   step 0: loss {result.Loss:F7} (ln 2 = {MathF.Log(2f):F7}), margin h = {result.Margin:F4}"));
            }

            progress.Report(step, result.Loss, batch.Batch.Rows);
        }

        bool referenceUnchanged = dpo.ReferenceUnchanged();
        output.WriteLine(F($"   last step (TRL's metrics): loss {last.Loss:F4}, rewards/chosen {last.ChosenReward:+0.000;-0.000}, rewards/rejected {last.RejectedReward:+0.000;-0.000}, rewards/margins {last.RewardMargin:F3}, rewards/accuracies {last.RewardAccuracy:P0}"));
        output.WriteLine("   (reward = β·(log π_policy − log π_ref) of a completion: the policy now prefers the chosen answers more than the reference does)");
        output.WriteLine(F($"   {Mark(referenceUnchanged)} reference log-probabilities after DPO: unchanged (the reference is frozen)"));

        var random = new SeededRandom(options.Seed + 5);
        foreach (PreferenceTriple pair in PreferenceTriples.Train.Take(2))
        {
            string before = PromptCompleter.Complete(reference, pair.Prompt, SamplingOptions.Greedy, random);
            string after = PromptCompleter.Complete(variant.Model, pair.Prompt, SamplingOptions.Greedy, random);
            output.WriteLine(F($"     {pair.Prompt.Split('\n')[0],-28} greedy, reference: \"{before}\"  policy: \"{after}\"  (chosen \"{pair.Chosen.TrimEnd()}\", rejected \"{pair.Rejected.TrimEnd()}\")"));
        }

        return new Result(losses, accuracies, last, referenceUnchanged, progress.Tokens / Math.Max(progress.Elapsed.TotalSeconds, 1e-9));
    }
}
