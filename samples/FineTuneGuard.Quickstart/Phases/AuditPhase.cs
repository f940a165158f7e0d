using FineTuneGuard.Accounting;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Model;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 2: the trainable-parameter audit. The counts are compile-time constants from the generated layers, printed
/// the way PEFT's <c>print_trainable_parameters()</c> does; then the freeze audit of the seeds lists every tensor of
/// the LoRA model with its trainable flag and checks, at run time, that what is actually trainable adds up to the
/// constant. A mismatch stops the run: training the wrong tensors is the most expensive silent bug in PEFT.
/// </summary>
public static class AuditPhase
{
    /// <summary>The numbers the audit established (for the checklist and the tests).</summary>
    public sealed record Result(bool CountsMatch, int TrainableTensors, IReadOnlyList<string> TrainableTensorNames);

    /// <summary>Prints the audit for every method and the freeze audit of <paramref name="variants"/>.</summary>
    public static Result Run(IReadOnlyList<LoraVariant> variants, TextWriter output)
    {
        Heading(output, 2, "Trainable-parameter audit (compile-time constants, PEFT-style)",
            "Every count below is a const the source generator computed from the layer attributes: no model needs to exist to know it.");

        const long all = ModelDimensions.BaseParameterCount;
        output.WriteLine(F($"   {"full fine-tuning",-44} {ParameterCount.PeftSummary(all, all)}"));
        output.WriteLine(F($"   {"LoRA r=2  (hidden + output projections)",-44} {ParameterCount.PeftSummary(LoraVariant.RankTwoTrainable, all + LoraVariant.RankTwoTrainable)}"));
        output.WriteLine(F($"   {"LoRA r=16 (hidden + output projections)",-44} {ParameterCount.PeftSummary(LoraVariant.RankSixteenTrainable, all + LoraVariant.RankSixteenTrainable)}"));
        output.WriteLine(F($"   {"bottleneck adapter 128→16→128",-44} {ParameterCount.PeftSummary(HiddenBottleneckAdapter.TrainableParameterCount, all + HiddenBottleneckAdapter.TrainableParameterCount)}"));
        output.WriteLine(F($"   {"prompt tuning, 4 virtual tokens",-44} {ParameterCount.PeftSummary(SoftPrompt.TrainableParameterCount, all + SoftPrompt.TrainableParameterCount)}"));
        output.WriteLine(F($"   {"prefix tuning, 1 layer x 4 x (4·32) x K,V",-44} {ParameterCount.PeftSummary(WidthMatchedPrefix.TrainableParameterCount, all + WidthMatchedPrefix.TrainableParameterCount)}"));
        output.WriteLine("   (prefix tuning needs attention layers; its row counts one attention layer of the same width)");

        output.WriteLine();
        output.WriteLine("   Freeze audit of the LoRA model (the seeds' cell 13): every tensor and whether the optimizer may touch it");
        LoraVariant shown = variants[^1];
        foreach (Parameter parameter in shown.Model.AllParameters)
        {
            output.WriteLine(F($"     {parameter.Name,-16} {parameter.Value.Length,7:N0} values   trainable={parameter.Trainable}"));
        }

        bool match = true;
        foreach (LoraVariant variant in variants)
        {
            bool ok = variant.RuntimeTrainableParameters == variant.CompileTimeTrainableParameters && variant.RuntimeTrainableTensors == 4;
            match &= ok;
            output.WriteLine(F($"   {Mark(ok)} {variant.Name,-9}: {variant.RuntimeTrainableTensors} trainable tensors, {variant.RuntimeTrainableParameters:N0} trainable values at run time == {variant.CompileTimeTrainableParameters:N0} at compile time"));
        }

        if (!match)
        {
            throw new InvalidOperationException("The trainable tensors at run time do not add up to the compile-time count: the wrong tensors would be trained.");
        }

        string[] names = shown.Model.AllParameters.Where(p => p.Trainable).Select(p => p.Name).ToArray();
        return new Result(match, shown.RuntimeTrainableTensors, names);
    }
}
