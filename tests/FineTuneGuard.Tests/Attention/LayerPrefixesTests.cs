using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>The multi-layer prefix helper: slicing, the per-layer attention calls, and refusing prefixes of another model.</summary>
public class LayerPrefixesTests
{
    [Fact]
    public void LayersAreSlicedKeysThenValues()
    {
        var shape = new PrefixShape(3, 2, 2, 4);
        float[] prefixes = Enumerable.Range(0, shape.Length).Select(i => (float)i).ToArray();
        Assert.Equal(2 * 2 * 4, shape.LayerLength);
        Assert.Equal((float)(4 * shape.LayerLength), LayerPrefixes.Keys(shape, prefixes, 2)[0]);
        Assert.Equal((float)(5 * shape.LayerLength), LayerPrefixes.Values(shape, prefixes, 2)[0]);
        Assert.Equal((float)shape.LayerLength, LayerPrefixes.Values(shape, prefixes, 0)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerPrefixes.Keys(shape, prefixes, 3).Length);
    }

    [Fact]
    public void TheSeedsPrefixCountIsThePrefixLength()
    {
        // LLaMA-7B-like: 32 layers, 16 slots, 32 heads of 128 → 4,194,304 trainable values (the theory notebook).
        Assert.Equal(4_194_304, new PrefixShape(32, 16, 32, 128).TrainableParameterCount());
        Assert.Equal(4_194_304, new PrefixShape(32, 16, 32, 128).Length);
    }

    [Fact]
    public void APrefixForAnotherLayerCountIsRefusedNamingBothShapes()
    {
        var model = new PrefixShape(4, 8, 2, 16);
        var trained = model with { Layers = 6 };
        var error = Assert.Throws<ArgumentException>(() => LayerPrefixes.Load(model, new float[model.Length], trained, new float[trained.Length]));
        Assert.Contains(model.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(trained.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("6 layers", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, 8, 16)] // a prefix per query head, but the attention has 2 kv heads
    [InlineData(8, 2, 32)] // another head width
    [InlineData(4, 2, 16)] // another prefix length
    public void APrefixThatDoesNotFitTheAttentionIsRefusedNamingBothShapes(int p, int kvHeads, int headDim)
    {
        var attention = new AttentionShape(1, 8, 2, 10, 16, 8);
        var prefix = new PrefixShape(2, p, kvHeads, headDim);
        var error = Assert.Throws<ArgumentException>(() => LayerPrefixes.EnsureCompatible(prefix, attention));
        Assert.Contains(prefix.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(attention.ToString(), error.Message, StringComparison.Ordinal);
        var data = new AttentionTestData(attention, seed: 1);
        Assert.Throws<ArgumentException>(() => LayerPrefixes.Forward(
            prefix, new float[prefix.Length], 0, attention, data.Q, data.K, data.V, new float[attention.QueryLength], default));
    }

    [Fact]
    public void PerLayerCallsEqualDirectCallsAndLeaveOtherLayersAlone()
    {
        var attention = new AttentionShape(2, 4, 2, 9, 8, 3);
        var prefixShape = new PrefixShape(3, 3, 2, 8);
        var data = new AttentionTestData(attention, seed: 8);
        var prefixes = new float[prefixShape.Length];
        new SeededRandom(9).FillNormal(prefixes, 0f, 1f);
        const int layer = 1;

        var output = new float[attention.QueryLength];
        var lse = new float[attention.LogSumExpLength];
        LayerPrefixes.Forward(prefixShape, prefixes, layer, attention, data.Q, data.K, data.V, output, lse);
        var gradients = Enumerable.Repeat(42f, prefixShape.Length).ToArray();
        var dq = new float[attention.QueryLength];
        var dk = new float[attention.KeyValueLength];
        var dv = new float[attention.KeyValueLength];
        LayerPrefixes.Backward(prefixShape, prefixes, layer, attention, data.Q, data.K, data.V, output, lse, data.DOutput, dq, dk, dv, gradients);

        float[] keys = LayerPrefixes.Keys(prefixShape, prefixes, layer).ToArray();
        float[] values = LayerPrefixes.Values(prefixShape, prefixes, layer).ToArray();
        var direct = new AttentionTestData.Run(attention);
        CausalAttention.Forward(attention, data.Q, data.K, data.V, keys, values, direct.Output, direct.LogSumExp);
        CausalAttention.Backward(
            attention, data.Q, data.K, data.V, keys, values, direct.Output, direct.LogSumExp, data.DOutput,
            direct.Dq, direct.Dk, direct.Dv, direct.DPrefixKeys, direct.DPrefixValues);
        Close.BitEqual("output", direct.Output, output);
        Close.BitEqual("dq", direct.Dq, dq);
        Close.BitEqual("dPrefixKeys", direct.DPrefixKeys, LayerPrefixes.Keys(prefixShape, gradients, layer).ToArray());
        Close.BitEqual("dPrefixValues", direct.DPrefixValues, LayerPrefixes.Values(prefixShape, gradients, layer).ToArray());
        Assert.All(LayerPrefixes.Keys(prefixShape, gradients, 0).ToArray(), x => Assert.Equal(42f, x));
        Assert.All(LayerPrefixes.Values(prefixShape, gradients, 2).ToArray(), x => Assert.Equal(42f, x));
    }
}
