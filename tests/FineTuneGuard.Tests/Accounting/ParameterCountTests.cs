using FineTuneGuard.Accounting;

namespace FineTuneGuard.Tests.Accounting;

public class ParameterCountTests
{
    [Theory]
    [InlineData(4, 32_768)]
    [InlineData(8, 65_536)]
    [InlineData(16, 131_072)]
    [InlineData(32, 262_144)]
    [InlineData(64, 524_288)]
    public void TheoryCellLoraCounts(int rank, long expected)
    {
        // Theory notebook, section 3, and exercise 3 (rank 8 → 65,536); "% of full matrix" printed with 3 decimals.
        Assert.Equal(expected, ParameterCount.Lora(4096, 4096, rank));
    }

    [Fact]
    public void TheoryCellPercentagesOfTheFullMatrix()
    {
        string[] printed = { "0.195", "0.391", "0.781", "1.562", "3.125" };
        int[] ranks = { 4, 8, 16, 32, 64 };
        for (int i = 0; i < ranks.Length; i++)
        {
            Assert.Equal(printed[i], (100.0 * ParameterCount.Lora(4096, 4096, ranks[i]) / (4096L * 4096)).ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void AdapterPrefixAndPromptCountsOfTheSeeds()
    {
        Assert.Equal(524_288, ParameterCount.BottleneckAdapter(4096, 64, bias: false));     // theory: per layer
        Assert.Equal(16_777_216, 32 * ParameterCount.BottleneckAdapter(4096, 64, bias: false)); // theory: 32 layers
        Assert.Equal(65_536, ParameterCount.BottleneckAdapter(1024, 32, bias: false));       // exercise 6
        Assert.Equal(4_194_304, ParameterCount.Prefix(32, 16, 32, 128));                    // theory: 4.194304 million
        Assert.Equal(4.194304, ParameterCount.Prefix(32, 16, 32, 128) / 1e6);
        Assert.Equal(786_432, ParameterCount.Prefix(24, 16, 16, 64));                       // exercise 7
        Assert.Equal(20 * 4096, ParameterCount.Prompt(20, 4096));
    }

    [Fact]
    public void Llama2SevenBAndPeftsLine()
    {
        TransformerConfig llama = TransformerConfig.Llama2_7B;
        long total = ParameterCount.Transformer(llama);
        long lora = ParameterCount.TransformerLora(llama, new[] { "q_proj", "v_proj" }, 8);
        Assert.Equal(6_738_415_616, total);
        Assert.Equal(4_194_304, lora);
        Assert.Equal(
            "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622",
            ParameterCount.PeftSummary(lora, total + lora));
        Assert.Equal(0.0622059, ParameterCount.TrainablePercent(lora, total + lora), 6);
    }

    [Fact]
    public void GroupedQueryAttentionAndTiedEmbeddings()
    {
        // A small GQA model: per layer q 64·64, k and v 64·16 each, o 64·64, MLP 3·64·128, norms 2·64; final norm,
        // embeddings 100·64, tied head.
        var config = new TransformerConfig(2, 64, 8, 128, 100) { KvHeads = 2, TiedEmbeddings = true };
        long perLayer = (64 * 64) + (2 * 64 * 16) + (64 * 64) + (3 * 64 * 128) + (2 * 64);
        Assert.Equal((2 * perLayer) + 64 + (100 * 64), ParameterCount.Transformer(config));
        Assert.Equal(2 * ((4 * (64 + 64)) + (4 * (64 + 16))), ParameterCount.TransformerLora(config, new[] { "q_proj", "k_proj" }, 4));
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCount.Lora(0, 10, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCount.Transformer(new TransformerConfig(0, 64, 8, 128, 100)));
        Assert.Throws<ArgumentException>(() => ParameterCount.TransformerLora(TransformerConfig.Llama2_7B, new[] { "qkv" }, 8));
        Assert.Throws<OverflowException>(() => ParameterCount.Transformer(new TransformerConfig(int.MaxValue, int.MaxValue, 1, int.MaxValue, int.MaxValue)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCount.PeftSummary(10, 5));
    }
}
