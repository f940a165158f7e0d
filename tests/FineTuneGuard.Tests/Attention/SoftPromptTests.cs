using FineTuneGuard.Attention;
using FineTuneGuard.Internal;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>Prompt tuning: concatenation, the sliced gradient, positions, labels and masks.</summary>
public class SoftPromptTests
{
    private static readonly SoftPromptShape Shape = new(2, 3, 4, 5);

    [Fact]
    public void PrependPutsThePromptBeforeEverySequence()
    {
        float[] prompt = Enumerable.Range(0, Shape.PromptLength).Select(i => 1000f + i).ToArray();
        float[] embeddings = Enumerable.Range(0, Shape.EmbeddingsLength).Select(i => (float)i).ToArray();
        var output = new float[Shape.OutputLength];
        SoftPrompt.Prepend(Shape, prompt, embeddings, output);
        int row = Shape.TotalTokens * Shape.EmbeddingDim;
        for (int b = 0; b < Shape.Batch; b++)
        {
            Assert.Equal(prompt, output.Skip(b * row).Take(Shape.PromptLength));
            Assert.Equal(embeddings.Skip(b * Shape.Tokens * Shape.EmbeddingDim).Take(Shape.Tokens * Shape.EmbeddingDim), output.Skip((b * row) + Shape.PromptLength).Take(Shape.Tokens * Shape.EmbeddingDim));
        }
    }

    [Fact]
    public void BackwardSumsThePromptGradientOverTheBatchAndSlicesTheRest()
    {
        var random = new SeededRandom(1);
        float[] dY = AttentionTestData.Fill(random, Shape.OutputLength, 1f);
        float[] dPrompt = Enumerable.Repeat(9f, Shape.PromptLength).ToArray(); // overwritten, not accumulated
        var dX = new float[Shape.EmbeddingsLength];
        SoftPrompt.BackwardSlice(Shape, dY, dPrompt, dX);
        int row = Shape.TotalTokens * Shape.EmbeddingDim;
        for (int i = 0; i < Shape.PromptLength; i++)
        {
            Assert.Equal(dY[i] + dY[row + i], dPrompt[i]);
        }

        for (int b = 0; b < Shape.Batch; b++)
        {
            Assert.Equal(dY.Skip((b * row) + Shape.PromptLength).Take(Shape.Tokens * Shape.EmbeddingDim), dX.Skip(b * Shape.Tokens * Shape.EmbeddingDim).Take(Shape.Tokens * Shape.EmbeddingDim));
        }

        // Frozen embeddings: the token part may be skipped.
        var only = new float[Shape.PromptLength];
        SoftPrompt.BackwardSlice(Shape, dY, only, default);
        Close.BitEqual("dPrompt", dPrompt, only);
    }

    /// <summary>The gradient is the adjoint of Prepend: ⟨dY, Prepend(P, X)⟩ = ⟨dP, P⟩ + ⟨dX, X⟩ for any P, X, dY.</summary>
    [Fact]
    public void BackwardIsTheAdjointOfPrepend()
    {
        var random = new SeededRandom(2);
        float[] prompt = AttentionTestData.Fill(random, Shape.PromptLength, 1f);
        float[] embeddings = AttentionTestData.Fill(random, Shape.EmbeddingsLength, 1f);
        float[] dY = AttentionTestData.Fill(random, Shape.OutputLength, 1f);
        var output = new float[Shape.OutputLength];
        SoftPrompt.Prepend(Shape, prompt, embeddings, output);
        var dPrompt = new float[Shape.PromptLength];
        var dX = new float[Shape.EmbeddingsLength];
        SoftPrompt.BackwardSlice(Shape, dY, dPrompt, dX);
        double left = output.Zip(dY, (a, b) => (double)a * b).Sum();
        double right = prompt.Zip(dPrompt, (a, b) => (double)a * b).Sum() + embeddings.Zip(dX, (a, b) => (double)a * b).Sum();
        Assert.True(Math.Abs(left - right) <= 1e-5 * Math.Max(1, Math.Abs(left)), $"{left} vs {right}");
    }

    [Fact]
    public void VirtualTokensTakeTheFirstPositionsAndIgnoredLabels()
    {
        var positions = new int[Shape.TotalTokens];
        SoftPrompt.Positions(Shape, positions);
        Assert.Equal(Enumerable.Range(0, 7), positions);

        int[] labels = { 5, 6, 7, 8, 9, 10, 11, 12 };
        var prepended = new int[Shape.Batch * Shape.TotalTokens];
        SoftPrompt.PrependLabels(Shape, labels, prepended);
        Assert.Equal(new[] { -100, -100, -100, 5, 6, 7, 8, -100, -100, -100, 9, 10, 11, 12 }, prepended);

        bool[] padding = { true, true, false, false, true, true, true, true };
        var mask = new bool[Shape.Batch * Shape.TotalTokens];
        SoftPrompt.PrependPaddingMask(Shape, padding, mask);
        Assert.Equal(new[] { true, true, true, true, true, false, false, true, true, true, true, true, true, true }, mask);
    }

    [Fact]
    public void CountAndBadShapes()
    {
        Assert.Equal(ParameterArithmetic.Prompt(20, 4096), new SoftPromptShape(1, 20, 1, 4096).TrainableParameterCount);
        var error = Assert.Throws<ArgumentException>(() => SoftPrompt.Prepend(Shape, new float[Shape.PromptLength + 5], new float[Shape.EmbeddingsLength], new float[Shape.OutputLength]));
        Assert.Equal("prompt", error.ParamName);
        Assert.Contains("[virtualTokens=3 x embeddingDim=5]", error.Message, StringComparison.Ordinal);
        Assert.Contains(Shape.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SoftPrompt.Prepend(Shape, new float[Shape.PromptLength], new float[Shape.EmbeddingsLength], new float[Shape.EmbeddingsLength]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftPrompt.Positions(Shape with { EmbeddingDim = 0 }, new int[7]));
    }
}
