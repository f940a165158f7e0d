using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Training;

/// <summary>
/// DPO over the model contract: step 0 against a frozen copy is ln 2 with zero rewards, the margin grows on a separable
/// preference set, precomputed reference log-probabilities are equivalent, and the analyzers' mistakes are refused.
/// </summary>
public class DpoTrainerTests
{
    private static readonly PreferencePair[] Separable =
        Enumerable.Range(2, 6).Select(x => new PreferencePair([SftToyData.Bos, x], [SftToyData.Shift(x), SftToyData.Eos], [SftToyData.Mirror(x), SftToyData.Eos])).ToArray();

    private static DpoOptions Options => new() { Beta = 0.1f, BatchSize = 4, MaxSteps = 30, LearningRate = 0.05f, PadTokenId = SftToyData.Eos, Seed = 11 };

    private static TinyLoraBigramModel NewPolicy()
    {
        var policy = new TinyLoraBigramModel(SftToyData.Vocab, rank: 4, alpha: 8, seed: 21);
        new SeededRandom(22).FillNormal(policy.B.Value, 0f, 0.3f); // a policy that already differs from zero-B
        return policy;
    }

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0.693147180559945)] // −log σ(0) = ln 2
    [InlineData(DpoLossType.Robust, 0.693147180559945)]
    [InlineData(DpoLossType.Hinge, 1.0)]                 // relu(1 − 0)
    [InlineData(DpoLossType.Ipo, 25.0)]                  // (0 − 1/(2·0.1))²
    public void AtStepZeroAgainstAFrozenCopyTheLossIsAtItsNeutralValueAndRewardsAreZero(DpoLossType type, double expectedLoss)
    {
        TinyLoraBigramModel policy = NewPolicy();
        var trainer = new DpoTrainer(policy, policy.FrozenCopy(), Options with { LossType = type });

        DpoMetrics metrics = trainer.AccumulateGradients(Separable);

        Assert.Equal(expectedLoss, metrics.Loss, 6);
        Assert.Equal(0.0, metrics.RewardsChosen);
        Assert.Equal(0.0, metrics.RewardsRejected);
        Assert.Equal(0.0, metrics.RewardsMargins);
        Assert.Equal(0.0, metrics.RewardsAccuracies); // strictly greater: ties are not "accurate"
        Assert.Equal(0.0, metrics.KlToReference);
        Assert.Equal(6, metrics.Pairs);
        Assert.Contains(policy.B.Gradient, g => g != 0f);
    }

    [Fact]
    public void TheMarginGrowsOnASeparablePreferenceSet()
    {
        TinyLoraBigramModel policy = NewPolicy();
        byte[] frozen = Bytes(policy.Weight.Value);
        var trainer = new DpoTrainer(policy, policy.FrozenCopy(), Options);

        DpoRunResult run = trainer.Train(Separable);
        DpoMetrics after = trainer.Evaluate(Separable);

        Assert.Equal(30, run.Steps);
        Assert.Equal(0.0, run.History[0].RewardsMargins);
        Assert.True(after.RewardsMargins > 0.5, $"margin {after.RewardsMargins}");
        Assert.True(after.RewardsMargins > run.History[10].RewardsMargins && run.History[10].RewardsMargins > 0);
        Assert.Equal(1.0, after.RewardsAccuracies);
        Assert.True(after.Loss < 0.45, $"loss {after.Loss}"); // from ln 2 = 0.693
        Assert.True(after.KlToReference > 0);
        Assert.Equal(Bytes(policy.Weight.Value), frozen);
    }

    [Fact]
    public void SequenceLogProbsSumTheCompletionTokensOnly()
    {
        // Bigram: log π(y | x) = log p(y1 | last prompt token) + log p(EOS | y1); the prompt's own tokens never count.
        TinyLoraBigramModel policy = NewPolicy();
        var trainer = new DpoTrainer(policy, policy.FrozenCopy(), Options);
        var pair = new PreferencePair([SftToyData.Bos, 14, 3], [9, SftToyData.Eos], [12, 13, SftToyData.Eos]);

        DpoMetrics metrics = trainer.Evaluate([pair]);

        Assert.Equal(LogP(policy, 3, 9) + LogP(policy, 9, SftToyData.Eos), metrics.LogPsChosen, 5);
        Assert.Equal(LogP(policy, 3, 12) + LogP(policy, 12, 13) + LogP(policy, 13, SftToyData.Eos), metrics.LogPsRejected, 5);
    }

    [Fact]
    public void TheGradientMatchesFiniteDifferencesOfTheLoss()
    {
        TinyLoraBigramModel policy = NewPolicy();
        TinyLoraBigramModel reference = policy.FrozenCopy();
        new SeededRandom(5).FillNormal(policy.B.Value, 0f, 0.3f); // move away from the reference: a non-trivial margin
        var trainer = new DpoTrainer(policy, reference, Options);
        trainer.AccumulateGradients(Separable);
        float[] analytic = (float[])policy.B.Gradient.Clone();

        foreach (int i in new[] { 0, 7, 19, 40, 63 })
        {
            float saved = policy.B.Value[i];
            policy.B.Value[i] = saved + 1e-2f;
            double plus = trainer.Evaluate(Separable).Loss;
            policy.B.Value[i] = saved - 1e-2f;
            double minus = trainer.Evaluate(Separable).Loss;
            policy.B.Value[i] = saved;
            Assert.Equal((plus - minus) / 2e-2, analytic[i], 3);
        }
    }

    [Fact]
    public void PrecomputedReferenceLogProbsTrainExactlyLikeTheReferenceModel()
    {
        TinyLoraBigramModel withModel = NewPolicy();
        TinyLoraBigramModel withNumbers = withModel.TrainableCopy();
        TinyLoraBigramModel reference = withModel.FrozenCopy();
        IReadOnlyList<PreferencePair> precomputed = DpoTrainer.PrecomputeReferenceLogProbs(reference, Separable, batchSize: 4, padTokenId: SftToyData.Eos);

        DpoRunResult a = new DpoTrainer(withModel, reference, Options with { MaxSteps = 6 }).Train(Separable);
        DpoRunResult b = new DpoTrainer(withNumbers, Options with { MaxSteps = 6 }).Train(precomputed);

        Assert.Equal(a.History.Select(m => m.Loss), b.History.Select(m => m.Loss));
        Assert.Equal(Bytes(withModel.B.Value), Bytes(withNumbers.B.Value));
        Assert.Null(b.History[0].KlToReference);
        Assert.All(precomputed, p => Assert.True(p.HasReferenceLogProbs && p.ReferenceChosenLogProb < 0));
    }

    [Fact]
    public void TheAnalyzersMistakesAreRefusedWithTheirWords()
    {
        TinyLoraBigramModel policy = NewPolicy();

        var same = Assert.Throws<ArgumentException>(() => new DpoTrainer(policy, policy, Options));
        Assert.StartsWith("FTG0007: Reference model is the policy itself", same.Message, StringComparison.Ordinal);

        var trainable = Assert.Throws<ArgumentException>(() => new DpoTrainer(policy, policy.TrainableCopy(), Options));
        Assert.StartsWith("FTG0008: Reference model is not frozen", trainable.Message, StringComparison.Ordinal);
        Assert.Contains("bigram.lora_A", trainable.Message, StringComparison.Ordinal);

        foreach (float beta in new[] { 0f, -0.1f, float.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DpoTrainer(policy, policy.FrozenCopy(), Options with { Beta = beta }));
            Assert.StartsWith("FTG0009: Preference loss with beta <= 0", error.Message, StringComparison.Ordinal);
        }

        var noReference = Assert.Throws<ArgumentException>(() => new DpoTrainer(policy, Options).TrainStep(Separable));
        Assert.StartsWith("FTG0006: Preference loss has no reference model: pair 0", noReference.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReferenceSharingATrainableTensorIsThePolicyInDisguise()
    {
        TinyLoraBigramModel policy = NewPolicy();
        var alias = new AliasModel(policy);
        var error = Assert.Throws<ArgumentException>(() => new DpoTrainer(policy, alias, Options));
        Assert.StartsWith("FTG0007: Reference model is the policy itself: it shares the tensor 'bigram.lora_B'", error.Message, StringComparison.Ordinal);
    }

    private static double LogP(TinyLoraBigramModel model, int previous, int next)
    {
        var logits = new float[model.VocabSize];
        model.Forward([previous], 1, 1, logits);
        double max = logits.Max();
        double logSum = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
        return logits[next] - logSum;
    }

    private static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>A "frozen" wrapper that re-labels the policy's own adapter tensor as frozen: it would still move with training.</summary>
    private sealed class AliasModel(TinyLoraBigramModel policy) : ICausalLanguageModel
    {
        public int VocabSize => policy.VocabSize;

        public IReadOnlyList<ModelParameter> Parameters { get; } =
        [
            new ModelParameter(new Parameter("bigram.weight", policy.Weight.Value, trainable: false), ParameterRole.Base),
            new ModelParameter(new Parameter("bigram.lora_B", policy.B.Value, trainable: false), ParameterRole.Adapter),
        ];

        public void Forward(ReadOnlySpan<int> tokens, int batch, int sequenceLength, Span<float> logits) => policy.Forward(tokens, batch, sequenceLength, logits);

        public void Backward(ReadOnlySpan<float> gradLogits) => throw new InvalidOperationException("a reference is never trained");
    }
}
