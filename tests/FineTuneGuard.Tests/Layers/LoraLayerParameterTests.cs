using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.Tests.Kernels;

namespace FineTuneGuard.Tests.Layers;

/// <summary>
/// A LoRA layer owns its tensors as <see cref="Parameter"/>s named as PEFT names them, its backward adds into their
/// gradients (the model contract), and it keeps PEFT's merged state so that an adapter is never applied twice.
/// </summary>
[Collection(KernelTestCollection.Name)]
public class LoraLayerParameterTests
{
    private static HandWrittenLora Layer(ulong seed)
    {
        var layer = new HandWrittenLora(new LoraLayerDefinition("model.layers.0.self_attn.q_proj", 10, 12, 3, 7f) { Layer = 0 });
        layer.ResetParameters(seed);
        new SeededRandom(seed + 1000).FillUniform(layer.B, -1f, 1f);
        return layer;
    }

    private static float[] Random(int length, ulong seed)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, -1f, 1f);
        return values;
    }

    [Fact]
    public void ParametersAreTheLayersOwnBuffersUnderPeftNames()
    {
        HandWrittenLora layer = Layer(3);
        IReadOnlyList<Parameter> parameters = layer.Parameters();
        Assert.Equal(2, parameters.Count);
        Assert.Same(layer.LoraA, parameters[0]);
        Assert.Same(layer.LoraB, parameters[1]);
        Assert.Equal("model.layers.0.self_attn.q_proj.lora_A.weight", layer.LoraA.Name);
        Assert.Equal("model.layers.0.self_attn.q_proj.lora_B.weight", layer.LoraB.Name);
        Assert.Same(layer.A, layer.LoraA.Value);
        Assert.Same(layer.B, layer.LoraB.Value);
        Assert.Same(layer.GradA, layer.LoraA.Gradient);
        Assert.Same(layer.GradB, layer.LoraB.Gradient);
        Assert.True(layer.LoraA.Trainable);
        Assert.Equal(0, layer.LoraA.Layer);
        Assert.Equal(-1, new HandWrittenLora(new LoraLayerDefinition("p", 4, 4, 2, 2f)).LoraB.Layer);
    }

    [Fact]
    public void BackwardAccumulatesIntoTheParameterGradients()
    {
        var shape = new LoraShape(10, 12, 3);
        const float s = 7f / 3f;
        HandWrittenLora layer = Layer(5);
        float[] x1 = Random(20, 1), x2 = Random(20, 11), w = Random(120, 2), dy1 = Random(24, 3), dy2 = Random(24, 13);

        var gradA1 = new float[30];
        var gradB1 = new float[36];
        var gradA2 = new float[30];
        var gradB2 = new float[36];
        Lora.Backward(shape, s, 2, x1, w, layer.A, layer.B, dy1, gradA1, gradB1, Span<float>.Empty);
        Lora.Backward(shape, s, 2, x2, w, layer.A, layer.B, dy2, gradA2, gradB2, Span<float>.Empty);

        layer.Backward(2, x1, w, dy1, Span<float>.Empty);
        Assert.Equal(gradA1, layer.GradA);
        layer.Backward(2, x2, w, dy2, Span<float>.Empty);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(gradA1[i] + gradA2[i], layer.GradA[i]);
        }

        for (int i = 0; i < 36; i++)
        {
            Assert.Equal(gradB1[i] + gradB2[i], layer.GradB[i]);
        }

        // The optimizer's ZeroGradients clears the layer's own buffers: no second gradient copy exists.
        var optimizer = new AdamW(new[] { new ParameterGroup("lora", 1e-3f) { layer.LoraA, layer.LoraB } });
        optimizer.ZeroGradients();
        Assert.All(layer.GradA, v => Assert.Equal(0f, v));
        Assert.All(layer.GradB, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ASecondMergeIsRefusedAndTheWeightIsUntouched()
    {
        HandWrittenLora layer = Layer(7);
        float[] w = Random(120, 2);
        float[] once = w.ToArray();
        layer.MergeInto(once);
        Assert.True(layer.Merged);
        float[] before = once.ToArray();

        var twice = Assert.Throws<InvalidOperationException>(() => layer.MergeInto(once));
        Assert.Contains("already merged", twice.Message);
        Assert.Contains("model.layers.0.self_attn.q_proj.MergeInto", twice.Message);
        Assert.Equal(before, once);
        Assert.Throws<InvalidOperationException>(() => layer.SafeMergeInto(once));
        Assert.Throws<InvalidOperationException>(() => layer.ResetParameters(1));

        layer.UnmergeFrom(once);
        Assert.False(layer.Merged);
        var notMerged = Assert.Throws<InvalidOperationException>(() => layer.UnmergeFrom(once));
        Assert.Contains("not merged", notMerged.Message);
    }

    [Fact]
    public void AMergedLayerForwardsThroughTheMergedWeightAloneAndRefusesBackward()
    {
        HandWrittenLora layer = Layer(9);
        float[] x = Random(20, 1), w = Random(120, 2);
        var unmergedY = new float[24];
        layer.Forward(2, x, w, unmergedY);

        float[] merged = w.ToArray();
        layer.MergeInto(merged);
        var mergedY = new float[24];
        layer.Forward(2, x, merged, mergedY);
        var baseOnly = new float[24];
        Gemm.Multiply(false, true, 2, 12, 10, 1f, x, merged, 0f, baseOnly);
        Assert.Equal(baseOnly, mergedY);
        for (int i = 0; i < 24; i++)
        {
            Assert.Equal(unmergedY[i], mergedY[i], 4);
        }

        Assert.Throws<InvalidOperationException>(() => layer.Backward(2, x, merged, new float[24], Span<float>.Empty));
    }

    [Fact]
    public void AddDeltaToLeavesTheLayerUnmerged()
    {
        HandWrittenLora layer = Layer(11);
        var delta = new float[120];
        layer.AddDeltaTo(delta);
        var expected = new float[120];
        Lora.MergeInto(new LoraShape(10, 12, 3), 7f / 3f, expected, layer.A, layer.B);
        Assert.Equal(expected, delta);
        Assert.False(layer.Merged);
        layer.AddDeltaTo(delta);
        Assert.False(layer.Merged);
    }
}
