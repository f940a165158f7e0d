using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Tests.Kernels;

namespace FineTuneGuard.Tests.Layers;

/// <summary>
/// The runtime base classes of the generated layer classes: bad-input messages name the layer, the method, the parameter and
/// both shapes; forward, backward and merges equal the kernels they forward to, bit for bit.
/// </summary>
[Collection(KernelTestCollection.Name)]
public class LayerCoreTests
{
    private static float[] Random(int length, ulong seed)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, -1f, 1f);
        return values;
    }

    private static HandWrittenLora Lora10x12(ulong seed)
    {
        var core = new HandWrittenLora(new LoraLayerDefinition("Proj", 10, 12, 3, 7f));
        core.ResetParameters(seed);
        new SeededRandom(seed + 1000).FillUniform(core.B, -1f, 1f);
        return core;
    }

    [Fact]
    public void LoraInitialisationIsPeftsAndMatchesTheKernel()
    {
        var core = new HandWrittenLora(new LoraLayerDefinition("Proj", 10, 12, 3, 6f));
        core.GradA[0] = 1f;
        core.B[0] = 1f;
        core.ResetParameters(42);
        var expected = new float[30];
        Lora.InitializeA(new LoraShape(10, 12, 3), expected, new SeededRandom(42));
        Assert.Equal(expected, core.A);
        Assert.All(core.B, v => Assert.Equal(0f, v));
        Assert.All(core.GradA, v => Assert.Equal(0f, v));
        Assert.Equal(36, core.B.Length);
        Assert.True(core.Enabled);
    }

    [Fact]
    public void LoraForwardBackwardAndMergesEqualTheKernelsBitForBit()
    {
        var shape = new LoraShape(10, 12, 3);
        const float s = 7f / 3f;
        HandWrittenLora core = Lora10x12(5);
        float[] x = Random(20, 1), w = Random(120, 2), dy = Random(24, 3);

        var y = new float[24];
        var expectedY = new float[24];
        core.Forward(2, x, w, y);
        Lora.Forward(shape, s, 2, x, w, core.A, core.B, expectedY);
        Assert.Equal(expectedY, y);

        var dx = new float[20];
        var expectedDx = new float[20];
        var gradA = new float[30];
        var gradB = new float[36];
        core.Backward(2, x, w, dy, dx);
        Lora.Backward(shape, s, 2, x, w, core.A, core.B, dy, gradA, gradB, expectedDx);
        Assert.Equal(expectedDx, dx);
        Assert.Equal(gradA, core.GradA);
        Assert.Equal(gradB, core.GradB);

        float[] merged = w.ToArray(), expectedMerged = w.ToArray();
        core.MergeInto(merged);
        Lora.MergeInto(shape, s, expectedMerged, core.A, core.B);
        Assert.Equal(expectedMerged, merged);
        core.UnmergeFrom(merged);
        Lora.UnmergeFrom(shape, s, expectedMerged, core.A, core.B);
        Assert.Equal(expectedMerged, merged);
        core.SafeMergeInto(merged);
        Lora.SafeMergeInto(shape, s, expectedMerged, core.A, core.B);
        Assert.Equal(expectedMerged, merged);
    }

    [Fact]
    public void DisabledLoraIsTheBaseLayerAndAddsNoAdapterGradient()
    {
        HandWrittenLora core = Lora10x12(5);
        core.Enabled = false;
        float[] x = Random(20, 1), w = Random(120, 2), dy = Random(24, 3);
        var y = new float[24];
        var expected = new float[24];
        core.Forward(2, x, w, y);
        Gemm.Multiply(false, true, 2, 12, 10, 1f, x, w, 0f, expected);
        Assert.Equal(expected, y);

        core.GradA[0] = 5f;
        var dx = new float[20];
        var expectedDx = new float[20];
        core.Backward(2, x, w, dy, dx);
        Gemm.Multiply(false, false, 2, 10, 12, 1f, dy, w, 0f, expectedDx);
        Assert.Equal(expectedDx, dx);
        // Backward accumulates: a disabled adapter adds nothing, so what was there stays.
        Assert.Equal(5f, core.GradA[0]);
        Assert.All(core.GradA.Skip(1), v => Assert.Equal(0f, v));
        Assert.All(core.GradB, v => Assert.Equal(0f, v));
        core.Backward(2, x, w, dy, Span<float>.Empty); // dx optional
    }

    [Fact]
    public void LoraShapeMessagesNameTheLayerMethodParameterAndBothShapes()
    {
        var core = new HandWrittenLora(new LoraLayerDefinition("Block.Proj", 10, 12, 3, 3f));
        var merge = Assert.Throws<ArgumentException>(() => core.MergeInto(new float[100]));
        Assert.Equal("Block.Proj.MergeInto: 'weight' must be OutFeatures x InFeatures = 12 x 10 = 120 elements; got 100. (Parameter 'weight')", merge.Message);
        Assert.Equal("weight", merge.ParamName);

        var x = Assert.Throws<ArgumentException>(() => core.Forward(2, new float[19], new float[120], new float[24]));
        Assert.StartsWith("Block.Proj.Forward: 'x' must be rows x InFeatures = 2 x 10 = 20 elements; got 19.", x.Message);
        Assert.Equal("x", x.ParamName);

        var y = Assert.Throws<ArgumentException>(() => core.Forward(2, new float[20], new float[120], new float[23]));
        Assert.StartsWith("Block.Proj.Forward: 'y' must be rows x OutFeatures = 2 x 12 = 24 elements; got 23.", y.Message);

        var dx = Assert.Throws<ArgumentException>(() => core.Backward(2, new float[20], new float[120], new float[24], new float[3]));
        Assert.StartsWith("Block.Proj.Backward: 'dx' must be rows x InFeatures = 2 x 10 = 20 elements; got 3.", dx.Message);

        var rows = Assert.Throws<ArgumentOutOfRangeException>(() => core.Forward(0, default, new float[120], default));
        Assert.StartsWith("Block.Proj.Forward: 'rows' must be > 0; got 0.", rows.Message);
        Assert.Equal("rows", rows.ParamName);

        Assert.Throws<ArgumentException>(() => core.UnmergeFrom(new float[121]));
        Assert.Throws<ArgumentException>(() => core.SafeMergeInto(new float[0]));
    }

    [Fact]
    public void LoraSafeMergeRefusesNonFiniteAdapters()
    {
        HandWrittenLora core = Lora10x12(1);
        core.B[0] = float.NaN;
        var w = new float[120];
        Assert.Throws<NonFiniteValueException>(() => core.SafeMergeInto(w));
        Assert.All(w, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void CoresRejectNonPositiveDimensions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenLora(new LoraLayerDefinition("P", 0, 4, 1, 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenLora(new LoraLayerDefinition("P", 4, 4, 0, 1f)));
        Assert.Throws<ArgumentNullException>(() => new HandWrittenLora(new LoraLayerDefinition(null!, 4, 4, 1, 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenAdapter(new BottleneckAdapterDefinition("A", 8, -1, true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenPrefix(new PrefixTuningDefinition("P", 1, 1, 1, 1, -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenPrompt(new PromptTuningDefinition("P", 0, 4)));
    }

    [Fact]
    public void AdapterForwardBackwardEqualTheKernelsAndStartsAsIdentity()
    {
        var core = new HandWrittenAdapter(new BottleneckAdapterDefinition("Adapter", 16, 4, HasBias: true)) { Activation = AdapterActivation.Gelu };
        core.ResetParameters(3);
        float[] x = Random(32, 1), dy = Random(32, 2);
        var pre = new float[8];
        var y = new float[32];
        core.Forward(2, x, pre, y);
        Assert.Equal(x, y); // Up = 0: identity at initialisation

        new SeededRandom(9).FillUniform(core.Up, -1f, 1f);
        new SeededRandom(10).FillUniform(core.UpBias, -1f, 1f);
        var expectedPre = new float[8];
        var expectedY = new float[32];
        core.Forward(2, x, pre, y);
        Adapter.Forward(core.Shape, AdapterActivation.Gelu, 2, x, core.Down, core.DownBias, core.Up, core.UpBias, expectedPre, expectedY);
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedPre, pre);

        var dx = new float[32];
        var expectedDx = new float[32];
        float[] gDown = new float[64], gDownBias = new float[4], gUp = new float[64], gUpBias = new float[16];
        core.Backward(2, x, pre, dy, dx);
        Adapter.Backward(core.Shape, AdapterActivation.Gelu, 2, x, core.Down, core.Up, pre, dy, gDown, gDownBias, gUp, gUpBias, expectedDx);
        Assert.Equal(expectedDx, dx);
        Assert.Equal(gDown, core.GradDown);
        Assert.Equal(gUpBias, core.GradUpBias);

        core.Enabled = false;
        core.Forward(2, x, pre, y);
        Assert.Equal(x, y);
        core.Backward(2, x, pre, dy, dx);
        Assert.Equal(dy, dx);
        Assert.All(core.GradDown, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AdapterWithoutBiasHasEmptyBiasesAndNamedShapeMessages()
    {
        var core = new HandWrittenAdapter(new BottleneckAdapterDefinition("Adapter", 16, 4, HasBias: false));
        Assert.Empty(core.DownBias);
        Assert.Empty(core.GradUpBias);
        var ex = Assert.Throws<ArgumentException>(() => core.Forward(2, new float[32], new float[7], new float[32]));
        Assert.StartsWith("Adapter.Forward: 'preActivation' must be rows x Bottleneck = 2 x 4 = 8 elements; got 7.", ex.Message);
        Assert.Equal("preActivation", ex.ParamName);
        var dx = Assert.Throws<ArgumentException>(() => core.Backward(1, new float[16], new float[4], new float[16], new float[15]));
        Assert.StartsWith("Adapter.Backward: 'dx' must be rows x ModelDim = 1 x 16 = 16 elements; got 15.", dx.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => core.Backward(-1, default, default, default, default));
    }

    [Fact]
    public void PrefixWithoutProjectionIsAnEmbeddingWithKeyAndValueViews()
    {
        var core = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 3, 2, 2, 4, 0));
        core.ResetParameters(7);
        var expected = new float[3 * 2 * 2 * 8];
        new SeededRandom(7).FillNormal(expected, 0f, 1f);
        Assert.Equal(expected, core.KeyValues);
        Assert.Equal(expected.Length, core.GradKeyValues.Length);
        Assert.Empty(core.ProjectionUp);
        Assert.Equal(expected.AsSpan(((2 * 2) + 1) * 16, 16).ToArray(), core.Values(2).ToArray());
        Assert.Equal(expected.AsSpan(((1 * 2) + 0) * 16, 16).ToArray(), core.Keys(1).ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => core.Keys(3));
        Assert.StartsWith("layer must be in [0, 3).", ex.Message);
        Assert.Equal("layer", ex.ParamName);
    }

    [Fact]
    public void PrefixWithProjectionInitialisesTheMlpAsPeft()
    {
        var core = new HandWrittenPrefix(new PrefixTuningDefinition("Prefix", 2, 3, 2, 4, 5));
        core.KeyValues[0] = 1f;
        core.ResetParameters(11);
        Assert.All(core.KeyValues, v => Assert.Equal(0f, v));
        Assert.Equal(core.KeyValues.Length, core.GradKeyValues.Length);
        Assert.Equal(3 * 8, core.PrefixEmbedding.Length);
        Assert.Equal(5 * 8, core.ProjectionDown.Length);
        Assert.Equal(2 * 2 * 8 * 5, core.ProjectionUp.Length);
        Assert.Equal(2 * 2 * 8, core.GradProjectionUpBias.Length);
        float bound = 1f / MathF.Sqrt(8);
        Assert.All(core.ProjectionDown, v => Assert.InRange(v, -bound, bound));
        var random = new SeededRandom(11);
        var embedding = new float[24];
        random.FillNormal(embedding, 0f, 1f);
        Assert.Equal(embedding, core.PrefixEmbedding);
    }

    [Fact]
    public void PromptIsNormalWithTokenViews()
    {
        var core = new HandWrittenPrompt(new PromptTuningDefinition("Prompt", 4, 3));
        core.ResetParameters(2);
        var expected = new float[12];
        new SeededRandom(2).FillNormal(expected, 0f, 1f);
        Assert.Equal(expected, core.Embeddings);
        Assert.Equal(new[] { expected[9], expected[10], expected[11] }, core.Token(3).ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => core.Token(4));
        Assert.StartsWith("index must be in [0, 4).", ex.Message);
    }
}
