namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>Prefix- and prompt-tuning constants and storage against the seeds' counts.</summary>
public class PrefixPromptGeneratorTests
{
    [Theory]
    [InlineData(32, 16, 32, 128, 4_194_304L)]
    [InlineData(24, 16, 16, 64, 786_432L)]
    public void PrefixCountIsLayersTimesLengthTimesHeadsTimesHeadDimTimesTwo(int layers, int length, int heads, int headDim, long expected)
    {
        var h = GeneratorHarness.Run($$"""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [PrefixTuning({{layers}}, {{length}}, {{heads}}, {{headDim}})]
            public partial class Prefix { }
            public static class Use { public static int Length() => new Prefix(seed: 3).KeyValues.Length; }
            """).AssertClean();
        Assert.Equal(expected, h.Constant("Prefix", "TrainableParameterCount"));
        Assert.Equal((int)expected, h.Constant("Prefix", "KeyValueStorageLength"));
        Assert.Equal(heads * headDim, h.Constant("Prefix", "KeyValueWidth"));
    }

    [Fact]
    public void PrefixWithProjectionCountsTheMlpAsPeftsPrefixEncoder()
    {
        // embedding 10·(4·8) + first (32·64 + 64) + second (64·(2·2·32) + 2·2·32)
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [PrefixTuning(2, 10, 4, 8, ProjectionHidden = 64)]
            public partial class Prefix { }
            """).AssertClean();
        Assert.Equal((10L * 32) + ((32L * 64) + 64) + ((64L * 128) + 128), h.Constant("Prefix", "TrainableParameterCount"));
        Assert.Contains("ProjectionUp", h.PublicMembers("Prefix"));
        Assert.Contains("GradProjectionUp", h.PublicMembers("Prefix"));
    }

    [Fact]
    public void PromptCountIsTokensTimesDim()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace A.B;
            [PromptTuning(20, 768)]
            internal partial class Soft { }
            """).AssertClean();
        Assert.Equal(15_360L, h.Constant("A.B.Soft", "TrainableParameterCount"));
        Assert.Equal(20, h.Constant("A.B.Soft", "VirtualTokens"));
        Assert.Contains("Embeddings", h.PublicMembers("A.B.Soft"));
        Assert.Contains("Token", h.PublicMembers("A.B.Soft"));
    }
}
