namespace FineTuneGuard.Tests.Training;

/// <summary>Mixture weights as a weighted expectation: draw frequencies follow w_k / Σ w, reproducibly for a seed.</summary>
public class MixtureSamplerTests
{
    // Chi-square critical value for 2 degrees of freedom at alpha = 0.001.
    private const double ChiSquareCritical2DofAlpha0001 = 13.816;

    private static SftDataset Task(string name, int examples, double weight)
        => new(name, Enumerable.Range(0, examples).Select(i => SftExample.FromPromptResponse([1, 2], [3 + i, 0])), weight);

    [Fact]
    public void DrawFrequenciesFollowTheWeights()
    {
        SftDataset[] mixture = [Task("chat", 5, 3.0), Task("math", 4, 1.0), Task("code", 3, 1.0)];
        var sampler = new MixtureSampler(mixture, seed: 5);
        var counts = new long[3];
        const int draws = 30_000;
        for (int i = 0; i < draws; i++)
        {
            counts[sampler.Next().DatasetIndex]++;
        }

        double[] expected = [0.6, 0.2, 0.2];
        Assert.Equal(0.6, sampler.Probability(0), 12);
        double chi = counts.Select((c, k) => Math.Pow(c - (draws * expected[k]), 2) / (draws * expected[k])).Sum();
        Assert.True(chi < ChiSquareCritical2DofAlpha0001, $"chi-square {chi:F2}; counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void EveryExampleIsSeenOncePerPassOfItsDataset()
    {
        SftDataset[] mixture = [Task("only", 7, 1.0)];
        var sampler = new MixtureSampler(mixture, seed: 9);
        int[] firstPass = Enumerable.Range(0, 7).Select(_ => sampler.Next().ExampleIndex).ToArray();
        int[] secondPass = Enumerable.Range(0, 7).Select(_ => sampler.Next().ExampleIndex).ToArray();
        Assert.Equal(Enumerable.Range(0, 7), firstPass.Order());
        Assert.Equal(Enumerable.Range(0, 7), secondPass.Order());
        Assert.NotEqual(Enumerable.Range(0, 7), firstPass); // shuffled
    }

    [Fact]
    public void TheSameSeedGivesTheSameStream()
    {
        SftDataset[] mixture = [Task("a", 5, 2.0), Task("b", 6, 1.0)];
        var sampler = new MixtureSampler(mixture, 3);
        MixtureDraw[] first = Enumerable.Range(0, 50).Select(_ => sampler.Next()).ToArray();
        var again = new MixtureSampler(mixture, 3);
        MixtureDraw[] second = Enumerable.Range(0, 50).Select(_ => again.Next()).ToArray();
        Assert.Equal(first.Select(d => (d.DatasetIndex, d.ExampleIndex)), second.Select(d => (d.DatasetIndex, d.ExampleIndex)));
        var other = new MixtureSampler(mixture, 4);
        Assert.NotEqual(first.Select(d => (d.DatasetIndex, d.ExampleIndex)), Enumerable.Range(0, 50).Select(_ => other.Next()).Select(d => (d.DatasetIndex, d.ExampleIndex)));
    }

    [Fact]
    public void WeightedMeanIsTheWeightedExpectationOverTasks()
    {
        SftDataset[] mixture = [Task("a", 1, 3.0), Task("b", 1, 1.0)];
        Assert.Equal((3 * 0.5 + 1 * 2.0) / 4, SftDataset.WeightedMean(mixture, [0.5, 2.0]), 12);
        Assert.Throws<ArgumentException>(() => SftDataset.WeightedMean(mixture, [0.5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Task("bad", 1, 0.0));
        Assert.Throws<ArgumentException>(() => new SftDataset("empty", []));
    }
}
