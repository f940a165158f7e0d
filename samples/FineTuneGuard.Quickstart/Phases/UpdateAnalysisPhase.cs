using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>Phase 6: how low-rank the learned updates are, and how the function moves as an update is scaled.</summary>
public static class UpdateAnalysisPhase
{
    /// <summary>The series of the SVD and KL charts.</summary>
    public sealed record Result(
        IReadOnlyList<(string Name, double[] Errors)> SvdErrors,
        double[] SeedExampleKl,
        double[] ModelKl);

    /// <summary>Analyses the hidden-layer updates of <paramref name="lora"/> and of full fine-tuning.</summary>
    public static Result Run(CharMlp pretrained, LoraVariant lora, CharMlp fullyTuned, QuickstartOptions options, TextWriter output)
    {
        Heading(output, 6, "The learned update: rank and function-space shift",
            "Truncated-SVD relative error of ΔW (hidden projection, 128 x 256) by rank, and KL(tuned ‖ base) as the update is scaled by s.");

        const int rows = ModelDimensions.Hidden, cols = ModelDimensions.InputWidth;
        var svd = new List<(string, double[])>
        {
            (F($"{lora.Name} update s·B·A"), UpdateAnalysis.SvdErrors(UpdateAnalysis.LoraUpdate(lora.Model.Hidden, rows * cols), rows, cols)),
            ("full fine-tune update", UpdateAnalysis.SvdErrors(UpdateAnalysis.Difference(fullyTuned.HiddenWeight, pretrained.HiddenWeight), rows, cols)),
            ("random Gaussian matrix", UpdateAnalysis.SvdErrors(UpdateAnalysis.Gaussian(rows, cols, options.Seed + 3), rows, cols)),
        };

        output.WriteLine(F($"   {"rank",-26}{string.Concat(UpdateAnalysis.Ranks.Select(r => $"{r,7}"))}"));
        foreach ((string name, double[] errors) in svd)
        {
            output.WriteLine(F($"   {name,-26}{string.Concat(errors.Select(e => $"{e,7:F3}"))}"));
        }

        output.WriteLine(F($"   The LoRA update is exactly rank {lora.Rank} (error 0 from rank {lora.Rank} on); a random matrix needs most of its rank."));

        ContextBatch heldOutPrompts = ContextBatch.FromPrompts(InstructionPairs.HeldOutPrompts.Select(CharTokenizer.Encode));
        double[] seedKl = UpdateAnalysis.SeedExampleKl();
        double[] modelKl = UpdateAnalysis.ModelKl(pretrained, lora.Model, heldOutPrompts);
        double atOne = UpdateAnalysis.ModelKl(pretrained, lora.Model, heldOutPrompts, [1.0])[0];
        output.WriteLine(F($"   KL vs strength s ∈ [0, 3]: seeds' 3-logit example {seedKl[0]:F3} → {seedKl[^1]:F3} nats; this model's learned update {modelKl[0]:F3} → {atOne:F3} at s = 1 (the merged tuned model) → {modelKl[^1]:F3} nats at s = 3"));
        return new Result(svd, seedKl, modelKl);
    }
}
