using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Training;

/// <summary>
/// Token-normalised gradient accumulation: four micro-batches with uneven target counts give the gradient of one batch of
/// all of them; the mean of per-micro-batch means (the known padding/accumulation bug) does not.
/// </summary>
public class GradientAccumulationTests
{
    // Float32 sums in a different grouping: relative agreement to 1e-5 of the largest gradient entry.
    private const double RelativeTolerance = 1e-5;

    private static TinyLoraBigramModel Model()
    {
        var model = new TinyLoraBigramModel(SftToyData.Vocab, rank: 3, alpha: 6, seed: 17, withBias: true);
        new SeededRandom(18).FillNormal(model.B.Value, 0f, 0.5f); // non-zero B so that A receives gradient too
        return model;
    }

    [Fact]
    public void FourUnevenMicroBatchesEqualOneBatch()
    {
        SftExample[] examples = SftToyData.Uneven();
        TinyLoraBigramModel whole = Model();
        TinyLoraBigramModel split = whole.TrainableCopy();

        SftStepResult one = new SftTrainer(whole, new SftOptions { MicroBatchSize = 8 }).AccumulateGradients(examples);
        SftStepResult four = new SftTrainer(split, new SftOptions { MicroBatchSize = 2 }).AccumulateGradients(examples);

        Assert.Equal(1, one.MicroBatches);
        Assert.Equal(4, four.MicroBatches);
        int[] perMicroBatch = Enumerable.Range(0, 4).Select(m => SftBatch.Collate(examples.Skip(2 * m).Take(2).ToArray()).TargetTokenCount).ToArray();
        Assert.True(perMicroBatch.Distinct().Count() > 1, "the micro-batches must hold uneven target counts");
        Assert.Equal(perMicroBatch.Sum(), four.TargetTokens);
        Assert.Equal(one.TargetTokens, four.TargetTokens);
        Assert.Equal(one.Loss, four.Loss, 1e-6);
        AssertClose(Gradients(whole), Gradients(split), RelativeTolerance);
    }

    [Fact]
    public void TheMeanOfMicroBatchMeansIsMeasurablyDifferent()
    {
        // Negative control: the same comparison catches the bug it is meant to catch.
        SftExample[] examples = SftToyData.Uneven();
        TinyLoraBigramModel whole = Model();
        TinyLoraBigramModel naive = whole.TrainableCopy();
        new SftTrainer(whole, new SftOptions { MicroBatchSize = 8 }).AccumulateGradients(examples);
        var perBatch = new SftTrainer(naive, new SftOptions { MicroBatchSize = 2 });
        for (int m = 0; m < 4; m++)
        {
            perBatch.AccumulateGradients(examples.Skip(2 * m).Take(2).ToArray()); // each normalised by its own count
        }

        float[] expected = Gradients(whole);
        float[] meanOfMeans = Gradients(naive).Select(g => g / 4).ToArray();
        double scale = expected.Max(Math.Abs);
        double worst = expected.Zip(meanOfMeans, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst > 100 * RelativeTolerance * scale, $"mean of means differs by only {worst}");
    }

    [Fact]
    public void AccumulationAddsToTheGradientsUntilTheyAreCleared()
    {
        SftExample[] examples = SftToyData.Uneven();
        TinyLoraBigramModel model = Model();
        var trainer = new SftTrainer(model, new SftOptions { MicroBatchSize = 3 });
        trainer.AccumulateGradients(examples);
        float[] once = Gradients(model);
        trainer.AccumulateGradients(examples);
        AssertClose(once.Select(g => 2 * g).ToArray(), Gradients(model), RelativeTolerance);
        Assert.All(model.Weight.Gradient, g => Assert.Equal(0f, g)); // frozen: never receives a gradient
    }

    private static float[] Gradients(TinyLoraBigramModel model)
        => model.Parameters.Where(p => p.Trainable).SelectMany(p => p.Parameter.Gradient).ToArray();

    private static void AssertClose(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"gradient {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
