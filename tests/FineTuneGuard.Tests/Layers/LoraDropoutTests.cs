using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Tests.Kernels;

namespace FineTuneGuard.Tests.Layers;

/// <summary>
/// PEFT's lora_dropout in <see cref="LoraLayerBase"/>: off by default and with p = 0 the layer is the deterministic
/// kernel; in training the adapter path sees x ⊙ m, the backward uses the same mask, and masks are seeded.
/// </summary>
[Collection(KernelTestCollection.Name)]
public class LoraDropoutTests
{
    private const int Rows = 16;
    private const int In = 64;
    private const int Out = 24;
    private const int Rank = 4;

    private static float[] Random(int length, ulong seed)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, -1f, 1f);
        return values;
    }

    private static HandWrittenLora Layer(float dropout, ulong seed = 3)
    {
        var layer = new HandWrittenLora(new LoraLayerDefinition("Proj", In, Out, Rank, 8f, Dropout: dropout), seed);
        new SeededRandom(seed + 100).FillUniform(layer.B, -1f, 1f);
        return layer;
    }

    private static float[] Kernel(HandWrittenLora layer, float[] x, float[] w)
    {
        var y = new float[Rows * Out];
        Lora.Forward(layer.Shape, layer.Definition.Scaling, Rows, x, w, layer.A, layer.B, y);
        return y;
    }

    [Theory]
    [InlineData(0.3f, false)]
    [InlineData(0f, true)]
    public void WithoutTrainingOrWithoutDropoutTheLayerIsTheKernelBitForBit(float dropout, bool training)
    {
        HandWrittenLora layer = Layer(dropout);
        layer.Training = training;
        float[] x = Random(Rows * In, 1), w = Random(Out * In, 2);
        var y = new float[Rows * Out];
        layer.Forward(Rows, x, w, y);
        Assert.Equal(Kernel(layer, x, w), y);
        Assert.True(layer.DropoutMask.IsEmpty);
    }

    [Fact]
    public void TrainingForwardDropsTheAdapterInputOnly()
    {
        const float p = 0.25f;
        HandWrittenLora layer = Layer(p);
        layer.Training = true;
        float[] x = Random(Rows * In, 1), w = Random(Out * In, 2);
        var y = new float[Rows * Out];
        layer.Forward(Rows, x, w, y);

        float[] mask = layer.DropoutMask.ToArray();
        Assert.Equal(Rows * In, mask.Length);
        Assert.All(mask, m => Assert.True(m == 0f || m == 1f / (1f - p)));
        double dropped = mask.Count(m => m == 0f) / (double)mask.Length;
        Assert.InRange(dropped, p - 0.05, p + 0.05); // 1,024 Bernoulli draws: sd 0.014

        // y = x·Wᵀ + s·((x ⊙ m)·Aᵀ)·Bᵀ, from the kernels: x·Wᵀ from the undropped input, the low-rank term from x ⊙ m.
        float[] xm = x.Zip(mask, (a, b) => a * b).ToArray();
        var baseOut = new float[Rows * Out];
        Gemm.Multiply(false, true, Rows, Out, In, 1f, x, w, 0f, baseOut);
        var zeroW = new float[Out * In];
        var adapterOut = new float[Rows * Out];
        Lora.Forward(layer.Shape, layer.Definition.Scaling, Rows, xm, zeroW, layer.A, layer.B, adapterOut);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.Equal(baseOut[i] + adapterOut[i], y[i], 1e-4f);
        }
    }

    [Fact]
    public void TrainingBackwardUsesTheForwardMask()
    {
        HandWrittenLora layer = Layer(0.4f);
        layer.Training = true;
        float[] x = Random(Rows * In, 1), w = Random(Out * In, 2), dy = Random(Rows * Out, 4);
        var y = new float[Rows * Out];
        layer.Forward(Rows, x, w, y);
        float[] mask = layer.DropoutMask.ToArray();
        var dx = new float[Rows * In];
        layer.Backward(Rows, x, w, dy, dx);

        // dA, dB: the LoRA gradients of x ⊙ m. dx = dy·W + m ⊙ (s·(dy·B)·A): the kernel's dx for input x ⊙ m is
        // dy·W + s·(dy·B)·A, so subtract dy·W, mask, add dy·W back.
        float[] xm = x.Zip(mask, (a, b) => a * b).ToArray();
        var da = new float[Rank * In];
        var db = new float[Out * Rank];
        var kernelDx = new float[Rows * In];
        Lora.Backward(layer.Shape, layer.Definition.Scaling, Rows, xm, w, layer.A, layer.B, dy, da, db, kernelDx);
        Assert.Equal(da, layer.GradA);
        Assert.Equal(db, layer.GradB);
        var dyW = new float[Rows * In];
        Gemm.Multiply(false, false, Rows, In, Out, 1f, dy, w, 0f, dyW);
        for (int i = 0; i < dx.Length; i++)
        {
            float expected = dyW[i] + (mask[i] * (kernelDx[i] - dyW[i]));
            Assert.Equal(expected, dx[i], 1e-4f);
            if (mask[i] == 0f)
            {
                Assert.Equal(dyW[i], dx[i], 1e-5f); // a dropped input reaches the loss through W only
            }
        }
    }

    [Fact]
    public void MasksAreSeededAndResetParametersRestartsThem()
    {
        float[] x = Random(Rows * In, 1), w = Random(Out * In, 2);
        var y = new float[Rows * Out];
        float[] Mask(HandWrittenLora layer)
        {
            layer.Forward(Rows, x, w, y);
            return layer.DropoutMask.ToArray();
        }

        HandWrittenLora first = Layer(0.5f, seed: 9), second = Layer(0.5f, seed: 9);
        first.Training = second.Training = true;
        float[] a1 = Mask(first), a2 = Mask(first);
        Assert.Equal(a1, Mask(second));
        Assert.NotEqual(a1, a2); // a fresh mask per forward
        first.ResetParameters(9);
        Assert.Equal(a1, Mask(first));
    }

    [Fact]
    public void BackwardAfterADroppedForwardOfOtherRowsThrows()
    {
        HandWrittenLora layer = Layer(0.2f);
        layer.Training = true;
        float[] x = Random(Rows * In, 1), w = Random(Out * In, 2);
        layer.Forward(Rows, x, w, new float[Rows * Out]);
        var ex = Assert.Throws<InvalidOperationException>(() => layer.Backward(Rows / 2, x.AsSpan(0, (Rows / 2) * In), w, new float[(Rows / 2) * Out], Span<float>.Empty));
        Assert.Contains("Proj.Backward", ex.Message);
        Assert.Contains("same rows", ex.Message);
    }

    [Fact]
    public void DropoutOutsideZeroToOneIsRejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new HandWrittenLora(new LoraLayerDefinition("Proj", In, Out, Rank, 8f, Dropout: 1f)));
}
