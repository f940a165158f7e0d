using FineTuneGuard.Quickstart;
using FineTuneGuard.Quickstart.Phases;

namespace FineTuneGuard.Samples.Tests;

/// <summary>The invariants the quickstart demonstrates, asserted on a reduced-budget run of its library code.</summary>
public sealed class QuickstartInvariantTests(QuickstartFixture fixture) : IClassFixture<QuickstartFixture>
{
    private QuickstartReport Report => fixture.Report;

    [Fact]
    public void Merged_model_computes_what_the_adapter_computes()
    {
        Assert.True(
            Report.Merge.MergeMaxAbsDifference < MergeAblationPhase.MergeTolerance,
            $"merge max |Δ| = {Report.Merge.MergeMaxAbsDifference}");
    }

    [Fact]
    public void Adapter_really_changed_the_model_before_it_is_switched_off()
    {
        // Guards the next test against passing vacuously (an adapter that learned nothing is trivially "off").
        Assert.True(Report.Merge.TunedVersusBaseMaxAbsDifference > 1e-3f, $"tuned vs base max |Δ| = {Report.Merge.TunedVersusBaseMaxAbsDifference}");
    }

    [Fact]
    public void Adapter_off_gives_the_base_model_bit_for_bit()
    {
        Assert.True(Report.Merge.AdapterOffBitIdentical);
    }

    [Fact]
    public void Runtime_trainable_count_equals_the_compile_time_constant()
    {
        Assert.True(Report.Audit.CountsMatch);
        Assert.Equal(4, Report.Audit.TrainableTensors);
        Assert.Equal(["HiddenLoraR16.lora_A.weight", "HiddenLoraR16.lora_B.weight", "OutputLoraR16.lora_A.weight", "OutputLoraR16.lora_B.weight"], Report.Audit.TrainableTensorNames);
    }

    [Fact]
    public void Dpo_starts_at_ln_2_and_falls()
    {
        Assert.True(Math.Abs(Report.Dpo.InitialLoss - Math.Log(2)) < 1e-6, $"DPO step 0 loss = {Report.Dpo.InitialLoss:R}");
        Assert.True(Report.Dpo.Losses[^1] < Report.Dpo.Losses[0], $"DPO loss {Report.Dpo.Losses[0]} → {Report.Dpo.Losses[^1]}");
        Assert.True(Report.Dpo.ReferenceUnchanged);
    }

    [Fact]
    public void Answer_only_loss_counts_exactly_the_answer_tokens_and_differs_from_the_unmasked_mean()
    {
        Assert.Equal(Report.Sft.AnswerTokens, Report.Sft.CountedTokens);
        Assert.NotEqual(Report.Sft.MaskedLoss, Report.Sft.UnmaskedLoss);
    }

    [Fact]
    public void Lora_training_leaves_the_frozen_base_untouched_and_lowers_the_loss()
    {
        Assert.True(Report.Sft.BaseWeightsUntouched);
        foreach (var curve in Report.Sft.Curves)
        {
            Assert.True(curve.Final < curve.First, $"{curve.Name}: {curve.First} → {curve.Final}");
        }
    }

    [Fact]
    public void Every_checklist_item_passes_and_the_report_says_so()
    {
        Assert.All(Report.Checklist, item => Assert.True(item.Passed, $"{item.Check}: {item.Evidence}"));
        Assert.Contains($"checklist {Report.Checklist.Count}/{Report.Checklist.Count} ✓", fixture.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scorecard_combines_task_and_retention_with_the_seeds_weights()
    {
        Assert.Equal(4, Report.Evaluation.Scorecard.Count);
        foreach (var row in Report.Evaluation.Scorecard)
        {
            Assert.Equal((0.7 * row.Task) + (0.3 * row.Retention), row.Combined, 12); // the seeds' weights
        }

        Assert.Equal(0.0, Report.Evaluation.Scorecard[0].KlToBase);
    }
}
