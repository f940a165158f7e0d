using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>The generator never throws and emits nothing for a declaration it cannot complete (the analyzer reports FTG0101).</summary>
public class MalformedInputTests
{
    public static TheoryData<string> Malformed => new()
    {
        "[LoraLayer] public partial class C { }",
        "[LoraLayer(16)] public partial class C { }",
        "[LoraLayer(\"16\", 16)] public partial class C { }",
        "[LoraLayer(16, 16, Rank = )] public partial class C { }",
        "[LoraLayer(16, 16, Rank = 0)] public partial class C { }",
        "[LoraLayer(int.MaxValue, int.MaxValue, Rank = int.MaxValue)] public partial class C { }",
        "[LoraLayer(16, 16, Alpha = float.NaN)] public partial class C { }",
        "[LoraLayer(16, 16, Alpha = float.PositiveInfinity)] public partial class C { }",
        "[LoraLayer(16, 16, Dropout = -0.1f)] public partial class C { }",
        "[LoraLayer(16, 16)] public class C { }",
        "[LoraLayer(16, 16)] public static partial class C { }",
        "[LoraLayer(16, 16)] public partial class C<T> { }",
        "[LoraLayer(16, 16)] public partial record C;",
        "public class Outer { [LoraLayer(16, 16)] public partial class C { } }",
        "public partial class Outer<T> { [LoraLayer(16, 16)] public partial class C { } }",
        "[LoraLayer(16, 16), BottleneckAdapter(16, 4)] public partial class C { }",
        "[BottleneckAdapter(-1, 4)] public partial class C { }",
        "[BottleneckAdapter(int.MaxValue, int.MaxValue)] public partial class C { }",
        "[BottleneckAdapter(16, 4, Bias = 1)] public partial class C { }",
        "[PrefixTuning(1, 2, 3)] public partial class C { }",
        "[PrefixTuning(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue)] public partial class C { }",
        "[PrefixTuning(2, 2, 2, 2, ProjectionHidden = -5)] public partial class C { }",
        "[PromptTuning(0, 768)] public partial class C { }",
        "[PromptTuning(65536, 65536)] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008)] public partial class C { }",
        "[TransformerModel(32, 4096, 0, 11008, 32000)] public partial class C { }",
        "[TransformerModel(32, 4095, 32, 11008, 32000)] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000, KvHeads = 64)] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets(\"q_proj\", \"q_proj\")] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets()] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets(null)] public partial class C { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets(\"attn\", Rank = -1)] public partial class C { }",
        "[TransformerModel(int.MaxValue, int.MaxValue, 1, int.MaxValue, int.MaxValue)] public partial class C { }",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void EmitsNothingAndNeverThrows(string declaration)
    {
        var h = GeneratorHarness.Run("using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;\n" + declaration);
        Assert.Empty(h.GeneratorDiagnostics);
        Assert.Empty(h.GeneratedTrees);
        var run = h.Driver.GetRunResult();
        Assert.All(run.Results, r => Assert.Null(r.Exception));
    }

    [Fact]
    public void ABrokenDeclarationDoesNotStopTheValidOnes()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(0, 16)] public partial class Bad { }
            [LoraLayer(16, 16, Rank = 2)] public partial class Good { }
            [PromptTuning(4, 8)] public partial class Prompt { }
            """);
        Assert.Equal(2, h.GeneratedTrees.Length);
        Assert.Equal(64L, h.Constant("Good", "TrainableParameterCount"));
    }

    [Fact]
    public void AnUnrelatedAttributeWithTheSameNameIsIgnored()
    {
        var h = GeneratorHarness.Run("""
            namespace Other { public sealed class LoraLayerAttribute : System.Attribute { public LoraLayerAttribute(int a, int b) { } } }
            namespace User { [Other.LoraLayer(16, 16)] public partial class C { } }
            """);
        Assert.Empty(h.GeneratedTrees);
        Assert.Empty(h.Problems.Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
