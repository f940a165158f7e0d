using FineTuneGuard.Losses;

namespace FineTuneGuard.Tests.Losses;

public class TokenLossTests
{
    [Fact]
    public void TheoryCellAnswerOnlyLossIsOneAndTheUnmaskedMeanIsHalf()
    {
        // Theory notebook, section 2: neg_log_probs [0.2, 0.3, 1.2, 0.8, 0.0], mask [0, 0, 1, 1, 0].
        float[] losses = { 0.2f, 0.3f, 1.2f, 0.8f, 0.0f };
        float[] mask = { 0, 0, 1, 1, 0 };
        Assert.Equal(1.0f, TokenLoss.AnswerOnlyMean(losses, mask));
        Assert.Equal(0.5f, TokenLoss.Mean(losses));
    }

    [Fact]
    public void ExerciseOneAnswerLossIsPointNine()
    {
        // Exercises notebook, exercise 1: losses [0.1, 0.2, 1.0, 0.8], mask [0, 0, 1, 1] → "answer loss: 0.9".
        Assert.Equal(0.9f, TokenLoss.AnswerOnlyMean(new[] { 0.1f, 0.2f, 1.0f, 0.8f }, new float[] { 0, 0, 1, 1 }));
    }

    [Fact]
    public void WeightsAreAWeightedMean()
        => Assert.Equal((1.0 * 0.5 + 3.0 * 2.0) / 2.5, TokenLoss.AnswerOnlyMean(new[] { 1f, 3f, 7f }, new[] { 0.5f, 2f, 0f }), 6);

    [Fact]
    public void BadInputThrows()
    {
        var shape = Assert.Throws<ArgumentException>(() => TokenLoss.AnswerOnlyMean(new float[3], new float[2]));
        Assert.Equal("mask", shape.ParamName);
        Assert.Contains("[3]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[2]", shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TokenLoss.AnswerOnlyMean(new float[] { 1, 2 }, new float[] { 0, 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenLoss.AnswerOnlyMean(new float[] { 1, 2 }, new[] { 1f, float.NaN }));
        Assert.Throws<ArgumentException>(() => TokenLoss.Mean(ReadOnlySpan<float>.Empty));
    }
}
