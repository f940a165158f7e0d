using System.Globalization;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Optimization;

public class ScheduleAndClippingTests
{
    [Fact]
    public void LayerwiseDecayReproducesTheTheoryCell()
    {
        // Theory notebook, section 11: eta_top 2e-5, gamma 0.85, layers 1..12, printed with 8 decimals.
        string[] printed =
        {
            "0.00000335", "0.00000394", "0.00000463", "0.00000545", "0.00000641", "0.00000754",
            "0.00000887", "0.00001044", "0.00001228", "0.00001445", "0.00001700", "0.00002000",
        };
        for (int layer = 1; layer <= 12; layer++)
        {
            Assert.Equal(printed[layer - 1], LayerwiseLrDecay.LearningRate(2e-5f, 0.85f, layer, 12).ToString("F8", CultureInfo.InvariantCulture));
            Assert.Equal(printed[layer - 1], LayerwiseLrDecay.LearningRateDouble(2e-5, 0.85, layer, 12).ToString("F8", CultureInfo.InvariantCulture));
        }

        Assert.Equal(2e-5 * Math.Pow(0.85, 11), LayerwiseLrDecay.LearningRateDouble(2e-5, 0.85, 1, 12), 1e-20);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerwiseLrDecay.LearningRate(2e-5f, 0.85f, 13, 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerwiseLrDecay.LearningRate(2e-5f, 1.5f, 1, 12));
    }

    [Fact]
    public void LayerwiseDecayAppliesToGroupsByLayer()
    {
        var groups = new[]
        {
            new ParameterGroup("layer1", 1f) { new Parameter("l1.w", new float[2], layer: 1) },
            new ParameterGroup("layer12", 1f) { new Parameter("l12.w", new float[2], layer: 12) },
            new ParameterGroup("head", 5e-5f) { new Parameter("head.w", new float[2]) },
        };
        LayerwiseLrDecay.Apply(groups, 2e-5f, 0.85f, 12);
        Assert.Equal(LayerwiseLrDecay.LearningRate(2e-5f, 0.85f, 1, 12), groups[0].LearningRate);
        Assert.Equal(2e-5f, groups[1].LearningRate);
        Assert.Equal(5e-5f, groups[2].LearningRate);
        var mixed = new[] { new ParameterGroup("mixed", 1f) { new Parameter("a", new float[1], layer: 1), new Parameter("b", new float[1], layer: 2) } };
        Assert.Throws<ArgumentException>(() => LayerwiseLrDecay.Apply(mixed, 2e-5f, 0.85f, 12));
    }

    [Fact]
    public void ClipByGlobalNormScalesLikePyTorch()
    {
        var a = new Parameter("a", new float[2]);
        var b = new Parameter("b", new float[10]);
        var frozen = new Parameter("frozen", new float[1], trainable: false);
        a.Gradient[0] = 3;
        a.Gradient[1] = 4;
        b.Gradient[9] = 12;
        frozen.Gradient[0] = 1000; // ignored: no gradient flows to frozen weights
        float norm = GradientClipping.ClipByGlobalNorm(new[] { a, b, frozen }, 6.5f);
        Assert.Equal(13f, norm);
        double scale = 6.5 / (13 + 1e-6);
        Assert.Equal(3 * scale, a.Gradient[0], 1e-6);
        Assert.Equal(12 * scale, b.Gradient[9], 1e-6);
        Assert.Equal(1000f, frozen.Gradient[0]);

        // Below the limit nothing changes; the returned norm is the one before clipping.
        float again = GradientClipping.ClipByGlobalNorm(new[] { a, b }, 100f);
        Assert.Equal(6.5, again, 1e-5);
        Assert.Equal(3 * scale, a.Gradient[0], 1e-6);
    }

    [Fact]
    public void NonFiniteNormIsReturnedAndNothingScaled()
    {
        var a = new Parameter("a", new float[3]);
        a.Gradient[0] = 5;
        a.Gradient[1] = float.PositiveInfinity;
        Assert.Equal(float.PositiveInfinity, GradientClipping.ClipByGlobalNorm(new[] { a }, 1f));
        Assert.Equal(5f, a.Gradient[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new[] { a }, 0f));
    }

    [Fact]
    public void OptimizerOverloadAgreesWithTheListOverload()
    {
        var random = new SeededRandom(4);
        var a = new Parameter("a", new float[5000]);
        var b = new Parameter("b", new float[3]);
        random.FillNormal(a.Gradient, 0, 1);
        random.FillNormal(b.Gradient, 0, 1);
        float[] ga = a.Gradient.ToArray(), gb = b.Gradient.ToArray();
        double expected = Math.Sqrt(ga.Concat(gb).Sum(g => (double)g * g));
        var optimizer = new AdamW(new[] { new ParameterGroup("a", 1e-3f) { a }, new ParameterGroup("b", 1e-3f) { b } });
        Assert.Equal(expected, GradientClipping.ClipByGlobalNorm(optimizer, 1f), expected * 1e-6);
        Assert.Equal(1.0, Math.Sqrt(a.Gradient.Concat(b.Gradient).Sum(g => (double)g * g)), 1e-5);
    }

    [Fact]
    public void WarmupThenCosineOrLinearDecay()
    {
        var cosine = new LearningRateSchedule(10, 110);
        Assert.Equal(0f, cosine.Factor(0));
        Assert.Equal(0.5f, cosine.Factor(5));
        Assert.Equal(1f, cosine.Factor(10));
        Assert.Equal(0.5f, cosine.Factor(60), 1e-6f);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.25)), cosine.Factor(35), 1e-6);
        Assert.Equal(0f, cosine.Factor(110), 1e-7f);
        Assert.Equal(0f, cosine.Factor(500), 1e-7f);

        var linear = new LearningRateSchedule(0, 100, LearningRateDecay.Linear, minFactor: 0.1f);
        Assert.Equal(1f, linear.Factor(0));
        Assert.Equal(0.1f + (0.9f * 0.75f), linear.Factor(25), 1e-6f);
        Assert.Equal(0.1f, linear.Factor(100), 1e-6f);

        var constant = new LearningRateSchedule(4, 10, LearningRateDecay.Constant);
        Assert.Equal(0.25f, constant.Factor(1));
        Assert.Equal(1f, constant.Factor(9));

        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(10, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => cosine.Factor(-1));
    }
}
