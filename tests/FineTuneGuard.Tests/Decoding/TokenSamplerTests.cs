using FineTuneGuard.Decoding;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Decoding;

/// <summary>
/// The seeds' temperature and top-p slides as tests: T → 0 and p → 0 are greedy, T = 1 samples the softmax itself, and
/// top-p keeps the smallest set of most probable tokens whose mass reaches p.
/// </summary>
public class TokenSamplerTests
{
    // The theory notebook's base logits, extended to eight distinct values.
    private static readonly float[] Logits = [2.0f, 1.5f, 0.2f, -0.5f, 0.0f, 1.0f, -1.0f, 0.5f];

    // Chi-square critical value for 7 degrees of freedom at alpha = 0.001: with a fixed seed the verdict is fixed too, and a
    // correct sampler stays far below it while a sampler of the wrong distribution lands far above it (see the power test).
    private const double ChiSquareCritical7DofAlpha0001 = 24.322;

    private const int Draws = 20_000;

    [Fact]
    public void ArgMaxTakesTheLowestIdAmongTies()
    {
        Assert.Equal(1, TokenSampler.ArgMax([0f, 3f, 3f, 1f]));
        Assert.Equal(0, TokenSampler.ArgMax([-1f]));
    }

    [Fact]
    public void TemperatureZeroIsGreedyAndConsumesNoRandomness()
    {
        var random = new SeededRandom(7);
        var twin = new SeededRandom(7);
        Assert.Equal(0, TokenSampler.Sample(Logits, new SamplingOptions { Temperature = 0f }, random));
        Assert.Equal(twin.NextUInt64(), random.NextUInt64());
    }

    [Fact]
    public void TemperatureTowardsZeroEqualsGreedy()
    {
        var rows = new SeededRandom(11);
        var random = new SeededRandom(12);
        var logits = new float[50];
        for (int row = 0; row < 40; row++)
        {
            rows.FillUniform(logits, -3f, 3f);
            int greedy = TokenSampler.ArgMax(logits);
            for (int draw = 0; draw < 25; draw++)
            {
                Assert.Equal(greedy, TokenSampler.Sample(logits, new SamplingOptions { Temperature = 1e-5f }, random));
            }
        }
    }

    [Fact]
    public void TopPTowardsZeroEqualsGreedy()
    {
        var rows = new SeededRandom(21);
        var random = new SeededRandom(22);
        var logits = new float[50];
        for (int row = 0; row < 40; row++)
        {
            rows.FillUniform(logits, -3f, 3f);
            int greedy = TokenSampler.ArgMax(logits);
            Assert.Equal(greedy, TokenSampler.Sample(logits, new SamplingOptions { TopP = 1e-6f }, random));
            Assert.Equal(greedy, TokenSampler.Sample(logits, new SamplingOptions { TopP = 0f }, random));
        }

        // Ties: the lowest id, as the arg-max.
        Assert.Equal(1, TokenSampler.Sample([0f, 2f, 2f], new SamplingOptions { TopP = 1e-6f }, random));
    }

    [Fact]
    public void SamplingAtTemperatureOneMatchesTheSoftmax()
    {
        double[] expected = Softmax(Logits, 1.0);
        long[] counts = Count(new SamplingOptions(), seed: 20261123);

        Assert.True(
            ChiSquare(counts, expected) < ChiSquareCritical7DofAlpha0001,
            $"chi-square {ChiSquare(counts, expected):F2} >= {ChiSquareCritical7DofAlpha0001} (counts {string.Join(", ", counts)})");
    }

    [Fact]
    public void TheGoodnessOfFitTestRejectsTheWrongDistribution()
    {
        // Power check of the test above: draws at T = 1 do not pass as the T = 2 softmax, nor draws at T = 2 as softmax.
        long[] atOne = Count(new SamplingOptions(), seed: 20261123);
        long[] atTwo = Count(new SamplingOptions { Temperature = 2f }, seed: 20261123);

        Assert.True(ChiSquare(atOne, Softmax(Logits, 2.0)) > 10 * ChiSquareCritical7DofAlpha0001);
        Assert.True(ChiSquare(atTwo, Softmax(Logits, 1.0)) > 10 * ChiSquareCritical7DofAlpha0001);
        Assert.True(ChiSquare(atTwo, Softmax(Logits, 2.0)) < ChiSquareCritical7DofAlpha0001);
    }

    [Theory]
    [InlineData(0.45f, new[] { 0 })]
    [InlineData(0.69f, new[] { 0, 1 })]
    [InlineData(0.80f, new[] { 0, 1, 2 })]
    [InlineData(0.90f, new[] { 0, 1, 2, 3 })]
    [InlineData(0.96f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(1.00f, new[] { 0, 1, 2, 3, 4 })]
    public void TopPKeepsTheSmallestSetWhoseMassReachesP(float topP, int[] keptIds)
    {
        // P = 0.5, 0.2, 0.15, 0.1, 0.05: p = 0.8 needs 0.5 + 0.2 + 0.15 = 0.85 (0.7 is not enough).
        double[] p = [0.5, 0.2, 0.15, 0.1, 0.05];
        float[] logits = p.Select(v => (float)Math.Log(v)).ToArray();
        var distribution = new double[p.Length];

        int kept = TokenSampler.Distribution(logits, new SamplingOptions { TopP = topP }, distribution);

        Assert.Equal(keptIds.Length, kept);
        double mass = keptIds.Sum(id => p[id]);
        for (int id = 0; id < p.Length; id++)
        {
            double want = keptIds.Contains(id) ? p[id] / mass : 0.0;
            Assert.Equal(want, distribution[id], 1e-6);
        }
    }

    [Fact]
    public void TopPIsTheSmallestPrefixOnRandomDistributions()
    {
        var random = new SeededRandom(31);
        var logits = new float[23];
        var distribution = new double[logits.Length];
        for (int trial = 0; trial < 300; trial++)
        {
            random.FillNormal(logits, 0f, 2f);
            float topP = 0.05f + (0.9f * random.NextSingle());
            double[] softmax = Softmax(logits, 1.0);
            int[] ranked = Enumerable.Range(0, logits.Length).OrderByDescending(i => softmax[i]).ThenBy(i => i).ToArray();

            int kept = TokenSampler.Distribution(logits, new SamplingOptions { TopP = topP }, distribution);

            double keptMass = ranked.Take(kept).Sum(i => softmax[i]);
            double withoutLast = ranked.Take(kept - 1).Sum(i => softmax[i]);
            Assert.True(keptMass >= topP - 1e-6, $"kept mass {keptMass} < p {topP}");
            Assert.True(withoutLast < topP + 1e-6, $"a smaller set (mass {withoutLast}) already reaches p {topP}");
            Assert.All(ranked.Take(kept), i => Assert.True(distribution[i] > 0));
            Assert.All(ranked.Skip(kept), i => Assert.Equal(0.0, distribution[i]));
            Assert.Equal(1.0, distribution.Sum(), 1e-9);
        }
    }

    [Fact]
    public void TopKKeepsTheKMostProbableRenormalised()
    {
        var distribution = new double[Logits.Length];
        double[] softmax = Softmax(Logits, 1.0);

        int kept = TokenSampler.Distribution(Logits, new SamplingOptions { TopK = 3 }, distribution);

        // Logits 2.0 (id 0), 1.5 (id 1), 1.0 (id 5).
        Assert.Equal(3, kept);
        double mass = softmax[0] + softmax[1] + softmax[5];
        Assert.Equal(softmax[0] / mass, distribution[0], 1e-9);
        Assert.Equal(softmax[1] / mass, distribution[1], 1e-9);
        Assert.Equal(softmax[5] / mass, distribution[5], 1e-9);
        Assert.Equal(3, distribution.Count(v => v > 0));
    }

    [Fact]
    public void TopPAppliesToTheTopKSurvivorsRenormalised()
    {
        // After top-k = 2 the survivors are P ∝ 0.5, 0.2 → 0.714, 0.286; p = 0.7 is reached by the first alone.
        double[] p = [0.5, 0.2, 0.15, 0.1, 0.05];
        float[] logits = p.Select(v => (float)Math.Log(v)).ToArray();
        var distribution = new double[p.Length];

        Assert.Equal(1, TokenSampler.Distribution(logits, new SamplingOptions { TopK = 2, TopP = 0.7f }, distribution));
        Assert.Equal(1.0, distribution[0]);
    }

    [Fact]
    public void TheSameSeedGivesTheSameTokens()
    {
        var options = new SamplingOptions { Temperature = 0.8f, TopK = 5, TopP = 0.9f };
        var first = new SeededRandom(99);
        var second = new SeededRandom(99);
        int[] a = Enumerable.Range(0, 200).Select(_ => TokenSampler.Sample(Logits, options, first)).ToArray();
        int[] b = Enumerable.Range(0, 200).Select(_ => TokenSampler.Sample(Logits, options, second)).ToArray();
        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 1);
    }

    [Fact]
    public void InvalidOptionsAndLogitsAreRefused()
    {
        var random = new SeededRandom(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Sample(Logits, new SamplingOptions { Temperature = -1f }, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Sample(Logits, new SamplingOptions { TopP = 1.5f }, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Sample(Logits, new SamplingOptions { TopK = -2 }, random));
        Assert.Throws<NonFiniteValueException>(() => TokenSampler.Sample([0f, float.NaN], new SamplingOptions(), random));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.ArgMax(ReadOnlySpan<float>.Empty));
        Assert.Throws<ArgumentException>(() => TokenSampler.Distribution(Logits, new SamplingOptions(), new double[3]));
    }

    private static long[] Count(SamplingOptions options, ulong seed)
    {
        var random = new SeededRandom(seed);
        var counts = new long[Logits.Length];
        for (int i = 0; i < Draws; i++)
        {
            counts[TokenSampler.Sample(Logits, options, random)]++;
        }

        return counts;
    }

    private static double ChiSquare(long[] counts, double[] expected)
    {
        long total = counts.Sum();
        return counts.Select((c, i) => ((c - (total * expected[i])) * (c - (total * expected[i]))) / (total * expected[i])).Sum();
    }

    private static double[] Softmax(float[] logits, double temperature)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp((l - max) / temperature)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
