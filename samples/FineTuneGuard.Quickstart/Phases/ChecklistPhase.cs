using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 7: the final fine-tuning checklist (plus the reference-model item of an implementation checklist), each item decided by a measurement of this run rather than ticked by hand.
/// </summary>
public static class ChecklistPhase
{
    /// <summary>Evaluates and prints the checklist.</summary>
    public static IReadOnlyList<ChecklistItem> Run(
        AuditPhase.Result audit, SftPhase.Result sft, MergeAblationPhase.Result merge, EvaluationPhase.Result evaluation, DpoPhase.Result dpo, TextWriter output)
    {
        Heading(output, 8, "Final fine-tuning checklist", "Each item is decided by a measurement of this run.");

        ContextBatch all = Training.InstructionBatches.Build(InstructionPairs.Train);
        int answerCharacters = InstructionPairs.Train.Sum(p => p.Response.Length);
        int counted = (int)all.Mask.Sum();
        bool padCounted = Enumerable.Range(0, all.Rows).Any(r => all.Targets[r] == CharTokenizer.PadId && all.Mask[r] > 0);
        // Intended: the A and B factors (PEFT names, as the layers name their parameters) of the hidden and output adapters.
        bool onlyAdapters = audit.TrainableTensorNames.Count == 4 && audit.TrainableTensorNames.All(name =>
            (name.StartsWith("Hidden", StringComparison.Ordinal) || name.StartsWith("Output", StringComparison.Ordinal))
            && (name.EndsWith(".lora_A.weight", StringComparison.Ordinal) || name.EndsWith(".lora_B.weight", StringComparison.Ordinal)));
        ScorecardRow baseRow = evaluation.Scorecard[0];
        IEnumerable<ScorecardRow> tunedRows = evaluation.Scorecard.Skip(1);

        ChecklistItem[] items =
        [
            new("prompt and answer masks match the objective",
                counted == answerCharacters && !padCounted && sft.MaskedLoss != sft.UnmaskedLoss,
                F($"{counted} counted positions = {answerCharacters} answer characters; no prompt or padding counted")),
            new("only intended tensors require gradients",
                onlyAdapters && sft.BaseWeightsUntouched,
                F($"trainable: {string.Join(", ", audit.TrainableTensorNames)}; base bit-identical after training")),
            new("trainable parameter count matches expectation",
                audit.CountsMatch,
                "run-time Σ trainable sizes == generated TrainableParameterCount, both ranks"),
            new("base, prompt-only, and tuned model are compared",
                evaluation.Scorecard.Count >= 3 && tunedRows.All(r => r.KlToBase > 0) && baseRow.KlToBase == 0,
                F($"scorecard: {string.Join(" / ", evaluation.Scorecard.Select(r => r.Method))}")),
            new("retention and task quality are both measured",
                evaluation.Scorecard.All(r => double.IsFinite(r.Task) && double.IsFinite(r.Retention)),
                "task and retention columns filled for every method"),
            new("adapter can be disabled or merged for an ablation",
                merge.AdapterOffBitIdentical && merge.MergeMaxAbsDifference < MergeAblationPhase.MergeTolerance,
                F($"merge max |Δ| {merge.MergeMaxAbsDifference:E1}; adapter off = base, bit for bit")),
            new("preference loss uses a stable, frozen reference",
                dpo.ReferenceUnchanged && Math.Abs(dpo.InitialLoss - Math.Log(2)) < 1e-6,
                F($"DPO loss before the first update − ln 2 = {dpo.InitialLoss - Math.Log(2):E1}; reference log-probs unchanged")),
        ];

        for (int i = 0; i < items.Length; i++)
        {
            output.WriteLine(F($"   {Mark(items[i].Passed)} {i + 1}. {items[i].Check,-50} {items[i].Evidence}"));
        }

        return items;
    }
}
