using FineTuneGuard.Accounting;
using FineTuneGuard.Attention;
using FineTuneGuard.Decoding;
using FineTuneGuard.Kernels;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Properties;

/// <summary>Stable softmax / log-sum-exp at extreme logits (±1e4), checked long parameter counts, NaN/Inf detection.</summary>
public class NumericalSafetyTests
{
    /// <summary>Cross-entropy at logits ±1e4: finite, and equal to the exact value (0, 2e4, ln 2 for a tie).</summary>
    [Fact]
    public void CrossEntropyAtExtremeLogits()
    {
        float[] logits = { 1e4f, -1e4f, 0f, 1e4f, -1e4f, 1e4f };
        Assert.Equal(0f, CrossEntropy.UnmaskedLoss(logits.AsSpan(0, 3), new[] { 0 }, 3));
        Assert.Equal(2e4f, CrossEntropy.UnmaskedLoss(logits.AsSpan(0, 3), new[] { 1 }, 3));
        Assert.Equal(1e4f, CrossEntropy.UnmaskedLoss(logits.AsSpan(0, 3), new[] { 2 }, 3));
        Assert.Equal((float)Math.Log(2), CrossEntropy.UnmaskedLoss(logits.AsSpan(3, 3), new[] { 0 }, 3), 6);
        var grad = new float[3];
        CrossEntropy.UnmaskedLoss(logits.AsSpan(0, 3), new[] { 1 }, 3, grad);
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(new[] { 1f, -1f, 0f }, grad);
    }

    /// <summary>KL at extreme logits: finite, ≥ 0, and the exact value for a near one-hot pair.</summary>
    [Fact]
    public void KlAtExtremeLogits()
    {
        float[] tuned = { 1e4f, -1e4f, -1e4f };
        float[] @base = { -1e4f, 1e4f, -1e4f };
        float kl = KlDivergence.TunedToBase(tuned, @base, 3);
        Assert.True(float.IsFinite(kl));
        Assert.Equal(2e4f, kl, 1f); // p_t one-hot on 0: KL = log p_t(0) − log p_b(0) = 0 − (−2e4)
        Assert.Equal(0f, KlDivergence.TunedToBase(tuned, tuned, 3));
        var grad = new float[3];
        KlDivergence.TunedToBase(tuned, @base, 3, grad);
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
    }

    /// <summary>Attention with scores of ±1e4 (query·key scaled by 1/√d): finite output, picking the value of the dominant key.</summary>
    [Fact]
    public void AttentionAtExtremeScores()
    {
        var shape = new AttentionShape(1, 1, 1, 2, 1);
        float[] q = { 1e2f, 1e2f };
        float[] k = { 1e2f, -1e2f };   // scores: query 1 sees key 0 at +1e4 and key 1 at −1e4
        float[] v = { 3f, -5f };
        var output = new float[2];
        var lse = new float[2];
        CausalAttention.Forward(shape, q, k, v, default, default, output, lse);
        Assert.Equal(3f, output[0]);
        Assert.Equal(3f, output[1]);
        Assert.All(lse, l => Assert.True(float.IsFinite(l)));
        Assert.Equal(1e4f, lse[1], 1f);
    }

    /// <summary>Decoding at ±1e4: a finite distribution summing to 1, arg-max on the dominant logit.</summary>
    [Fact]
    public void DecodingAtExtremeLogits()
    {
        float[] logits = { -1e4f, 1e4f, 1e4f - 1f, -1e4f };
        var p = new double[4];
        TokenSampler.Distribution(logits, new SamplingOptions { Temperature = 0.5f }, p);
        Assert.All(p, x => Assert.True(double.IsFinite(x) && x >= 0));
        Assert.Equal(1.0, p.Sum(), 12);
        Assert.Equal(1, TokenSampler.ArgMax(logits));
        Assert.Equal(1, TokenSampler.Sample(logits, new SamplingOptions { Temperature = 1e-3f }, new SeededRandom(1)));
    }

    /// <summary>Parameter counts are long and checked: the largest int shapes either fit or throw OverflowException, never wrap.</summary>
    [Fact]
    public void ParameterCountsDoNotOverflowSilently()
    {
        Assert.Equal(2L * int.MaxValue * ((long)int.MaxValue), ParameterCount.Lora(int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.True(ParameterCount.Prompt(int.MaxValue, int.MaxValue) > int.MaxValue);
        var huge = new TransformerConfig(int.MaxValue, int.MaxValue, 1, int.MaxValue, int.MaxValue);
        Assert.Throws<OverflowException>(() => ParameterCount.Transformer(huge));
        Assert.Throws<OverflowException>(() => ParameterCount.Prefix(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue));
    }

    /// <summary>Safe merge refuses NaN/Inf in A, B or the result and leaves W untouched.</summary>
    [Fact]
    public void SafeMergeRefusesNonFiniteValues()
    {
        var shape = new LoraShape(2, 2, 1);
        float[] w = { 1, 2, 3, 4 };
        float[] a = { 1, 1 };
        float[] b = { 1, 1 };
        float[] nanA = { float.NaN, 1 };
        Assert.Throws<NonFiniteValueException>(() => Lora.SafeMergeInto(shape, 1f, w, nanA, b));
        float[] infB = { 1, float.PositiveInfinity };
        Assert.Throws<NonFiniteValueException>(() => Lora.SafeMergeInto(shape, 1f, w, a, infB));
        float[] bigW = { 3e38f, 3e38f, 3e38f, 3e38f };
        float[] bigB = { 3e38f, 3e38f };
        var overflow = Assert.Throws<NonFiniteValueException>(() => Lora.SafeMergeInto(shape, 1f, bigW, a, bigB));
        Assert.Equal(new[] { 3e38f, 3e38f, 3e38f, 3e38f }, bigW);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, w);
        Assert.False(string.IsNullOrEmpty(overflow.Message));
        Lora.SafeMergeInto(shape, 1f, w, a, b);
        Assert.Equal(new float[] { 2, 3, 4, 5 }, w);
    }

    /// <summary>AdamW's opt-in NaN check names the parameter and updates nothing; off by default.</summary>
    [Fact]
    public void OptimizerNaNCheckIsOptIn()
    {
        var p = new Parameter("layers.0.lora_A", new float[] { 1, 2, 3 });
        var q = new Parameter("layers.0.lora_B", new float[] { 4, 5, 6 });
        var optimizer = new AdamW(new[] { new ParameterGroup("adapters", 1e-2f) { p, q } }) { CheckFinite = true };
        q.Gradient[0] = 1;
        p.Gradient[2] = float.NaN;
        var e = Assert.Throws<NonFiniteValueException>(() => optimizer.Step());
        Assert.Contains("layers.0.lora_A", e.Message);
        Assert.Equal(new float[] { 1, 2, 3 }, p.Value);
        Assert.Equal(new float[] { 4, 5, 6 }, q.Value);

        optimizer.CheckFinite = false;
        optimizer.Step(); // not checked: the NaN propagates, as documented
        Assert.True(float.IsNaN(p.Value[2]));
    }
}
