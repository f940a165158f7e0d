using FineTuneGuard.Numerics;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Phases;

namespace FineTuneGuard.Samples.Tests;

/// <summary>The startup assertion of the trainable-parameter audit, and the frozen copies the DPO phase relies on.</summary>
public sealed class AuditTests
{
    private static readonly CharMlp Pretrained = CharMlp.Initialize(new SeededRandom(3));

    [Fact]
    public void Audit_passes_when_runtime_and_compile_time_counts_agree()
    {
        LoraVariant[] variants = [LoraVariant.RankTwo(Pretrained, 1), LoraVariant.RankSixteen(Pretrained, 2)];
        var output = new StringWriter();
        AuditPhase.Result result = AuditPhase.Run(variants, output);
        Assert.True(result.CountsMatch);
        Assert.Contains("trainable params: 1,088 || all params: 38,624 || trainable%: 2.8169", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_stops_the_run_when_the_counts_disagree()
    {
        // As if a tensor had been left trainable or an adapter forgotten: the constant no longer describes the model.
        LoraVariant wrong = LoraVariant.RankTwo(Pretrained, 1) with { CompileTimeTrainableParameters = LoraVariant.RankTwoTrainable + 1 };
        Assert.Throws<InvalidOperationException>(() => AuditPhase.Run([wrong], TextWriter.Null));
    }

    [Fact]
    public void Frozen_copy_has_nothing_trainable_and_shares_no_adapter_storage()
    {
        LoraVariant variant = LoraVariant.RankSixteen(Pretrained, 4);
        LoraCharMlp copy = variant.FrozenCopy();
        Assert.Empty(copy.TrainableParameters);
        Assert.NotSame(variant.Model.Hidden.A, copy.Hidden.A);
        Assert.Equal(variant.Model.Hidden.A, copy.Hidden.A);
    }
}
