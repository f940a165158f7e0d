using FineTuneGuard.Internal;

namespace FineTuneGuard.Tests;

/// <summary>The seeds' parameter counts (theory and exercise notebooks) and published model sizes, exactly.</summary>
public class ParameterArithmeticTests
{
    [Theory]
    [InlineData(4, 32_768)]
    [InlineData(8, 65_536)]
    [InlineData(16, 131_072)]
    [InlineData(32, 262_144)]
    [InlineData(64, 524_288)]
    public void LoraCountsOfTheTheoryNotebook(int rank, long expected)
        => Assert.Equal(expected, ParameterArithmetic.Lora(4096, 4096, rank));

    [Fact]
    public void AdapterCountsOfTheSeeds()
    {
        Assert.Equal(524_288, ParameterArithmetic.BottleneckAdapter(4096, 64, bias: false));
        Assert.Equal(16_777_216, 32 * ParameterArithmetic.BottleneckAdapter(4096, 64, bias: false));
        Assert.Equal(65_536, ParameterArithmetic.BottleneckAdapter(1024, 32, bias: false));
        Assert.Equal(65_536 + 32 + 1024, ParameterArithmetic.BottleneckAdapter(1024, 32, bias: true));
    }

    [Fact]
    public void PrefixCountsOfTheSeeds()
    {
        Assert.Equal(4_194_304, ParameterArithmetic.Prefix(32, 16, 32, 128, 0));
        Assert.Equal(786_432, ParameterArithmetic.Prefix(24, 16, 16, 64, 0));
    }

    [Fact]
    public void Llama2SevenBMatchesThePublishedCountAndPeftsLine()
    {
        long total = ParameterArithmetic.TransformerTotal(32, 4096, 32, 32, 128, 11008, 32000, tiedEmbeddings: false, attentionBias: false);
        Assert.Equal(6_738_415_616, total);
        long lora = ParameterArithmetic.TransformerLora(32, 4096, 32, 32, 128, 11008, new[] { "q_proj", "v_proj" }, 8);
        Assert.Equal(4_194_304, lora);
        Assert.Equal(0.0622059, ParameterArithmetic.TrainablePercent(lora, total + lora), 6);
    }

    [Fact]
    public void OverflowIsReportedNotWrapped()
        => Assert.Throws<OverflowException>(() => ParameterArithmetic.Prefix(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, 0));
}
