using System.Threading.Tasks;
using FineTuneGuard.Attention;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Kernels;
using FineTuneGuard.Optimization;
using FineTuneGuard.SourceGenerators.Analyzers;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>FTG0002 (no freeze decision) and FTG0003 (frozen weight trained), attribute and TorchSharp styles.</summary>
public class FreezeDecisionTests
{
    private static Task Verify(string source) => Verify<FreezeDecisionAnalyzer>.AnalyzerAsync(source);

    private const string Layers = """

        [FineTuneGuard.LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
        public partial class QProjLora { }

        [FineTuneGuard.BottleneckAdapter(4096, 64)]
        public partial class BlockAdapter { }
        """;

    // ---- FTG0002, attributes: true positives ----

    [Fact]
    public Task BaseWeightNextToLoraWithoutDecisionIsFTG0002()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class AttentionBlock
            {
                public float[] {|FTG0002:QProj|} = new float[4096 * 4096];
                public float[] {|FTG0002:OutputProjection|} = new float[4096 * 4096];
                [Frozen] public float[] KProj = new float[4096 * 4096];
                public QProjLora QLora = new();
            }
            """ + Layers);

    [Fact]
    public Task PropertyWeightInModelWithAdapterListIsFTG0002()
        => Verify("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Decoder
            {
                public float[] {|FTG0002:Embeddings|} { get; } = new float[32000 * 4096];
                [Trainable] public float[] LmHead { get; } = new float[32000 * 4096];
                public List<BlockAdapter> Adapters { get; } = new();
            }
            """ + Layers);

    [Fact]
    public Task TorchSharpTensorMemberOfAdapterModelIsFTG0002()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            using Parameter = TorchSharp.Modules.Parameter;

            public sealed class Block
            {
                public Parameter {|FTG0002:OutProj|};
                public QProjLora[] Loras = new QProjLora[4];
            }
            """ + Layers);

    // ---- FTG0002, attributes: must not fire ----

    [Fact]
    public Task FullFineTuningWithoutAdaptersIsClean()
        => Verify("""
            public sealed class FullModel
            {
                public float[] QProj = new float[4096 * 4096];
                public float[] LmHead = new float[32000 * 4096];
            }
            """ + Layers);

    [Fact]
    public Task DecidedWeightsAndBuffersAreClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class AttentionBlock
            {
                [Frozen] public float[] QProj = new float[16];
                [Trainable] public float[] Norm = new float[4];
                public float[] GradScratch = new float[16];
                public float[] AttentionMask = new float[16];
                public float[] Output = new float[16];
                public static float[] SharedTable = new float[4];
                public const int Hidden = 4096;
                public int Layers = 32;
                public QProjLora QLora = new();
            }
            """ + Layers);

    [Fact]
    public Task AdapterMemberItselfIsClean()
        => Verify("""
            public sealed class Block
            {
                public QProjLora Lora = new();
                public BlockAdapter Adapter = new();
            }
            """ + Layers);

    // ---- FTG0002, TorchSharp ----

    private const string TorchLoraModel = """
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        public sealed class LoraLinear : nn.Module<Tensor, Tensor>
        {
            public readonly Linear base_layer;
            public readonly Parameter lora_A;
            public readonly Parameter lora_B;

            public LoraLinear(Linear baseLayer, long rank) : base("lora")
            {
                base_layer = baseLayer;
                lora_A = new Parameter(torch.randn(rank, 4096) * 0.01);
                lora_B = new Parameter(torch.zeros(4096, rank));
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => base_layer.call(x) + x.matmul(lora_A.t()).matmul(lora_B.t());
        }

        public sealed class TinyModel : nn.Module<Tensor, Tensor>
        {
            public readonly Embedding embed = nn.Embedding(32000, 4096);
            public readonly LoraLinear q_proj = new LoraLinear(nn.Linear(4096, 4096), 8);

            public TinyModel() : base("tiny") { RegisterComponents(); }

            public override Tensor forward(Tensor ids) => q_proj.call(embed.call(ids));
        }
        """;

    [Fact]
    public Task TorchOptimizerOverUnfrozenLoraModelIsFTG0002()
        => Verify(TorchLoraModel + """

            public static class Trainer
            {
                public static void Run(TinyModel model)
                {
                    var optimizer = torch.optim.AdamW({|FTG0002:model.parameters()|}, lr: 2e-4);
                    optimizer.step();
                }
            }
            """);

    [Fact]
    public Task TorchOptimizerConstructorOverUnfrozenLoraModelIsFTG0002()
        => Verify(TorchLoraModel + """

            public static class Trainer
            {
                public static AdamW Build(TinyModel model) => new AdamW({|FTG0002:model.parameters()|}, lr: 1e-4);
            }
            """);

    [Fact]
    public Task TorchOptimizerAfterFreezingIsClean()
        => Verify(TorchLoraModel + """

            public static class Trainer
            {
                public static void Run(TinyModel model)
                {
                    foreach (var (name, p) in model.named_parameters())
                    {
                        p.requires_grad = name.Contains("lora_");
                    }

                    var optimizer = torch.optim.AdamW(model.parameters(), lr: 2e-4);
                    optimizer.step();
                }
            }
            """);

    [Fact]
    public Task TorchFullFineTuningIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Mlp : nn.Module<Tensor, Tensor>
            {
                private readonly Linear up = nn.Linear(512, 2048);
                private readonly Linear down = nn.Linear(2048, 512);
                public Mlp() : base("mlp") { RegisterComponents(); }
                public override Tensor forward(Tensor x) => down.call(up.call(x));
            }

            public static class Trainer
            {
                public static void Run(Mlp model) => torch.optim.AdamW(model.parameters(), lr: 1e-5).step();
            }
            """);

    [Fact]
    public Task TorchFilteredParametersAreClean()
        => Verify(TorchLoraModel + """

            public static class Trainer
            {
                public static void Run(TinyModel model)
                {
                    var trainable = System.Linq.Enumerable.Where(model.parameters(), p => p.requires_grad);
                    torch.optim.AdamW(trainable, lr: 2e-4).step();
                }
            }
            """);

    // ---- FTG0003 ----

    [Fact]
    public Task FrozenTensorInTorchOptimizerIsFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            using TorchSharp;
            using AdamW = TorchSharp.Modules.AdamW;
            using Parameter = TorchSharp.Modules.Parameter;

            public sealed class Heads
            {
                [Frozen] public Parameter BaseHead;
                [Trainable] public Parameter LoraHead;

                public AdamW Optimizer() => torch.optim.AdamW(new[] { {|FTG0003:BaseHead|}, LoraHead });
            }
            """);

    [Fact]
    public Task FrozenArrayUpdatedWithGradientIsFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Head
            {
                [Frozen] public float[] Weight = new float[16];
                [Trainable] public float[] Bias = new float[4];

                public void Step(float[] grad, float lr)
                {
                    for (int i = 0; i < Weight.Length; i++)
                    {
                        {|FTG0003:Weight|}[i] -= lr * grad[i];
                    }
                }
            }
            """);

    [Fact]
    public Task FrozenTensorInListHandedToOptimizerIsFTG0003()
        => Verify("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            using TorchSharp;
            using AdamW = TorchSharp.Modules.AdamW;
            using Parameter = TorchSharp.Modules.Parameter;

            public sealed class Heads
            {
                [Frozen] public Parameter Embedding;
                [Trainable] public Parameter Prompt;

                public AdamW Optimizer() => torch.optim.AdamW(new List<Parameter> { Prompt, {|FTG0003:Embedding|} }, lr: 3e-2);
            }
            """);

    [Fact]
    public Task FrozenTensorSubtractedInPlaceWithGradIsFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            using TorchSharp;
            using AdamW = TorchSharp.Modules.AdamW;
            using Parameter = TorchSharp.Modules.Parameter;

            public sealed class Sgd
            {
                [Frozen] public Parameter Weight;

                public void Step(double lr) => {|FTG0003:Weight|}.sub_(Weight.grad * lr);
            }
            """);

    [Fact]
    public Task TorchParametersAfterFreezingIsNotFTG0003()
        => Verify(TorchLoraModel + """

            public static class Trainer
            {
                public static void Run(TinyModel model)
                {
                    model.embed.weight.requires_grad_(false);
                    model.q_proj.base_layer.weight.requires_grad = false;
                    torch.optim.AdamW(model.parameters(), lr: 2e-4).step();
                }
            }
            """);

    [Fact]
    public Task MergeIntoFrozenWeightIsNotFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Merged
            {
                [Frozen] public float[] Weight = new float[16];
                [Trainable] public float[] Delta = new float[16];

                public void Merge(float scaling)
                {
                    for (int i = 0; i < Weight.Length; i++)
                    {
                        Weight[i] += scaling * Delta[i];
                    }
                }

                public void Load(float[] checkpoint) => checkpoint.CopyTo(Weight, 0);

                public float Read(int i) => Weight[i];
            }
            """);

    [Fact]
    public Task TrainableTensorsInOptimizerAreNotFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            using TorchSharp;
            using AdamW = TorchSharp.Modules.AdamW;
            using Parameter = TorchSharp.Modules.Parameter;

            public sealed class Heads
            {
                [Frozen] public Parameter BaseHead;
                [Trainable] public Parameter LoraA;
                [Trainable] public Parameter LoraB;

                public AdamW Optimizer() => torch.optim.AdamW(new[] { LoraA, LoraB }, lr: 1e-4);

                public torch.Tensor Forward(torch.Tensor x) => x.matmul(BaseHead) + x.matmul(LoraA).matmul(LoraB);
            }
            """);

    [Fact]
    public Task FrozenArrayWrappedInTrainableParameterIsFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Model
            {
                [Frozen] public float[] Embeddings = new float[1024];
                [Trainable] public float[] Prompt = new float[64];

                public ParameterGroup Group()
                {
                    var group = new ParameterGroup("all", 1e-4f);
                    group.Add(new Parameter("prompt", Prompt));
                    group.Add(new Parameter("embeddings", {|FTG0003:Embeddings|}));
                    return group;
                }
            }
            """);

    [Fact]
    public Task FrozenParameterInGroupInitializerIsFTG0003()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Model
            {
                [Frozen] public float[] Base = new float[1024];

                public ParameterGroup Group() => new ParameterGroup("base", 1e-5f) { new Parameter("base", {|FTG0003:Base|}, trainable: false) };
            }
            """);

    [Fact]
    public Task FrozenArrayAsNonTrainableParameterOutsideOptimizerIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Model
            {
                [Frozen] public float[] Base = new float[1024];
                [Trainable] public float[] Head = new float[64];

                public Parameter[] Audit() => new[] { new Parameter("base", Base, trainable: false), new Parameter("head", Head) };

                public ParameterGroup Group() => new ParameterGroup("head", 1e-4f) { new Parameter("head", Head) };
            }
            """);
}
