using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;
using FineTuneGuard.Tests.Layers;

namespace FineTuneGuard.Tests.EndToEnd;

/// <summary>
/// The attention entry points of <see cref="PrefixTuningBase"/> and <see cref="PromptTuningBase"/> (what the generated
/// [PrefixTuning] / [PromptTuning] classes inherit): the <see cref="LayerPrefixes"/> layout, the MLP lifecycle and
/// the bad-input errors. Bit-for-bit and finite-difference checks through generated classes live in the generator tests.
/// </summary>
public class PrefixPromptCoreAttentionTests
{
    [Fact]
    public void PrefixCoreShapeIsTheLayerPrefixesShapeWithKvHeads()
    {
        var core = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 3, 4, 2, 5, 0));
        Assert.Equal(new PrefixShape(3, 4, 2, 5), core.Shape);
        Assert.Equal(core.Shape.Length, core.KeyValues.Length);
        Assert.Equal(core.Shape.Length, core.GradKeyValues.Length);
        core.ResetParameters(3);
        Assert.Equal(LayerPrefixes.Keys(core.Shape, core.KeyValues, 1).ToArray(), core.Keys(1).ToArray());
        Assert.Equal(LayerPrefixes.Values(core.Shape, core.KeyValues, 2).ToArray(), core.Values(2).ToArray());
    }

    [Fact]
    public void PrefixCoreRejectsAnAttentionShapeOfAnotherHeadWidthNamingBothShapes()
    {
        var core = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 2, 3, 2, 4, 0));
        var attention = new AttentionShape(1, 4, 2, 2, 8, 3);
        var ex = Assert.Throws<ArgumentException>(() => core.AttentionForward(
            0, attention, new float[attention.QueryLength], new float[attention.KeyValueLength], new float[attention.KeyValueLength],
            new float[attention.QueryLength], new float[attention.LogSumExpLength]));
        Assert.Contains(core.Shape.ToString(), ex.Message);
        Assert.Contains(attention.ToString(), ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => core.AttentionForward(
            2, new AttentionShape(1, 2, 2, 1, 4, 3), new float[8], new float[8], new float[8], new float[8], new float[2]));
    }

    [Fact]
    public void EncoderMembersNeedTheMlpAndTheBackwardNeedsTheForward()
    {
        var plain = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 2, 3, 2, 4, 0));
        Assert.Throws<InvalidOperationException>(plain.EncoderForward);
        Assert.Throws<InvalidOperationException>(plain.EncoderBackward);
        Assert.Throws<InvalidOperationException>(plain.Fold);

        var encoded = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 2, 3, 2, 4, 5));
        encoded.ResetParameters(4);
        Assert.Equal(encoded.KeyValues.Length, encoded.GradKeyValues.Length);
        var ex = Assert.Throws<InvalidOperationException>(encoded.EncoderBackward);
        Assert.Contains("EncoderForward", ex.Message);
        encoded.EncoderForward();
        float[] trained = encoded.KeyValues.ToArray();
        encoded.Fold();
        Assert.Equal(trained, encoded.KeyValues);
        encoded.EncoderBackward();
        Assert.All(encoded.GradProjectionUp, g => Assert.Equal(0f, g));
        encoded.ResetParameters(4);
        Assert.Throws<InvalidOperationException>(encoded.EncoderBackward);
    }

    [Fact]
    public void PromptCoreIsTheSoftPromptOfItsShape()
    {
        var core = new HandWrittenPrompt(new PromptTuningDefinition("Prompt", 3, 4));
        core.ResetParameters(5);
        Assert.Equal(new SoftPromptShape(2, 3, 5, 4), core.PromptShape(2, 5));
        float[] x = new float[2 * 5 * 4];
        new SeededRandom(6).FillUniform(x, -1f, 1f);
        var y = new float[2 * 8 * 4];
        core.Prepend(2, 5, x, y);
        var expected = new float[y.Length];
        SoftPrompt.Prepend(core.PromptShape(2, 5), core.Embeddings, x, expected);
        Assert.Equal(expected, y);

        core.BackwardSlice(2, 5, y, default);
        var gradient = new float[core.Embeddings.Length];
        SoftPrompt.BackwardSlice(core.PromptShape(2, 5), y, gradient, default);
        Assert.Equal(gradient, core.GradEmbeddings);

        var mask = new bool[2 * 8];
        core.PrependPaddingMask(2, 5, Enumerable.Repeat(false, 10).ToArray(), mask);
        Assert.Equal(new[] { true, true, true, false, false, false, false, false }, mask.Take(8));
        Assert.Throws<ArgumentException>(() => core.Prepend(2, 5, x.AsSpan(1), y));
    }
}
