using System.Threading.Tasks;
using FineTuneGuard.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verifier = FineTuneGuard.SourceGenerators.Tests.Analyzers.AnalyzerVerifier<FineTuneGuard.SourceGenerators.Analyzers.LayerShapeAnalyzer>;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>FTG0103: shape mismatches known at compile time (declaration link, model link, call link).</summary>
public class LayerShapeAnalyzerTests
{
    private static DiagnosticResult FTG0103(string message, int location = 0)
        => Verifier.Diagnostic("FTG0103", DiagnosticSeverity.Error).WithLocation(location).WithArguments(message);

    [Fact]
    public Task LoraMemberNamedAfterAWeightOfAnotherShapeFires()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(4096, 1024)] public partial class QProjAdapter { }
            public class Attention
            {
                [Frozen, Shape(4096, 4096)] public float[] QProj = new float[4096 * 4096];
                public QProjAdapter {|#0:QProjLora|} = new QProjAdapter();
            }
            """,
            FTG0103("'QProjLora' ([LoraLayer] QProjAdapter) adapts an OutFeatures x InFeatures = 1024 x 4096 weight, but the weight 'QProj' it is named after is [Shape(4096, 4096)]"));

    [Fact]
    public Task TransposedLoraDeclarationFiresWithAHint()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(12, 10)] public partial class Proj { }
            public class Block
            {
                [Frozen, Shape(12, 10)] public float[] Down { get; } = new float[120];
                public Proj {|#0:DownLora|} { get; } = new Proj();
            }
            """,
            FTG0103("'DownLora' ([LoraLayer] Proj) adapts an OutFeatures x InFeatures = 10 x 12 weight, but the weight 'Down' it is named after is [Shape(12, 10)] (transposed: [LoraLayer] takes (inFeatures, outFeatures), [Shape] is (rows = out, cols = in))"));

    [Fact]
    public Task MergingIntoAShapedWeightOfTheWrongShapeFires()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(10, 12, Rank = 3)] public partial class Proj { }
            public class Model
            {
                [Frozen, Shape(10, 12)] public float[] W = new float[120];
                public void Merge(Proj lora) => lora.MergeInto({|#0:W|});
            }
            """,
            FTG0103("'Proj.MergeInto' expects 'weight' of OutFeatures x InFeatures = 12 x 10; the [Shape(10, 12)] member 'W' is 10 x 12 (transposed: a linear weight is rows = out, cols = in)"));

    [Fact]
    public Task ConstantLengthBuffersOfTheWrongSizeFire()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(10, 12, Rank = 3)] public partial class Proj { }
            public static class Use
            {
                public static void Run(Proj lora, float[] w)
                {
                    float[] y = new float[24];
                    lora.Forward(2, {|#0:new float[15]|}, w, y);
                    System.Span<float> dx = stackalloc float[21];
                    lora.Backward(2, new float[20], w, new float[24], {|#1:dx|});
                    lora.UnmergeFrom({|#2:new float[100]|});
                }
            }
            """,
            FTG0103("'Proj.Forward' expects 'x' of rows x InFeatures = 2 x 10 = 20 elements; new float[15] has 15"),
            FTG0103("'Proj.Backward' expects 'dx' of rows x InFeatures = 2 x 10 = 20 elements; 'dx' (stackalloc float[21]) has 21", 1),
            FTG0103("'Proj.UnmergeFrom' expects 'weight' of OutFeatures x InFeatures = 12 x 10 = 120 elements; new float[100] has 100", 2));

    [Fact]
    public Task AdapterBufferThatNoRowCountFitsFires()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [BottleneckAdapter(64, 8)] public partial class Adapter { }
            public static class Use
            {
                public static void Run(Adapter adapter, int rows, float[] x, float[] y)
                    => adapter.Forward(rows, x, {|#0:new float[12]|}, y);
            }
            """,
            FTG0103("'Adapter.Forward' expects 'preActivation' of rows x Bottleneck, a multiple of 8 elements; new float[12] has 12"));

    [Fact]
    public Task AdapterPromptAndPrefixThatDoNotFitTheModelFire()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [BottleneckAdapter(768, 64)] public partial class Adapter { }
            [PromptTuning(20, 1024)] public partial class Soft { }
            [PrefixTuning(32, 16, 32, 96)] public partial class Prefix96 { }
            [TransformerModel(32, 4096, 32, 11008, 32000)]
            public partial class Llama
            {
                public Adapter[] {|#0:Adapters|} = new Adapter[32];
                public Soft {|#1:Prompt|} = new Soft();
                public Prefix96 {|#2:Prefixes|} = new Prefix96();
            }
            """,
            FTG0103("'Adapters' ([BottleneckAdapter] Adapter) has modelDim 768, but the [TransformerModel] 'Llama' has hidden 4096"),
            FTG0103("'Prompt' ([PromptTuning] Soft) has embeddingDim 1024, but the [TransformerModel] 'Llama' has hidden 4096", 1),
            FTG0103("'Prefixes' ([PrefixTuning] Prefix96) has heads·headDim = 32·96 = 3072, but the [TransformerModel] 'Llama' has hidden 4096 (attention heads·headDim = 4096, key/value kvHeads·headDim = 4096)", 2));

    [Fact]
    public Task PrefixForMoreLayersThanTheModelHasFires()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [PrefixTuning(40, 16, 32, 128)] public partial class Prefix { }
            [TransformerModel(32, 4096, 32, 11008, 32000)]
            public partial class Llama { public Prefix {|#0:Prefix|} = new Prefix(); }
            """,
            FTG0103("'Prefix' ([PrefixTuning] Prefix) has a prefix for 40 layers, but the [TransformerModel] 'Llama' has 32"));

    [Fact]
    public Task MatchingShapesEverywhereAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(10, 12, Rank = 3, Alpha = 6)] public partial class Proj { }
            [BottleneckAdapter(4096, 64)] public partial class Adapter { }
            [PrefixTuning(32, 16, 32, 128)] public partial class Prefix { }
            [TransformerModel(32, 4096, 32, 11008, 32000)]
            public partial class Llama
            {
                [Frozen, Shape(12, 10)] public float[] Proj = new float[120];
                public Proj ProjLora = new Proj();
                public Adapter[] Adapters = new Adapter[32];
                public Prefix Prefixes = new Prefix();

                public void Run()
                {
                    ProjLora.MergeInto(Proj);
                    ProjLora.Forward(2, new float[20], Proj, new float[24]);
                    ProjLora.Backward(2, new float[20], Proj, new float[24], default);
                }
            }
            """);

    [Fact]
    public Task BuffersWhoseLengthIsNotKnownAtCompileTimeAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(10, 12, Rank = 3)] public partial class Proj { }
            public static class Use
            {
                public static void Run(Proj lora, int n, float[] w)
                {
                    float[] x = new float[15];
                    x = new float[n * 10];
                    lora.Forward(n, x, w, new float[n * 12]);
                    lora.MergeInto(w);
                    lora.Forward(n, new float[30], w, new float[36]);
                }
            }
            """);

    [Fact]
    public Task LoraMemberNotNamedAfterTheWeightIsNotLinked()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(4096, 1024)] public partial class KProjAdapter { }
            public class Attention
            {
                [Frozen, Shape(4096, 4096)] public float[] QProj = new float[4096 * 4096];
                [Frozen, Shape(1024, 4096)] public float[] KProj = new float[1024 * 4096];
                public KProjAdapter QProjAdapter = new KProjAdapter();
                public KProjAdapter KProjLora = new KProjAdapter();
            }
            """);

    [Fact]
    public Task LayersOutsideAModelAndGqaPrefixesAreClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [BottleneckAdapter(768, 64)] public partial class Adapter { }
            [PrefixTuning(32, 16, 8, 128)] public partial class KvPrefix { }
            public class NotAModel { public Adapter Adapter = new Adapter(); }
            [TransformerModel(32, 4096, 32, 14336, 128256, KvHeads = 8)]
            public partial class Llama3 { public KvPrefix Prefix = new KvPrefix(); }
            """);
}
