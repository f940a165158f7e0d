using System.Diagnostics;
using FineTuneGuard.Quickstart.Charts;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Phases;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart;

/// <summary>
/// The end-to-end walkthrough: pre-train a tiny language model, audit what each PEFT method would train, fine-tune it
/// with LoRA (two ranks) and fully, check merge and ablation, measure KL / retention / the scorecard, look at the
/// learned update, run DPO, and evaluate the seeds' checklist. Every phase prints its section; the returned report
/// holds the numbers.
/// </summary>
public static class QuickstartRunner
{
    /// <summary>Runs every phase with the budget of <paramref name="options"/>.</summary>
    public static QuickstartReport Run(QuickstartOptions options, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        output.WriteLine("FineTuneGuard quickstart — fine-tuning a tiny character-level language model end to end");
        output.WriteLine(F($"seed {options.Seed}; {Environment.ProcessorCount} cores; every number below is computed by this run"));

        (CharMlp pretrained, Training.PhaseCurve pretraining) = PretrainingPhase.Run(options, output);

        LoraVariant[] variants = [LoraVariant.RankTwo(pretrained, options.Seed + 10), LoraVariant.RankSixteen(pretrained, options.Seed + 20)];
        LoraVariant main = variants[^1];
        AuditPhase.Result audit = AuditPhase.Run(variants, output);
        SftPhase.Result sft = SftPhase.Run(pretrained, variants, options, output);
        MergeAblationPhase.Result merge = MergeAblationPhase.Run(pretrained, main, output);
        EvaluationPhase.Result evaluation = EvaluationPhase.Run(pretrained, variants, sft.FullyTuned, options, output);
        UpdateAnalysisPhase.Result analysis = UpdateAnalysisPhase.Run(pretrained, main, sft.FullyTuned, options, output);
        DpoPhase.Result dpo = DpoPhase.Run(main, options, output);
        var checklist = ChecklistPhase.Run(audit, sft, merge, evaluation, dpo, output);

        IReadOnlyList<string> charts = [];
        if (options.ChartsDirectory is { } directory)
        {
            charts = ChartWriter.WriteAll(directory, pretraining, sft.Curves, dpo, analysis);
            output.WriteLine();
            output.WriteLine(F($"Charts written to {Path.GetFullPath(directory)}:"));
            foreach (string chart in charts)
            {
                output.WriteLine($"   {chart}");
            }
        }

        output.WriteLine();
        int passed = checklist.Count(c => c.Passed);
        output.WriteLine(F($"Done in {clock.Elapsed.TotalSeconds:F1} s: checklist {passed}/{checklist.Count} ✓."));
        return new QuickstartReport(pretraining, audit, sft, merge, evaluation, analysis, dpo, checklist, charts, clock.Elapsed);
    }
}
