using System;
using System.ComponentModel;

namespace FineTuneGuard;

/// <summary>
/// The state and entry points of one <see cref="LoraLayerAttribute"/> layer, shared by every generated class: a frozen
/// weight W (OutFeatures x InFeatures) adapted as y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with A (Rank x InFeatures) and B
/// (OutFeatures x Rank), row-major. Every entry point checks its buffers (messages name the layer, the method, the
/// parameter and both shapes) and then calls <see cref="Lora"/> (or <see cref="Gemm"/> when the adapter is disabled).
/// Generated layer classes hold one of these and forward to it; use the generated members.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LoraLayerCore
{
    private readonly string _name;

    /// <summary>Allocates A, B and their gradients (all zero) for a layer named <paramref name="layerName"/> in messages.</summary>
    /// <param name="layerName">The layer's name in shape-check messages (the generated class's name).</param>
    /// <param name="inFeatures">Input width (columns of W and of A).</param>
    /// <param name="outFeatures">Output width (rows of W and of B).</param>
    /// <param name="rank">Rank r of the update B·A.</param>
    /// <param name="scaling">s = alpha / r, or alpha / √r with rsLoRA.</param>
    public LoraLayerCore(string layerName, int inFeatures, int outFeatures, int rank, float scaling)
    {
        _name = LayerChecks.Name(layerName);
        Shape = new LoraShape(LayerChecks.Positive(inFeatures, nameof(inFeatures)), LayerChecks.Positive(outFeatures, nameof(outFeatures)), LayerChecks.Positive(rank, nameof(rank)));
        Scaling = scaling;
        A = new float[Shape.ALength];
        B = new float[Shape.BLength];
        GradA = new float[Shape.ALength];
        GradB = new float[Shape.BLength];
    }

    /// <summary>The shape handed to the kernels.</summary>
    public LoraShape Shape { get; }

    /// <summary>The scaling s.</summary>
    public float Scaling { get; }

    /// <summary>A, Rank x InFeatures, row-major.</summary>
    public float[] A { get; }

    /// <summary>B, OutFeatures x Rank, row-major.</summary>
    public float[] B { get; }

    /// <summary>dL/dA (Rank x InFeatures), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradA { get; }

    /// <summary>dL/dB (OutFeatures x Rank), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradB { get; }

    /// <summary>Adapter on (default) or off: when off, <see cref="Forward"/> computes x·Wᵀ only and <see cref="Backward"/> leaves zero adapter gradients.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Re-initialises as PEFT does: A Kaiming-uniform U(−1/√in, 1/√in) from <paramref name="seed"/> (<see cref="Lora.InitializeA"/>), B and both gradients zero.</summary>
    public void ResetParameters(ulong seed)
    {
        Lora.InitializeA(Shape, A, new SeededRandom(seed));
        Array.Clear(B);
        Array.Clear(GradA);
        Array.Clear(GradB);
    }

    /// <summary>y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ for <paramref name="rows"/> input rows (<see cref="Lora.Forward"/>); x·Wᵀ only when <see cref="Enabled"/> is false.</summary>
    /// <param name="rows">Number of input rows (tokens).</param>
    /// <param name="x">Input, rows x InFeatures.</param>
    /// <param name="weight">The frozen base weight W, OutFeatures x InFeatures.</param>
    /// <param name="y">Output, rows x OutFeatures (overwritten).</param>
    public void Forward(int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y)
    {
        int inF = Shape.InFeatures, outF = Shape.OutFeatures;
        LayerChecks.Rows(_name, nameof(Forward), rows);
        LayerChecks.Shape(_name, nameof(Forward), nameof(x), x.Length, rows, inF, "rows x InFeatures");
        LayerChecks.Shape(_name, nameof(Forward), nameof(weight), weight.Length, outF, inF, "OutFeatures x InFeatures");
        LayerChecks.Shape(_name, nameof(Forward), nameof(y), y.Length, rows, outF, "rows x OutFeatures");
        if (Enabled)
        {
            Lora.Forward(Shape, Scaling, rows, x, weight, A, B, y);
        }
        else
        {
            Gemm.Multiply(false, true, rows, outF, inF, 1f, x, weight, 0f, y);
        }
    }

    /// <summary>
    /// Gradients with W frozen (<see cref="Lora.Backward"/>): <see cref="GradA"/> = s·(dy·B)ᵀ·x, <see cref="GradB"/> = s·dyᵀ·(x·Aᵀ)
    /// and dx = dy·W + s·(dy·B)·A, all overwritten. When <see cref="Enabled"/> is false: zero adapter gradients and dx = dy·W.
    /// </summary>
    /// <param name="rows">Number of input rows (tokens).</param>
    /// <param name="x">The forward input, rows x InFeatures.</param>
    /// <param name="weight">The frozen base weight W, OutFeatures x InFeatures.</param>
    /// <param name="dy">dL/dy, rows x OutFeatures.</param>
    /// <param name="dx">dL/dx, rows x InFeatures (overwritten), or empty to skip it.</param>
    public void Backward(int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int inF = Shape.InFeatures, outF = Shape.OutFeatures;
        LayerChecks.Rows(_name, nameof(Backward), rows);
        LayerChecks.Shape(_name, nameof(Backward), nameof(x), x.Length, rows, inF, "rows x InFeatures");
        LayerChecks.Shape(_name, nameof(Backward), nameof(weight), weight.Length, outF, inF, "OutFeatures x InFeatures");
        LayerChecks.Shape(_name, nameof(Backward), nameof(dy), dy.Length, rows, outF, "rows x OutFeatures");
        if (!dx.IsEmpty)
        {
            LayerChecks.Shape(_name, nameof(Backward), nameof(dx), dx.Length, rows, inF, "rows x InFeatures");
        }

        if (Enabled)
        {
            Lora.Backward(Shape, Scaling, rows, x, weight, A, B, dy, GradA, GradB, dx);
            return;
        }

        Array.Clear(GradA);
        Array.Clear(GradB);
        if (!dx.IsEmpty)
        {
            Gemm.Multiply(false, false, rows, inF, outF, 1f, dy, weight, 0f, dx);
        }
    }

    /// <summary>W += s·B·A: folds the adapter into <paramref name="weight"/> (OutFeatures x InFeatures) for inference (<see cref="Lora.MergeInto"/>).</summary>
    public void MergeInto(Span<float> weight)
    {
        CheckWeight(nameof(MergeInto), weight.Length);
        Lora.MergeInto(Shape, Scaling, weight, A, B);
    }

    /// <summary>W −= s·B·A: removes a merged adapter from <paramref name="weight"/> (OutFeatures x InFeatures) (<see cref="Lora.UnmergeFrom"/>).</summary>
    public void UnmergeFrom(Span<float> weight)
    {
        CheckWeight(nameof(UnmergeFrom), weight.Length);
        Lora.UnmergeFrom(Shape, Scaling, weight, A, B);
    }

    /// <summary>
    /// W += s·B·A, refusing non-finite values: throws <see cref="NonFiniteValueException"/> and leaves
    /// <paramref name="weight"/> untouched when A, B or the result has NaN/Inf (<see cref="Lora.SafeMergeInto"/>).
    /// </summary>
    public void SafeMergeInto(Span<float> weight)
    {
        CheckWeight(nameof(SafeMergeInto), weight.Length);
        Lora.SafeMergeInto(Shape, Scaling, weight, A, B);
    }

    private void CheckWeight(string method, int length)
        => LayerChecks.Shape(_name, method, "weight", length, Shape.OutFeatures, Shape.InFeatures, "OutFeatures x InFeatures");
}
