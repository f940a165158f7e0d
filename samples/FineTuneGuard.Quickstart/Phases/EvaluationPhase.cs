using FineTuneGuard.Decoding;
using FineTuneGuard.Numerics;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 5: what tuning bought and what it cost. KL(tuned ‖ base) on held-out prompts measures how far the function
/// moved where it was not trained; retention measures the pre-training skill on held-out prose; the scorecard
/// weighs task against retention for every method; generations show it in text.
/// </summary>
public static class EvaluationPhase
{
    /// <summary>The scorecard, base first.</summary>
    public sealed record Result(IReadOnlyList<ScorecardRow> Scorecard);

    /// <summary>Scores every model and prints the scorecard and a few generations.</summary>
    public static Result Run(CharMlp pretrained, IReadOnlyList<LoraVariant> variants, CharMlp fullyTuned, QuickstartOptions options, TextWriter output)
    {
        Heading(output, 5, "KL to the base model, retention, and the task × retention scorecard",
            "task = answer accuracy on the instructions; retention = next-character accuracy on the pre-training text; combined = 0.7·task + 0.3·retention.");

        ContextBatch task = InstructionBatches.Build(InstructionPairs.Train);
        ContextBatch prose = PretrainingBatch.All(CharTokenizer.Encode(PretrainingText.Train));
        ContextBatch heldOutPrompts = ContextBatch.FromPrompts(InstructionPairs.HeldOutPrompts.Select(CharTokenizer.Encode));

        var models = new List<(string Name, ICharModel Model)> { ("base (prompt only)", pretrained) };
        models.AddRange(variants.Select(v => (v.Name, (ICharModel)v.Model)));
        models.Add(("full fine-tune", fullyTuned));

        ScorecardRow[] rows = models
            .Select(m => new ScorecardRow(m.Name, ModelEvaluator.Accuracy(m.Model, task), ModelEvaluator.Accuracy(m.Model, prose), ModelEvaluator.KlToBase(m.Model, pretrained, heldOutPrompts)))
            .ToArray();

        output.WriteLine(F($"   {"method",-20} {"task",6} {"retain",7} {"combined",9}   {"KL(tuned‖base), held-out prompts",-34}"));
        foreach (ScorecardRow row in rows)
        {
            output.WriteLine(F($"   {row.Method,-20} {row.Task,6:F3} {row.Retention,7:F3} {row.Combined,9:F3}   {row.KlToBase,8:F4} nats"));
        }

        ScorecardRow best = rows.MaxBy(r => r.Combined)!;
        output.WriteLine(F($"   best combined score: {best.Method} ({best.Combined:F3})"));

        ShowGenerations(pretrained, variants[^1], options, output);
        return new Result(rows);
    }

    private static void ShowGenerations(CharMlp pretrained, LoraVariant tuned, QuickstartOptions options, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(F($"   Generations, base vs {tuned.Name} (greedy; last column: top-p 0.9 at temperature 0.8, seeded)"));
        string[] prompts =
        [
            InstructionPairs.Train[0].Prompt,
            InstructionPairs.Train[9].Prompt,
            InstructionPairs.Train[18].Prompt,
            InstructionPairs.HeldOutPrompts[0],
            InstructionPairs.HeldOutPrompts[3],
        ];
        var sampling = new SamplingOptions { Temperature = 0.8f, TopP = 0.9f };
        var random = new SeededRandom(options.Seed + 99);
        output.WriteLine(F($"     {"prompt",-30} {"base",-18} {"tuned",-18} {"tuned, top-p",-18}"));
        foreach (string prompt in prompts)
        {
            string question = prompt.Split('\n')[0];
            string baseAnswer = PromptCompleter.Complete(pretrained, prompt, SamplingOptions.Greedy, random);
            string tunedAnswer = PromptCompleter.Complete(tuned.Model, prompt, SamplingOptions.Greedy, random);
            string sampled = PromptCompleter.Complete(tuned.Model, prompt, sampling, random);
            output.WriteLine(F($"     {question,-30} {Quote(baseAnswer),-18} {Quote(tunedAnswer),-18} {Quote(sampled),-18}"));
        }

        output.WriteLine("     (the first three questions are in the training set, the last two are not)");
    }

    private static string Quote(string text) => "\"" + (text.Length > 14 ? text[..14] + "…" : text) + "\"";
}
