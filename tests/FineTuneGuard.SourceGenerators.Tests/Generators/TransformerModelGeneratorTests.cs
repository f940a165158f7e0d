namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>
/// Whole-model counts against numbers published by the model authors and by PEFT: the generated constants must be
/// exactly what <c>print_trainable_parameters()</c> prints.
/// </summary>
public class TransformerModelGeneratorTests
{
    private static GeneratorHarness Model(string attributes)
        => GeneratorHarness.Run($$"""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace Models;
            {{attributes}}
            public partial class M { }
            """).AssertClean();

    [Fact]
    public void Llama2_7BWithLoraOnQAndVIsWhatPeftPrints()
    {
        var h = Model("""[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets("q_proj", "v_proj", Rank = 8, Alpha = 16)]""");
        Assert.Equal(6_738_415_616L, h.Constant("Models.M", "BaseParameterCount"));
        Assert.Equal(4_194_304L, h.Constant("Models.M", "TrainableParameterCount"));
        Assert.Equal(6_742_609_920L, h.Constant("Models.M", "TotalParameterCount"));
        Assert.Equal("trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622", h.Constant("Models.M", "Summary"));
        Assert.Equal(100.0 * 4_194_304 / 6_742_609_920, (double)h.Constant("Models.M", "TrainablePercent")!, 12);
        Assert.Equal(4096, h.Constant("Models.M", "QProjInFeatures"));
        Assert.Equal(4096, h.Constant("Models.M", "VProjOutFeatures"));
        Assert.Equal(65_536L, h.Constant("Models.M", "QProjLoraParametersPerLayer"));
        Assert.Equal(2f, h.Constant("Models.M", "LoraScaling"));
        Assert.Equal("q_proj, v_proj", h.Constant("Models.M", "LoraTargetModules"));
    }

    [Fact]
    public void Llama3_8BGroupedQueryAttentionCountsNarrowKAndV()
    {
        // Meta-Llama-3-8B: 8,030,261,248 parameters; k_proj / v_proj are 4096 → 8·128 = 1024.
        var h = Model("""[TransformerModel(32, 4096, 32, 14336, 128256, KvHeads = 8), LoraTargets("q_proj", "k_proj", "v_proj", "o_proj", Rank = 16)]""");
        Assert.Equal(8_030_261_248L, h.Constant("Models.M", "BaseParameterCount"));
        Assert.Equal(1024, h.Constant("Models.M", "KProjOutFeatures"));
        Assert.Equal(128, h.Constant("Models.M", "HeadDim"));
        long perLayer = (16L * (4096 + 4096)) + (2 * 16L * (4096 + 1024)) + (16L * (4096 + 4096));
        Assert.Equal(32 * perLayer, h.Constant("Models.M", "TrainableParameterCount"));
        Assert.Equal(8_030_261_248L + (32 * perLayer), h.Constant("Models.M", "TotalParameterCount"));
    }

    [Fact]
    public void Llama32_1BTiedEmbeddingsAreCountedOnce()
    {
        // Llama-3.2-1B: 1,235,814,400 parameters with lm_head tied to the embeddings.
        var h = Model("[TransformerModel(16, 2048, 32, 8192, 128256, KvHeads = 8, TiedEmbeddings = true)]");
        Assert.Equal(1_235_814_400L, h.Constant("Models.M", "BaseParameterCount"));
        Assert.Equal(1_235_814_400L, h.Constant("Models.M", "TotalParameterCount"));
        Assert.Equal(1_235_814_400L, h.Constant("Models.M", "TrainableParameterCount"));
        Assert.Equal(100.0, h.Constant("Models.M", "TrainablePercent"));
    }

    [Fact]
    public void Qwen2_05BCountsTheQkvBiases()
    {
        // Qwen2-0.5B: 494,032,768 parameters (GQA 14/2 heads, q/k/v bias, tied embeddings).
        var h = Model("[TransformerModel(24, 896, 14, 4864, 151936, KvHeads = 2, TiedEmbeddings = true, AttentionBias = true)]");
        Assert.Equal(494_032_768L, h.Constant("Models.M", "BaseParameterCount"));
    }

    [Fact]
    public void RsLoraScalingUsesTheSquareRootOfTheRank()
    {
        var h = Model("""[TransformerModel(2, 64, 4, 128, 100), LoraTargets("down_proj", Rank = 16, Alpha = 8, UseRsLora = true)]""");
        Assert.Equal(2f, h.Constant("Models.M", "LoraScaling"));
        Assert.Equal(128, h.Constant("Models.M", "DownProjInFeatures"));
        Assert.Equal(2L * 16 * (128 + 64), h.Constant("Models.M", "TrainableParameterCount"));
    }

    [Fact]
    public void WithoutTargetsNoLoraMembersAreGenerated()
    {
        var h = Model("[TransformerModel(2, 64, 4, 128, 100)]");
        Assert.DoesNotContain("LoraRank", h.PublicMembers("Models.M"));
        Assert.Contains("Summary", h.PublicMembers("Models.M"));
    }
}
