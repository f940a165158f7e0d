using System.Threading.Tasks;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.SourceGenerators.Analyzers;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>FTG0004 (B·A ≠ 0 at initialisation) and FTG0005 (A = B = 0), TorchSharp and FineTuneGuard styles.</summary>
public class LoraInitializationTests
{
    private static Task Verify(string source) => Verify<LoraInitializationAnalyzer>.AnalyzerAsync(source);

    // ---- FTG0004: true positives ----

    [Fact]
    public Task RandnBWithKaimingAIsFTG0004()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.empty(rank, inFeatures));
                    nn.init.kaiming_uniform_(lora_A, a: 2.23606797749979);
                    lora_B = {|FTG0004:new Parameter(torch.randn(outFeatures, rank))|};
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task NormalInitOfBInResetIsFTG0004()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraAdapter(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.empty(rank, inFeatures));
                    lora_B = new Parameter(torch.empty(outFeatures, rank));
                    reset_parameters();
                }

                public void reset_parameters()
                {
                    nn.init.kaiming_uniform_(lora_A, a: 2.23606797749979);
                    {|FTG0004:nn.init.normal_(lora_B, std: 0.02)|};
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task OurRandomInitialiserOnGeneratedBIsFTG0004()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Adapter
            {
                public float[] LoraA = new float[8 * 64];
                public float[] LoraB = new float[64 * 8];

                public void Initialise(SeededRandom random)
                {
                    random.FillUniform(LoraA, -0.125f, 0.125f);
                    {|FTG0004:random.FillNormal(LoraB, 0f, 0.02f)|};
                }
            }
            """);

    [Fact]
    public Task ConstantFillOfBIsFTG0004()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraConv : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_down;
                private readonly Parameter lora_up;

                public LoraConv(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_down = new Parameter(torch.randn(rank, inFeatures) * 0.01);
                    lora_up = new Parameter(torch.empty(outFeatures, rank));
                    {|FTG0004:lora_up.fill_(0.01)|};
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_down.t()).matmul(lora_up.t());
            }
            """);

    // ---- FTG0004: look-alikes that must not fire ----

    [Fact]
    public Task ZerosBIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.empty(rank, inFeatures));
                    nn.init.kaiming_uniform_(lora_A, a: 2.23606797749979);
                    lora_B = new Parameter(torch.zeros(outFeatures, rank));
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task EmbeddingLoraWithZeroAAndRandomBIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraEmbedding : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_embedding_A;
                private readonly Parameter lora_embedding_B;

                public LoraEmbedding(long vocab, long dim, long rank) : base("lora_embedding")
                {
                    lora_embedding_A = new Parameter(torch.empty(rank, vocab));
                    lora_embedding_B = new Parameter(torch.empty(dim, rank));
                    reset_lora_parameters();
                }

                private void reset_lora_parameters()
                {
                    nn.init.zeros_(lora_embedding_A);
                    nn.init.normal_(lora_embedding_B);
                }

                public override Tensor forward(Tensor x) => x;
            }
            """);

    [Fact]
    public Task EmptyBZeroedInInitMethodIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.empty(rank, inFeatures));
                    lora_B = new Parameter(torch.empty(outFeatures, rank));
                    ResetParameters();
                }

                private void ResetParameters()
                {
                    nn.init.kaiming_uniform_(lora_A, a: 2.23606797749979);
                    using (torch.no_grad())
                    {
                        lora_B.zero_();
                    }
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task FreshZeroAllocationOfBIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class LoraAdapter
            {
                public float[] LoraA;
                public float[] LoraB;

                public LoraAdapter(int inFeatures, int outFeatures, int rank, SeededRandom random)
                {
                    LoraA = new float[rank * inFeatures];
                    random.FillUniform(LoraA, -0.1f, 0.1f);
                    LoraB = new float[outFeatures * rank];
                }
            }
            """);

    [Fact]
    public Task BiasNamedBOutsideLoraTypeIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Affine : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter a;
                private readonly Parameter b;

                public Affine(long features) : base("affine")
                {
                    a = new Parameter(torch.randn(features, features));
                    b = new Parameter(torch.randn(features));
                }

                public override Tensor forward(Tensor x) => x.matmul(a) + b;
            }
            """);

    [Fact]
    public Task BLoadedFromCheckpointIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private Parameter lora_A = new Parameter(torch.randn(8, 64));
                private Parameter lora_B = new Parameter(torch.zeros(64, 8));

                public LoraLinear() : base("lora") { }

                public void Load(Tensor a, Tensor b)
                {
                    lora_A = new Parameter(a.clone());
                    lora_B = new Parameter(b.clone());
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    // ---- FTG0005 ----

    [Fact]
    public Task BothZerosIsFTG0005()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = {|FTG0005:new Parameter(torch.zeros(rank, inFeatures))|};
                    lora_B = new Parameter(torch.zeros(outFeatures, rank));
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task BothZeroedInResetIsFTG0005()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_A;
                private readonly Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.empty(rank, inFeatures));
                    lora_B = new Parameter(torch.empty(outFeatures, rank));
                    reset_parameters();
                }

                private void reset_parameters()
                {
                    {|FTG0005:nn.init.zeros_(lora_A)|};
                    nn.init.zeros_(lora_B);
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task BothFreshArraysIsFTG0005()
        => Verify("""
            public sealed class LoraDelta
            {
                public float[] LoraA;
                public float[] LoraB;

                public LoraDelta(int inFeatures, int outFeatures, int rank)
                {
                    LoraA = {|FTG0005:new float[rank * inFeatures]|};
                    LoraB = new float[outFeatures * rank];
                }
            }
            """);

    [Fact]
    public Task ZeroAWithRandomBIsNotFTG0005()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraEmbedding : nn.Module<Tensor, Tensor>
            {
                private readonly Parameter lora_embedding_A = new Parameter(torch.zeros(8, 32000));
                private readonly Parameter lora_embedding_B = new Parameter(torch.randn(4096, 8));

                public LoraEmbedding() : base("lora_embedding") { }

                public override Tensor forward(Tensor x) => x;
            }
            """);

    [Fact]
    public Task ZeroingAOfALayerWhoseBIsZeroByConstructionIsFTG0005()
        => Verify("""
            using System;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            // Stands for the generated members (A random and B zeros at construction, in generated code).
            [LoraLayer(8, 8, Rank = 2, Alpha = 4)]
            public partial class ValueLora
            {
                public float[] A { get; set; }
                public float[] B { get; set; }
            }

            public static class Setup
            {
                public static ValueLora Create()
                {
                    var lora = new ValueLora();
                    {|FTG0005:Array.Clear(lora.A)|};
                    return lora;
                }
            }
            """);
}
