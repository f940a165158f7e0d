using FineTuneGuard.Decoding;
using FineTuneGuard.Numerics;
using FineTuneGuard.Tests.Training;

namespace FineTuneGuard.Tests.Decoding;

/// <summary>The generate loop: greedy follows the arg-max chain, sampling is reproducible, EOS stops, and base versus tuned differ as trained.</summary>
public class TextGeneratorTests
{
    [Fact]
    public void GreedyFollowsTheArgMaxChainAndStopsAtEos()
    {
        var model = new TinyLoraBigramModel(SftToyData.Vocab, rank: 2, alpha: 4, seed: 9);
        var logits = new float[SftToyData.Vocab];
        var expected = new List<int>();
        int token = 5;
        for (int i = 0; i < 6; i++)
        {
            model.Forward([token], 1, 1, logits);
            token = TokenSampler.ArgMax(logits);
            expected.Add(token);
        }

        Assert.Equal(expected, TextGenerator.Generate(model, [1, 5], 6, SamplingOptions.Greedy));

        // Stopping: declare the third greedy token the EOS.
        Assert.Equal(expected.Take(3), TextGenerator.Generate(model, [1, 5], 6, SamplingOptions.Greedy, eosTokenId: expected[2]));
    }

    [Fact]
    public void SamplingIsReproducibleForASeed()
    {
        var model = new TinyLoraBigramModel(SftToyData.Vocab, rank: 2, alpha: 4, seed: 9);
        var options = new SamplingOptions { Temperature = 1.5f, TopP = 0.95f };
        int[] a = TextGenerator.Generate(model, [1, 5], 20, options, new SeededRandom(4));
        int[] b = TextGenerator.Generate(model, [1, 5], 20, options, new SeededRandom(4));
        int[] c = TextGenerator.Generate(model, [1, 5], 20, options, new SeededRandom(5));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Throws<ArgumentNullException>(() => TextGenerator.Generate(model, [1, 5], 3, options));
        Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, [1, 99], 3, SamplingOptions.Greedy));
    }

    [Fact]
    public void AfterSftTheTunedModelAnswersAsTrainedWhileTheBaseDoesNot()
    {
        var tuned = new TinyLoraBigramModel(SftToyData.Vocab, rank: 8, alpha: 16, seed: 3);
        TinyLoraBigramModel baseModel = tuned.FrozenCopy();
        var options = new SftOptions { MicroBatchSize = 2, GradientAccumulationSteps = 2, MaxSteps = 40, LearningRate = 0.05f, WarmupSteps = 4, Seed = 7 };
        new SftTrainer(tuned, options).Train([SftToyData.Task("shift", [SftToyData.Bos], SftToyData.Shift)]);

        int wrongBefore = 0;
        for (int x = 2; x <= 7; x++)
        {
            Assert.Equal(new[] { SftToyData.Shift(x), SftToyData.Eos }, TextGenerator.Generate(tuned, [SftToyData.Bos, x], 4, SamplingOptions.Greedy, eosTokenId: SftToyData.Eos));
            wrongBefore += TextGenerator.Generate(baseModel, [SftToyData.Bos, x], 1, SamplingOptions.Greedy)[0] == SftToyData.Shift(x) ? 0 : 1;
        }

        Assert.True(wrongBefore >= 5, $"the random base already answers {6 - wrongBefore} of 6");
    }
}
