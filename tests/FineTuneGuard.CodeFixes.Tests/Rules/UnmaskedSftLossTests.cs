using System.Threading.Tasks;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Losses;
using FineTuneGuard.SourceGenerators.Analyzers;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>FTG0001: SFT token loss averaged over every position — FineTuneGuard API and TorchSharp label data flow.</summary>
public class UnmaskedSftLossTests
{
    private static Task Verify(string source) => Verify<UnmaskedSftLossAnalyzer>.AnalyzerAsync(source);

    // ---- our API: true positives ----

    [Fact]
    public Task UnmaskedLossInSftStepIsFTG0001()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] targets, int vocab)
                    => {|FTG0001:CrossEntropy.UnmaskedLoss(logits, targets, vocab)|};
            }
            """);

    [Fact]
    public Task PlainTokenMeanNextToPromptIsFTG0001()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Trainer
            {
                public static float Step(float[] logits, int[] targets, int vocab, int promptLength)
                {
                    var losses = new float[targets.Length];
                    CrossEntropy.TokenLosses(logits, targets, vocab, losses);
                    return {|FTG0001:TokenLoss.Mean(losses)|};
                }
            }
            """);

    [Fact]
    public Task InputIdsAsLabelsOfOurLossIsFTG0001()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class InstructionTuning
            {
                public static float Loss(float[] logits, int[] inputIds, int vocab)
                {
                    int[] labels = (int[])inputIds.Clone();
                    return CrossEntropy.Loss(logits, {|FTG0001:labels|}, vocab);
                }
            }
            """);

    // ---- TorchSharp: true positives ----

    [Fact]
    public Task TorchCrossEntropyOnRawInputIdsInSftStepIsFTG0001()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SftTrainer
            {
                public static Tensor Step(Tensor logits, Tensor input_ids)
                {
                    var labels = input_ids.clone();
                    return nn.functional.cross_entropy(logits.view(-1, 32000), {|FTG0001:labels.view(-1)|});
                }
            }
            """);

    [Fact]
    public Task TorchLabelsMaskedForPaddingOnlyIsFTG0001()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class ChatFineTune
            {
                public static Tensor Step(Tensor logits, Tensor input_ids, long padTokenId)
                {
                    var padMask = input_ids.eq(padTokenId);
                    var labels = input_ids.masked_fill(padMask, -100);
                    return nn.functional.cross_entropy(logits, {|FTG0001:labels|});
                }
            }
            """);

    [Fact]
    public Task TorchCriterionOnAttentionMaskedLabelsIsFTG0001()
        => Verify("""
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            public sealed class LoraSft
            {
                private readonly CrossEntropyLoss criterion = nn.CrossEntropyLoss();

                public Tensor Step(Tensor logits, Tensor input_ids, Tensor attention_mask)
                {
                    var labels = input_ids.clone();
                    labels.masked_fill_(attention_mask.eq(0), -100);
                    return criterion.call(logits, {|FTG0001:labels|});
                }
            }
            """);

    [Fact]
    public Task TorchMeanOverPerTokenLossIsFTG0001()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SftLoss
            {
                public static Tensor Compute(Tensor logits, Tensor labels)
                {
                    var perToken = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
                    return {|FTG0001:perToken.mean()|};
                }
            }
            """);

    // ---- must not fire ----

    [Fact]
    public Task TorchPromptMaskedWithMinus100IsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SftTrainer
            {
                public static Tensor Step(Tensor logits, Tensor input_ids, long promptLength)
                {
                    var labels = input_ids.clone();
                    labels.index_put_(-100, TensorIndex.Ellipsis, TensorIndex.Slice(stop: promptLength));
                    return nn.functional.cross_entropy(logits, labels);
                }
            }
            """);

    [Fact]
    public Task OurLoopPromptMaskIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class SftStep
            {
                public static float Loss(float[] logits, int[] inputIds, int promptLength, int vocab)
                {
                    int[] labels = (int[])inputIds.Clone();
                    for (int i = 0; i < promptLength; i++)
                    {
                        labels[i] = CrossEntropy.IgnoreIndex;
                    }

                    return CrossEntropy.Loss(logits, labels, vocab);
                }
            }
            """);

    [Fact]
    public Task PretrainingOnRawIdsIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class Pretraining
            {
                public static Tensor Step(Tensor logits, Tensor input_ids)
                    => nn.functional.cross_entropy(logits, input_ids);
            }
            """);

    [Fact]
    public Task MaskedOverloadsAreClean()
        => Verify("""
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
    public Task LabelsPreparedByHelperAreClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SftTrainer
            {
                public static Tensor Step(Tensor logits, Tensor input_ids, long promptLength)
                {
                    var labels = input_ids.clone();
                    MaskPrompt(labels, promptLength);
                    return nn.functional.cross_entropy(logits, labels);
                }

                private static void MaskPrompt(Tensor labels, long promptLength) { }
            }
            """);

    [Fact]
    public Task BatchLabelsFromCollatorAreClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public sealed record SftBatch(Tensor InputIds, Tensor Labels);

            public static class SftTrainer
            {
                public static Tensor Step(Tensor logits, SftBatch batch)
                    => nn.functional.cross_entropy(logits, batch.Labels);
            }
            """);

    [Fact]
    public Task MaskedSumOverPerTokenLossIsClean()
        => Verify("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class SftLoss
            {
                public static Tensor Compute(Tensor logits, Tensor labels, Tensor answerMask)
                {
                    var perToken = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
                    return (perToken * answerMask).sum() / answerMask.sum();
                }
            }
            """);

    [Fact]
    public Task UnmaskedLossInPretrainingIsClean()
        => Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class ContinuedPretraining
            {
                public static float Loss(float[] logits, int[] targets, int vocab) => CrossEntropy.UnmaskedLoss(logits, targets, vocab);
            }
            """);
}
