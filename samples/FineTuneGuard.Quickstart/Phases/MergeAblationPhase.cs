using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 4: the two sanity checks of an adapter (the seeds' section 8.5). Merge: folding s·B·A into W gives the same
/// function as running the adapter beside W. Ablation: switching the adapter off gives back the base model exactly,
/// so every measured change is caused by the adapter.
/// </summary>
public static class MergeAblationPhase
{
    /// <summary>The float32 tolerance of the merge check: logits of order 10, summed over 256 + 16 products.</summary>
    public const float MergeTolerance = 1e-4f;

    /// <summary>The results of both checks.</summary>
    public sealed record Result(float MergeMaxAbsDifference, bool AdapterOffBitIdentical, float TunedVersusBaseMaxAbsDifference, CharMlp Merged);

    /// <summary>Merges the adapters of <paramref name="variant"/> and ablates them, on the SFT prompts and the held-out prose.</summary>
    public static Result Run(CharMlp pretrained, LoraVariant variant, TextWriter output)
    {
        Heading(output, 4, F($"Merge and adapter-off ablation ({variant.Name})"),
            "Merged W' = W + s·B·A must compute what W with the adapter beside it computes; adapter off must be the base model.");

        ContextBatch probe = ProbeBatch();
        LoraCharMlp model = variant.Model;

        CharMlp merged = model.Merge();
        float mergeDifference = ModelEvaluator.MaxAbsDifference(model, merged, probe);
        output.WriteLine(F($"   {Mark(mergeDifference < MergeTolerance)} merged vs adapter forward: max |Δlogit| = {mergeDifference:E2} over {probe.Rows:N0} positions (tolerance {MergeTolerance:E0}; float32 rounding)"));

        float tunedVersusBase = ModelEvaluator.MaxAbsDifference(model, pretrained, probe);
        model.AdaptersEnabled = false;
        bool identical = ModelEvaluator.BitIdentical(model, pretrained, probe);
        model.AdaptersEnabled = true;
        output.WriteLine(F($"   {Mark(identical)} adapter off: logits bit-identical to the base model ({(identical ? "0" : "non-zero")} difference; with the adapter on they differ by up to {tunedVersusBase:F2})"));
        return new Result(mergeDifference, identical, tunedVersusBase, merged);
    }

    /// <summary>Every position of the SFT examples and of the held-out prose.</summary>
    public static ContextBatch ProbeBatch()
        => ContextBatch.FromPrompts(
            InstructionPairs.Train.Select(p => CharTokenizer.Encode(p.Prompt + p.Response))
                .Append(CharTokenizer.Encode(PretrainingText.HeldOut)));
}
