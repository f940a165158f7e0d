using System.Threading.Tasks;
using FineTuneGuard.Kernels;
using FineTuneGuard.SourceGenerators.Analyzers;
using Microsoft.CodeAnalysis;
using Verifier = FineTuneGuard.SourceGenerators.Tests.Analyzers.AnalyzerVerifier<FineTuneGuard.SourceGenerators.Analyzers.LayerDeclarationAnalyzer>;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>FTG0101 (invalid declarations, for every attribute, naming the wrong argument) and FTG0102 (rank above min(in, out)).</summary>
public class LayerDeclarationAnalyzerTests
{
    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult FTG0101(string message)
        => Verifier.Diagnostic("FTG0101", DiagnosticSeverity.Error).WithLocation(0).WithArguments(message);

    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult FTG0102(string message)
        => Verifier.Diagnostic("FTG0102", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(message);

    [Fact]
    public Task NonPartialClassIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16)|}]
            public class NotPartial { }
            """,
            FTG0101("[LoraLayer] requires class 'NotPartial' to be declared partial so that its members can be generated"));

    [Fact]
    public Task ZeroDimensionIsFTG0101NamingTheArgument()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(0, 16)|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] argument 'inFeatures' must be > 0; got 0"));

    [Fact]
    public Task DropoutOutsideUnitIntervalIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Dropout = 1f)|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] Dropout must be in [0, 1); got 1"));

    [Fact]
    public Task NonPositiveAlphaIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Alpha = 0)|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] Alpha must be a finite float > 0; got 0"));

    [Fact]
    public Task AlphaOfTheWrongTypeQuotesWhatWasWritten()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Alpha = {|CS0029:"x"|})|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] Alpha must be a finite float > 0; got \"x\""));

    [Fact]
    public Task FractionalRankIsFTG0101EvenThoughItBindsAsAnInt()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Rank = {|CS0266:1.5|})|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] Rank must be an int constant; got 1.5"));

    [Fact]
    public Task DropoutOfTheWrongTypeQuotesWhatWasWritten()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Dropout = {|CS0029:"half"|})|}]
            public partial class Bad { }
            """,
            FTG0101("[LoraLayer] Dropout must be a float constant in [0, 1); got \"half\""));

    [Fact]
    public Task AdapterBottleneckZeroIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:BottleneckAdapter(768, 0)|}]
            public partial class Bad { }
            """,
            FTG0101("[BottleneckAdapter] argument 'bottleneck' must be > 0; got 0"));

    [Fact]
    public Task PrefixHeadDimNegativeIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace N { [{|#0:PrefixTuning(24, 16, 16, -64)|}] public partial class Bad { } }
            """,
            FTG0101("[PrefixTuning] argument 'headDim' must be > 0; got -64"));

    [Fact]
    public Task PromptOnARecordIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:PromptTuning(20, 768)|}]
            public partial record Bad;
            """,
            FTG0101("[PromptTuning] must be placed on a partial class; 'Bad' is a record"));

    [Fact]
    public Task CountOverflowingLongIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:TransformerModel(2147483647, 2147483647, 1, 2147483647, 2147483647)|}]
            public partial class Huge { }
            """,
            FTG0101("[TransformerModel] the parameter count of the base model overflows long"));

    [Fact]
    public Task StorageBeyondTheLargestArrayIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(1000000, 1000000, Rank = 8)|}]
            public partial class Huge { }
            """,
            FTG0101("[LoraLayer] the adapted weight storage outFeatures·inFeatures = 1000000000000 elements exceeds the largest .NET array (2147483591)"));

    [Fact]
    public Task UnknownLoraTargetIsFTG0101OnTheTargetsAttribute()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(2, 64, 4, 128, 100), {|#0:LoraTargets("q_proj", "query")|}]
            public partial class M { }
            """,
            FTG0101("[LoraTargets] argument 'modules' has the unknown module 'query'; known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"));

    [Fact]
    public Task KvHeadsNotDividingHeadsIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:TransformerModel(2, 64, 4, 128, 100, KvHeads = 3)|}]
            public partial class M { }
            """,
            FTG0101("[TransformerModel] KvHeads must divide heads (grouped-query attention shares each key/value head among heads / KvHeads query heads); got heads 4, KvHeads 3"));

    [Fact]
    public Task LoraTargetsWithoutAModelIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraTargets("q_proj")|}]
            public partial class M { }
            """,
            FTG0101("[LoraTargets] on 'M' needs [TransformerModel] on the same class: the targeted modules are those of its layers"));

    [Fact]
    public Task TwoLayerAttributesOnOneClassAreFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16)|}, {|#1:PromptTuning(4, 16)|}]
            public partial class Both { }
            """,
            FTG0101("[LoraLayer] and [PromptTuning] cannot both complete 'Both': one class is one layer (both would generate TrainableParameterCount)"),
            Verifier.Diagnostic("FTG0101", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("[PromptTuning] and [LoraLayer] cannot both complete 'Both': one class is one layer (both would generate TrainableParameterCount)"));

    [Fact]
    public Task ClassNamedLikeAGeneratedMemberIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:PrefixTuning(2, 4, 4, 16)|}]
            public partial class Heads { }
            """,
            FTG0101("[PrefixTuning] cannot complete a class named 'Heads': it generates a member 'Heads' and a member cannot be named like its class; rename the class (e.g. 'HeadsLayer')"));

    [Fact]
    public Task ClassNamedLikeAnInheritedMemberIsClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [PrefixTuning(2, 4, 4, 16)]
            public partial class Keys { }
            """);

    [Fact]
    public Task MemberTheGeneratorAlsoDeclaresIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(16, 16, Rank = 4)|}]
            public partial class Proj { public const int Rank = 4; }
            """,
            FTG0101("[LoraLayer] generates the member 'Rank' of 'Proj', which the class already declares; rename or remove the class's 'Rank'"));

    [Fact]
    public Task MemberTheGeneratorAlsoDeclaresForALoraTargetIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(2, 64, 4, 128, 100), {|#0:LoraTargets("q_proj", Rank = 4)|}]
            public partial class Model { public const int QProjInFeatures = 64; }
            """,
            FTG0101("[LoraTargets] generates the member 'QProjInFeatures' of 'Model' for q_proj, which the class already declares; rename or remove the class's 'QProjInFeatures'"));

    [Fact]
    public Task UserBaseClassIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            public class Module { }
            [{|#0:BottleneckAdapter(64, 8)|}]
            public partial class Adapter : Module { }
            """,
            FTG0101("[BottleneckAdapter] makes 'Adapter' derive from FineTuneGuard.BottleneckAdapterBase, so it cannot also derive from 'Module'; remove the base class (hold that object in a field instead)"));

    [Fact]
    public Task ExplicitRuntimeBaseClassAndInterfacesAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            public interface IProjection { }
            [LoraLayer(16, 16, Rank = 4)]
            public partial class Proj : LoraLayerBase, IProjection { public Proj(int seed) : base((ulong)seed) { } }
            """);

    [Fact]
    public Task ContainingTypeNotPartialIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            public class Outer
            {
                [{|#0:BottleneckAdapter(64, 8)|}]
                public partial class Inner { }
            }
            """,
            FTG0101("[BottleneckAdapter] on 'Inner' requires its containing type 'Outer' to be declared partial"));

    [Fact]
    public Task ValidDeclarationsOfEveryKindAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(16, 32, Rank = 4, Alpha = 8, Dropout = 0.05f)] public partial class L { }
            [BottleneckAdapter(64, 8, Bias = false)] public partial class A { }
            [PrefixTuning(2, 4, 4, 16)] public partial class P { }
            [PromptTuning(4, 64)] public partial class T { }
            [TransformerModel(2, 64, 4, 128, 100, KvHeads = 2), LoraTargets("q_proj", "v_proj", Rank = 4)] public partial class M { }
            public partial class Outer { [LoraLayer(8, 8, Rank = 2)] internal partial class Nested { } }
            """);

    [Fact]
    public Task DropoutJustBelowOneAndRankEqualToMinAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(8, 4096, Rank = 8, Dropout = 0.99f)] public partial class L { }
            """);

    [Fact]
    public Task AClassWithoutFineTuneGuardAttributesIsClean()
        => Verifier.Verify("""
            [System.Obsolete] public class LoraLayer { public LoraLayer(int a, int b) { } }
            public class Plain { }
            """);

    [Fact]
    public Task RankAboveMinDimensionIsFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(4, 4096, Rank = 16)|}]
            public partial class Narrow { }
            """,
            FTG0102("[LoraLayer] on 'Narrow': Rank 16 exceeds min(inFeatures, outFeatures) = min(4, 4096) = 4; rank(B·A) <= 4, so 49,200 of the 65,600 trainable parameters add nothing. Use Rank = 4 or less."));

    [Fact]
    public Task DefaultRankAboveATinyLayerIsFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace N;
            [{|#0:LoraLayer(10, 3)|}]
            public partial class Tiny { }
            """,
            FTG0102("[LoraLayer] on 'Tiny': Rank 8 exceeds min(inFeatures, outFeatures) = min(10, 3) = 3; rank(B·A) <= 3, so 65 of the 104 trainable parameters add nothing. Use Rank = 3 or less."));

    [Fact]
    public Task TargetRankAboveANarrowModuleIsFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(2, 64, 4, 128, 100, KvHeads = 1), {|#0:LoraTargets("q_proj", "k_proj", Rank = 32)|}]
            public partial class M { }
            """,
            FTG0102("[LoraTargets] on 'M': Rank 32 exceeds the full rank of k_proj (min(64, 16) = 16); rank(B·A) <= min(in, out), the extra parameters add nothing"));

    [Fact]
    public Task RankEqualToMinIsNotFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(4, 4096, Rank = 4)] public partial class Narrow { }
            """);

    [Fact]
    public Task RankAboveTheSmallerDimOfAnotherLayerIsNotFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(4096, 64, Rank = 64)] public partial class Wide { }
            [LoraLayer(32, 32, Rank = 16)] public partial class Small { }
            """);

    [Fact]
    public Task InvalidDeclarationIsFTG0101OnlyNotAlsoFTG0102()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [{|#0:LoraLayer(4, 4096, Rank = 16, Alpha = -1)|}] public partial class Narrow { }
            """,
            FTG0101("[LoraLayer] Alpha must be a finite float > 0; got -1"));
}
