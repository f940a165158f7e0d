using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;

namespace FineTuneGuard.Tests.Accounting;

public class MemoryEstimateTests
{
    [Fact]
    public void TwoBillionParametersInFp16AreFourGigabytesOfWeights()
    {
        // Memory slide: "2B (FP16) = 2*16/8 = 4GB".
        MemoryEstimate full = MemoryEstimate.FullFineTuning(2_000_000_000);
        Assert.Equal(4.0, full.WeightGB);
    }

    [Fact]
    public void TheoryCellFullAdamStateIs84GbAndLoraIs048Gb()
    {
        // Theory notebook, section 8: 7e9 x 12 bytes = 84.0 GB; 40e6 x 12 bytes = 0.48 GB; reduction factor 175.0.
        Assert.Equal(12.0, MemoryEstimate.OptimizerBytesPerParameter(OptimizerKind.AdamW));
        MemoryEstimate full = MemoryEstimate.FullFineTuning(7_000_000_000);
        MemoryEstimate lora = MemoryEstimate.Peft(7_000_000_000, 40_000_000);
        Assert.Equal(84.0, full.OptimizerGB);
        Assert.Equal(0.48, lora.OptimizerGB);
        Assert.Equal(175.0, full.OptimizerGB / lora.OptimizerGB);

        // PEFT saves gradients and optimizer states, not the frozen weights or the activations.
        Assert.Equal(14.0, full.WeightGB);
        Assert.Equal(14.08, lora.WeightGB, 12);
        Assert.Equal(1.5 * 14.08, lora.ActivationGB, 12);
        Assert.Equal(0.08, lora.GradientGB, 12);
        Assert.True(lora.TotalBytes < full.TotalBytes);
    }

    [Fact]
    public void TheMemorySlideTwoBillionOnA24GbCard()
    {
        // Slide: weights 4 GB; gradients "same size with the model"; optimizer "two tensors: mean + variance" (each the
        // model's size); activations "~1.5x model size". 4 + 4 + 8 + 6 = 22 GB: it fits the RTX 4090's 24 GB.
        MemoryEstimate slide = MemoryEstimate.FullFineTuning(
            2_000_000_000, weightBytes: MemoryEstimate.Float16, optimizer: OptimizerKind.AdamW, stateBytes: MemoryEstimate.Float16, masterWeightBytes: 0);
        Assert.Equal(4.0, slide.WeightGB);
        Assert.Equal(4.0, slide.GradientGB);
        Assert.Equal(8.0, slide.OptimizerGB);
        Assert.Equal(6.0, slide.ActivationGB);
        Assert.Equal(22.0, slide.TotalGB);
        Assert.True(slide.TotalBytes <= 24e9);
        Assert.Equal(
            "weights 4.00 GB + gradients 4.00 GB + optimizer states 8.00 GB + activations 6.00 GB = 22.00 GB (20.49 GiB)",
            slide.ToString());

        // With fp32 Adam states and master weights (12 bytes per parameter) it does not: 4 + 4 + 24 + 6 = 38 GB.
        MemoryEstimate mixed = MemoryEstimate.FullFineTuning(2_000_000_000);
        Assert.Equal(38.0, mixed.TotalGB);
        Assert.False(mixed.FitsIn(24e9 / MemoryArithmetic.BytesPerGiB));
        Assert.True(slide.FitsIn(24e9 / MemoryArithmetic.BytesPerGiB));
    }

    [Fact]
    public void SharedArithmeticIsWhatTheAnalyzerSees()
    {
        MemoryBreakdown b = MemoryArithmetic.Estimate(1000, 10, 2, 4, MemoryArithmetic.OptimizerStates("AdamW"), 4, 4, 1.5);
        Assert.Equal(2000, b.WeightBytes);
        Assert.Equal(40, b.GradientBytes);
        Assert.Equal(120, b.OptimizerBytes);
        Assert.Equal(3000, b.ActivationBytes);
        Assert.Equal(5160, b.TotalBytes);
        MemoryEstimate e = MemoryEstimate.Compute(1000, 10, 2, 4, OptimizerKind.AdamW, 4, 4, 1.5);
        Assert.Equal(b.TotalBytes, e.TotalBytes);
        Assert.Equal(1, MemoryArithmetic.OptimizerStates("SgdMomentum"));
        Assert.Equal(0, MemoryArithmetic.OptimizerStates("sgd"));
        Assert.Equal(-1, MemoryArithmetic.OptimizerStates("lion"));
        Assert.Equal(0, MemoryEstimate.FullFineTuning(100, optimizer: OptimizerKind.Sgd, masterWeightBytes: 0).OptimizerBytes);
    }

    [Fact]
    public void AnalyzerShortFormReproducesTheSlideAndTheNotebook()
    {
        // The slide (Adam states as wide as the fp16 weights): 22 GB; the notebook's 12-byte Adam: 4 + 4 + 24 + 6 = 38 GB.
        MemoryBreakdown slide = MemoryArithmetic.Estimate(2_000_000_000, 2_000_000_000, 2, MemoryArithmetic.AdamSameWidthBytesPerTrainable(2), 1.5);
        Assert.Equal(22e9, slide.TotalBytes);
        MemoryBreakdown mixed = MemoryArithmetic.Estimate(2_000_000_000, 2_000_000_000, 2, MemoryArithmetic.AdamMixedPrecisionBytesPerTrainable, 1.5);
        Assert.Equal(38e9, mixed.TotalBytes);
        Assert.Equal(MemoryEstimate.FullFineTuning(2_000_000_000).TotalBytes, mixed.TotalBytes);
        Assert.Equal(84e9, MemoryArithmetic.Estimate(7_000_000_000, 7_000_000_000, 2, 12, 1.5).OptimizerBytes);
    }

    [Fact]
    public void QLoraBaseInFourBits()
    {
        // A 7B base in 4-bit is 3.5 GB of weights (40M adapters held at the same width add 0.02 GB); fp16 adapter
        // gradients 0.08 GB; 12-byte Adam state 0.48 GB; activations 1.5x the weights.
        MemoryEstimate q = MemoryEstimate.Peft(7_000_000_000, 40_000_000, weightBytes: MemoryEstimate.Int4);
        Assert.Equal(3.5 + 0.02, q.WeightGB, 12);
        Assert.Equal(0.08, q.GradientGB, 12);
        Assert.Equal(0.48, q.OptimizerGB, 12);
        Assert.Equal(1.5 * 3.52, q.ActivationGB, 12);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryArithmetic.Estimate(10, 11, 2, 2, 2, 4, 0, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryArithmetic.Estimate(10, 5, -2, 2, 2, 4, 0, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimate.Peft(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimate.FullFineTuning(10, optimizer: (OptimizerKind)9));
    }
}
