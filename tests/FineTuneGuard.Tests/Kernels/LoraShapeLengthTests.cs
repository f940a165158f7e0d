using System;
using FineTuneGuard.Kernels;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>Sizes past the largest array are typed refusals naming the tensor, in long arithmetic.</summary>
public class LoraShapeLengthTests
{
    [Theory]
    [InlineData(70_000, 70_000, 8, "W")]
    [InlineData(1 << 28, 16, 9, "A")]
    [InlineData(16, 1 << 28, 9, "B")]
    [InlineData(65_536, 16, 32_768, "A")]
    public void OversizedTensorIsNamed(int input, int output, int rank, string tensor)
    {
        var shape = new LoraShape(input, output, rank);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => tensor switch
        {
            "W" => shape.WeightLength,
            "A" => shape.ALength,
            _ => shape.BLength,
        });
        Assert.Equal(tensor, e.ParamName);
        Assert.Contains($"tensor {tensor} [", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthsBelowTheLimitAreExact()
    {
        var shape = new LoraShape(4096, 11008, 16);
        Assert.Equal(11008 * 4096, shape.WeightLength);
        Assert.Equal(16 * 4096, shape.ALength);
        Assert.Equal(11008 * 16, shape.BLength);
    }
}
