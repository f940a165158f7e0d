using FineTuneGuard.Accounting;

namespace FineTuneGuard.Tests.Training;

/// <summary>The freeze audit of the seeds over the model contract, with PEFT's summary line.</summary>
public class TrainableParameterAuditTests
{
    [Fact]
    public void ListsTrainableAndFrozenTensorsAndCountsLikePeft()
    {
        var model = new TinyLoraBigramModel(vocab: 16, rank: 8, alpha: 16, seed: 1, withBias: true);

        TrainableParameterAudit audit = TrainableParameterAudit.Of(model);

        Assert.Equal(new[] { "bigram.lora_A", "bigram.lora_B", "bigram.bias" }, audit.TrainableTensors);
        Assert.Equal(new[] { "bigram.weight" }, audit.FrozenTensors);
        Assert.Equal((8 * 16) + (16 * 8) + 16, audit.TrainableParameters);
        Assert.Equal((16 * 16) + (8 * 16) + (16 * 8) + 16, audit.AllParameters);
        Assert.Equal(ParameterCount.PeftSummary(272, 528), audit.Summary);

        TrainableParameterAudit frozen = TrainableParameterAudit.Of(model.FrozenCopy());
        Assert.Empty(frozen.TrainableTensors);
        Assert.Equal(0, frozen.TrainableParameters);
    }
}
