using System.Threading.Tasks;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Kernels;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.SourceGenerators.Analyzers;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>The four code fixes, each on one and on several diagnostics (the testing library also runs Fix All in document, project and solution).</summary>
public class CodeFixTests
{
    // ---- FTG0002 / FTG0008: add [Frozen] ----

    [Fact]
    public Task AddsFrozenToBaseWeights()
        => Verify<FreezeDecisionAnalyzer>.CodeFixAsync<AddFrozenAttributeCodeFixProvider>(
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class AttentionBlock
            {
                public float[] {|FTG0002:QProj|} = new float[16];
                public float[] {|FTG0002:VProj|} { get; } = new float[16];
                public QProjLora Lora = new();
            }

            [LoraLayer(4, 4, Rank = 2, Alpha = 4)]
            public partial class QProjLora { }
            """,
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class AttentionBlock
            {
                [Frozen]
                public float[] QProj = new float[16];

                [Frozen]
                public float[] VProj { get; } = new float[16];
                public QProjLora Lora = new();
            }

            [LoraLayer(4, 4, Rank = 2, Alpha = 4)]
            public partial class QProjLora { }
            """);

    [Fact]
    public Task AddsFrozenAndUsingWhenAttributeIsNotInScope()
        => Verify<FreezeDecisionAnalyzer>.CodeFixAsync<AddFrozenAttributeCodeFixProvider>(
            """
            public sealed class Block
            {
                public float[] {|FTG0002:Weight|} = new float[16];
                public FineTuneGuard.Lora.QProjLora Lora = new();
            }

            namespace FineTuneGuard.Lora
            {
                [FineTuneGuard.LoraLayer(4, 4)]
                public partial class QProjLora { }
            }
            """,
            """
            using FineTuneGuard;

            public sealed class Block
            {
                [Frozen]
                public float[] Weight = new float[16];
                public FineTuneGuard.Lora.QProjLora Lora = new();
            }

            namespace FineTuneGuard.Lora
            {
                [FineTuneGuard.LoraLayer(4, 4)]
                public partial class QProjLora { }
            }
            """);

    [Fact]
    public Task AddsFrozenNextToReferenceModel()
        => Verify<PreferenceLossAnalyzer>.CodeFixAsync<AddFrozenAttributeCodeFixProvider>(
            """
            using FineTuneGuard;

            public sealed class DpoSetup
            {
                [ReferenceModel] public float[] {|FTG0008:ReferenceWeights|} = new float[4];
                [ReferenceModel]
                public float[] {|FTG0008:ReferenceHead|} { get; set; } = new float[4];
            }
            """,
            """
            using FineTuneGuard;

            public sealed class DpoSetup
            {
                [ReferenceModel, Frozen] public float[] ReferenceWeights = new float[4];
                [ReferenceModel, Frozen]
                public float[] ReferenceHead { get; set; } = new float[4];
            }
            """);

    // ---- FTG0004: B with zeros ----

    [Fact]
    public Task ReplacesRandomFactoryAndInitializersWithZeros()
        => Verify<LoraInitializationAnalyzer>.CodeFixAsync<ZeroLoraBCodeFixProvider>(
            """
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private Parameter lora_A;
                private Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.randn(rank, inFeatures) * 0.01);
                    lora_B = {|FTG0004:new Parameter(torch.randn(outFeatures, rank))|};
                }

                public void Reset()
                {
                    {|FTG0004:nn.init.normal_(lora_B, std: 0.02)|};
                    {|FTG0004:lora_B.uniform_(-0.1, 0.1)|};
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """,
            """
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraLinear : nn.Module<Tensor, Tensor>
            {
                private Parameter lora_A;
                private Parameter lora_B;

                public LoraLinear(long inFeatures, long outFeatures, long rank) : base("lora")
                {
                    lora_A = new Parameter(torch.randn(rank, inFeatures) * 0.01);
                    lora_B = new Parameter(torch.zeros(outFeatures, rank));
                }

                public void Reset()
                {
                    nn.init.zeros_(lora_B);
                    lora_B.zero_();
                }

                public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
            }
            """);

    [Fact]
    public Task ReplacesRuntimeRandomFillWithClear()
        => Verify<LoraInitializationAnalyzer>.CodeFixAsync<ZeroLoraBCodeFixProvider>(
            """
            using System;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Adapter
            {
                public float[] LoraA = new float[32];
                public float[] LoraB = new float[32];

                public void Initialise(SeededRandom random)
                {
                    random.FillUniform(LoraA, -0.125f, 0.125f);
                    {|FTG0004:random.FillNormal(LoraB, 0f, 0.02f)|};
                }
            }
            """,
            """
            using System;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Adapter
            {
                public float[] LoraA = new float[32];
                public float[] LoraB = new float[32];

                public void Initialise(SeededRandom random)
                {
                    random.FillUniform(LoraA, -0.125f, 0.125f);
                    Array.Clear(LoraB);
                }
            }
            """);

    // ---- FTG0001: masked form ----

    [Fact]
    public Task SwitchesToMaskedFormsWithTheMaskInScope()
        => Verify<UnmaskedSftLossAnalyzer>.CodeFixAsync<MaskedSftLossCodeFixProvider>(
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] targets, float[] answerMask, float[] losses, int vocab)
                {
                    float a = {|FTG0001:CrossEntropy.UnmaskedLoss(logits, targets, vocab)|};
                    CrossEntropy.TokenLosses(logits, targets, vocab, losses);
                    return a + {|FTG0001:TokenLoss.Mean(losses)|};
                }
            }
            """,
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] targets, float[] answerMask, float[] losses, int vocab)
                {
                    float a = CrossEntropy.MaskedLoss(logits, targets, answerMask, vocab);
                    CrossEntropy.TokenLosses(logits, targets, vocab, losses);
                    return a + TokenLoss.AnswerOnlyMean(losses, answerMask);
                }
            }
            """);

    [Fact]
    public Task NoFixWithoutAMaskInScope()
        => Verify<UnmaskedSftLossAnalyzer>.CodeFixAsync<MaskedSftLossCodeFixProvider>(
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] targets, int vocab, float[] attentionMask)
                    => {|FTG0001:CrossEntropy.UnmaskedLoss(logits, targets, vocab)|};
            }
            """,
            """
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] targets, int vocab, float[] attentionMask)
                    => {|FTG0001:CrossEntropy.UnmaskedLoss(logits, targets, vocab)|};
            }
            """);
}
