using System.Threading.Tasks;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Losses;
using FineTuneGuard.SourceGenerators.Analyzers;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>FTG0006 (no reference), FTG0007 (reference is the policy), FTG0008 (reference not frozen), FTG0009 (beta ≤ 0).</summary>
public class PreferenceLossTests
{
    private static Task Verify(string source) => Verify<PreferenceLossAnalyzer>.AnalyzerAsync(source);

    private const string Models = """

        public interface IPolicy { float LogProb(int[] prompt, int[] answer); }
        """;

    // ---- FTG0006 ----

    [Fact]
    public Task ZeroReferenceLogProbsIsFTG0006()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class DpoStep
            {
                public static float Run(IPolicy policy, int[] prompt, int[] chosen, int[] rejected)
                {
                    float pc = policy.LogProb(prompt, chosen);
                    float pr = policy.LogProb(prompt, rejected);
                    return Dpo.Loss(pc, pr, {|FTG0006:0f|}, 0f, beta: 0.1f).Loss;
                }
            }
            """ + Models);

    [Fact]
    public Task EmptyReferenceSpansIsFTG0006()
        => Verify("""
            using System;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class DpoBatch
            {
                public static float Run(float[] policyChosen, float[] policyRejected, float[] gradChosen, float[] gradRejected)
                    => Dpo.Loss(policyChosen, policyRejected, {|FTG0006:ReadOnlySpan<float>.Empty|}, ReadOnlySpan<float>.Empty, 0.1f, DpoLossType.Sigmoid, gradChosen, gradRejected).Loss;
            }
            """);

    [Fact]
    public Task NeverFilledReferenceBufferIsFTG0006()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class DpoBatch
            {
                public static float Run(float[] policyChosen, float[] policyRejected)
                {
                    var referenceChosen = new float[policyChosen.Length];
                    var referenceRejected = new float[policyRejected.Length];
                    return Dpo.Loss(policyChosen, policyRejected, {|FTG0006:referenceChosen|}, referenceRejected, 0.1f, DpoLossType.Sigmoid, default, default).Loss;
                }
            }
            """);

    [Fact]
    public Task TorchDpoWithoutReferenceTermsIsFTG0006()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class DpoLoss
            {
                public static Tensor Compute(Tensor policyChosenLogps, Tensor policyRejectedLogps, double beta)
                {
                    var margin = policyChosenLogps - policyRejectedLogps;
                    return -{|FTG0006:nn.functional.logsigmoid(beta * margin)|}.mean();
                }
            }
            """);

    [Fact]
    public Task BufferFilledByReferenceModelIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public interface IBatchPolicy { void LogProbs(int[][] answers, float[] destination); }

            public static class DpoBatch
            {
                public static float Run(IBatchPolicy reference, int[][] chosen, int[][] rejected, float[] policyChosen, float[] policyRejected)
                {
                    var referenceChosen = new float[chosen.Length];
                    var referenceRejected = new float[rejected.Length];
                    reference.LogProbs(chosen, referenceChosen);
                    reference.LogProbs(rejected, referenceRejected);
                    return Dpo.Loss(policyChosen, policyRejected, referenceChosen, referenceRejected, 0.1f, DpoLossType.Sigmoid, default, default).Loss;
                }
            }
            """);

    [Fact]
    public Task SeedDpoExampleIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Seed
            {
                // The seeds' pair: margin (−12 + 15) − (−13 + 14) = 2, loss −log σ(0.2) ≈ 0.598.
                public static float Loss() => Dpo.Loss(-12f, -15f, -13f, -14f, beta: 0.1f).Loss;
            }
            """);

    [Fact]
    public Task TorchSimPoWithoutReferenceIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SimPoLoss
            {
                public static Tensor Compute(Tensor chosenLogps, Tensor rejectedLogps, Tensor chosenLength, Tensor rejectedLength, double beta, double gamma)
                {
                    var margin = chosenLogps / chosenLength - rejectedLogps / rejectedLength;
                    return -nn.functional.logsigmoid(beta * margin - gamma).mean();
                }
            }

            public static class OrpoDpoStyle
            {
                public static Tensor OrpoDpoTerm(Tensor logOddsChosen, Tensor logOddsRejected)
                    => -nn.functional.logsigmoid(logOddsChosen - logOddsRejected).mean();
            }
            """);

    [Fact]
    public Task TorchDpoWithReferenceIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class DpoLoss
            {
                public static Tensor Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta)
                {
                    var logits = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
                    return -nn.functional.logsigmoid(beta * logits).mean();
                }
            }
            """);

    // ---- FTG0007 ----

    [Fact]
    public Task SameLogProbsForPolicyAndReferenceIsFTG0007()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class DpoStep
            {
                public static float Run(float policyChosen, float policyRejected)
                    => Dpo.Loss(policyChosen, policyRejected, {|FTG0007:policyChosen|}, policyRejected, beta: 0.1f).Loss;
            }
            """);

    [Fact]
    public Task ReferenceLogProbsFromPolicyInstanceIsFTG0007()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoStep
            {
                private readonly IPolicy _policy;
                public DpoStep(IPolicy policy) => _policy = policy;

                public float Run(int[] prompt, int[] chosen, int[] rejected)
                {
                    float pc = _policy.LogProb(prompt, chosen);
                    float pr = _policy.LogProb(prompt, rejected);
                    float rc = _policy.LogProb(prompt, chosen);
                    float rr = _policy.LogProb(prompt, rejected);
                    return Dpo.Loss(pc, pr, {|FTG0007:rc|}, rr, beta: 0.1f).Loss;
                }
            }
            """ + Models);

    [Fact]
    public Task ReferenceModelFieldAssignedThePolicyIsFTG0007()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoSetup
            {
                public IPolicy Policy;
                [ReferenceModel, Frozen] public IPolicy Reference;

                public DpoSetup(IPolicy policy)
                {
                    Policy = policy;
                    Reference = {|FTG0007:policy|};
                }
            }
            """ + Models);

    [Fact]
    public Task TorchReferenceLocalIsThePolicyIsFTG0007()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Lm : nn.Module<Tensor, Tensor>
            {
                public Lm() : base("lm") { }
                public override Tensor forward(Tensor ids) => ids;
            }

            public static class DpoTrainer
            {
                public static Tensor Step(Lm policy, Tensor chosen, Tensor rejected)
                {
                    Lm referenceModel = {|FTG0007:policy|};
                    return policy.call(chosen) - referenceModel.call(rejected);
                }
            }
            """);

    [Fact]
    public Task SeparateReferenceInstanceIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoStep
            {
                private readonly IPolicy _policy;
                [ReferenceModel, Frozen] private readonly IPolicy _reference;

                public DpoStep(IPolicy policy, IPolicy referenceModel)
                {
                    _policy = policy;
                    _reference = referenceModel;
                }

                public float Run(int[] prompt, int[] chosen, int[] rejected)
                {
                    float pc = _policy.LogProb(prompt, chosen);
                    float pr = _policy.LogProb(prompt, rejected);
                    float rc = _reference.LogProb(prompt, chosen);
                    float rr = _reference.LogProb(prompt, rejected);
                    return Dpo.Loss(pc, pr, rc, rr, beta: 0.1f).Loss;
                }
            }
            """ + Models);

    [Fact]
    public Task ReferenceFromBaseModelCopyIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoSetup
            {
                [ReferenceModel, Frozen] public IPolicy Reference;
                public DpoSetup(IPolicy baseModel) => Reference = baseModel;
            }
            """ + Models);

    [Fact]
    public Task DistinctPolicyAndReferenceArgumentsAreClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Pairs
            {
                public static float Run(float[] logps, int i)
                    => Dpo.Loss(logps[4 * i], logps[4 * i + 1], logps[4 * i + 2], logps[4 * i + 3], beta: 0.1f).Loss;
            }
            """);

    // ---- FTG0008 ----

    [Fact]
    public Task ReferenceModelWithoutFrozenIsFTG0008()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoSetup
            {
                public IPolicy Policy;
                [ReferenceModel] public IPolicy {|FTG0008:Reference|};
            }
            """ + Models);

    [Fact]
    public Task ReferenceModelPropertyWithoutFrozenIsFTG0008()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoSetup
            {
                [ReferenceModel] public float[] {|FTG0008:ReferenceWeights|} { get; set; }
            }
            """);

    [Fact]
    public Task TorchReferenceNeverFrozenIsFTG0008()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Lm : nn.Module<Tensor, Tensor>
            {
                public Lm() : base("lm") { }
                public override Tensor forward(Tensor ids) => ids;
            }

            public sealed class DpoTrainer
            {
                private readonly Lm policy;
                private readonly Lm {|FTG0008:ref_model|};

                public DpoTrainer(Lm policy, Lm reference)
                {
                    this.policy = policy;
                    ref_model = reference;
                }

                public Tensor Margin(Tensor chosen) => policy.call(chosen) - ref_model.call(chosen);
            }
            """);

    [Fact]
    public Task FrozenReferenceIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class DpoSetup
            {
                [ReferenceModel, Frozen] public IPolicy Reference;
                [ReferenceModel][Frozen] public float[] ReferenceWeights { get; set; }
            }
            """ + Models);

    [Fact]
    public Task TorchReferenceInEvalAndNoGradIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Lm : nn.Module<Tensor, Tensor>
            {
                public Lm() : base("lm") { }
                public override Tensor forward(Tensor ids) => ids;
            }

            public sealed class DpoTrainer
            {
                private readonly Lm reference;

                public DpoTrainer(Lm reference)
                {
                    this.reference = reference;
                    this.reference.eval();
                }

                public Tensor Logits(Tensor ids) => reference.call(ids);
            }
            """);

    [Fact]
    public Task TorchReferenceFrozenParameterByParameterIsClean()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class Lm : nn.Module<Tensor, Tensor>
            {
                public Lm() : base("lm") { }
                public override Tensor forward(Tensor ids) => ids;
            }

            public sealed class DpoTrainer
            {
                private readonly Lm refModel;

                public DpoTrainer(Lm refModel)
                {
                    this.refModel = refModel;
                    foreach (var p in this.refModel.parameters())
                    {
                        p.requires_grad = false;
                    }
                }

                public Tensor Logits(Tensor ids) => refModel.call(ids);
            }
            """);

    // ---- FTG0009 ----

    [Fact]
    public Task ZeroBetaIsFTG0009()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Seed
            {
                public static float Loss() => Dpo.Loss(-12f, -15f, -13f, -14f, beta: {|FTG0009:0f|}).Loss;
            }
            """);

    [Fact]
    public Task NegativeBetaThroughLocalIsFTG0009()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Step
            {
                public static float Loss(float pc, float pr, float rc, float rr)
                {
                    float beta = -0.1f;
                    return Dpo.Loss(pc, pr, rc, rr, {|FTG0009:beta|}, DpoLossType.Ipo).Loss;
                }
            }
            """);

    [Fact]
    public Task TorchZeroBetaIsFTG0009()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class DpoLoss
            {
                private const double Beta = 0.0;

                public static Tensor Compute(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected)
                    => -nn.functional.logsigmoid({|FTG0009:Beta|} * ((policyChosen - policyRejected) - (refChosen - refRejected))).mean();
            }
            """);

    [Fact]
    public Task PositiveBetaIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Step
            {
                private const float Beta = 0.1f;

                public static float Loss(float pc, float pr, float rc, float rr, float configuredBeta)
                {
                    float a = Dpo.Loss(pc, pr, rc, rr, Beta).Loss;
                    float b = Dpo.Loss(pc, pr, rc, rr, configuredBeta).Loss;
                    float beta = 0f;
                    beta = configuredBeta * 2;
                    return a + b + Dpo.Loss(pc, pr, rc, rr, beta).Loss;
                }
            }
            """);

    [Fact]
    public Task TorchNegativeScaleThatIsNotBetaIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class Dpo2
            {
                public static Tensor DpoCompute(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta)
                {
                    double sign = -1.0;
                    return nn.functional.logsigmoid(beta * ((policyChosen - policyRejected) - (refChosen - refRejected))) * sign;
                }
            }
            """);

    [Fact]
    public Task SimPoBetaPositiveIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SimPo
            {
                public static Tensor Loss(Tensor chosen, Tensor rejected) => -nn.functional.logsigmoid(2.0 * (chosen - rejected) - 0.5).mean();
            }
            """);

    [Fact]
    public Task SameMemberOfDifferentInstancesIsNotFTG0007()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed record LogProbs(float Chosen, float Rejected);

            public static class Step
            {
                public static float Loss(LogProbs policyOut, LogProbs refOut, LogProbs same)
                    => Dpo.Loss(policyOut.Chosen, policyOut.Rejected, refOut.Chosen, refOut.Rejected, 0.1f).Loss
                       + Dpo.Loss(same.Chosen, same.Rejected, {|FTG0007:same.Chosen|}, same.Rejected, 0.1f).Loss;
            }
            """);
}
