using System;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard;

/// <summary>
/// The base class of every <see cref="BottleneckAdapterAttribute"/> layer: y = x + act(x·Downᵀ + bd)·Upᵀ + bu with Down
/// (Bottleneck x ModelDim) and Up (ModelDim x Bottleneck), row-major, and optional biases (empty arrays without them).
/// Up starts at zero so that the adapter starts as the identity. Every entry point checks its buffers (messages name the
/// layer, the method, the parameter and both shapes) and then calls <see cref="Adapter"/>.
/// </summary>
/// <remarks>
/// The generator derives each annotated class from this type and adds only the compile-time constants and
/// <see cref="TrainableLayer{BottleneckAdapterDefinition}.CreateDefinition"/>. Without the generator, derive from it and override <see cref="TrainableLayer{BottleneckAdapterDefinition}.CreateDefinition"/>.
/// </remarks>
public abstract class BottleneckAdapterBase : TrainableLayer<BottleneckAdapterDefinition>
{
    private readonly string _name;

    /// <summary>
    /// Allocates the projections, biases and gradients from <see cref="TrainableLayer{BottleneckAdapterDefinition}.CreateDefinition"/> and initialises them
    /// (<see cref="ResetParameters"/> with <paramref name="seed"/>): Down random, Up and biases zero.
    /// </summary>
    /// <param name="seed">Seed of Down's initialisation.</param>
    protected BottleneckAdapterBase(ulong seed = 0)
        : this(null, seed)
    {
    }

    /// <summary>
    /// For layers defined at run time (without the generator): allocates the projections, biases and gradients from <paramref name="definition"/>
    /// and initialises them as the seeded constructor does.
    /// </summary>
    /// <param name="definition">What the layer is.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    protected BottleneckAdapterBase(BottleneckAdapterDefinition definition, ulong seed = 0)
        : this((BottleneckAdapterDefinition?)definition, seed)
    {
    }

    private BottleneckAdapterBase(BottleneckAdapterDefinition? given, ulong seed)
        : base(given)
    {
        BottleneckAdapterDefinition definition = Definition;
        _name = LayerChecks.Name(definition.Name);
        int modelDim = LayerChecks.Positive(definition.ModelDim, nameof(definition.ModelDim));
        int bottleneck = LayerChecks.Positive(definition.Bottleneck, nameof(definition.Bottleneck));
        bool hasBias = definition.HasBias;
        Shape = new AdapterShape(modelDim, bottleneck);
        Down = new float[Shape.DownLength];
        Up = new float[Shape.UpLength];
        GradDown = new float[Shape.DownLength];
        GradUp = new float[Shape.UpLength];
        DownBias = hasBias ? new float[bottleneck] : Array.Empty<float>();
        UpBias = hasBias ? new float[modelDim] : Array.Empty<float>();
        GradDownBias = hasBias ? new float[bottleneck] : Array.Empty<float>();
        GradUpBias = hasBias ? new float[modelDim] : Array.Empty<float>();
        ResetParameters(seed);
    }

    /// <summary>The shape handed to the kernels.</summary>
    public AdapterShape Shape { get; }

    /// <summary>Down projection, Bottleneck x ModelDim, row-major.</summary>
    public float[] Down { get; }

    /// <summary>Down bias, length Bottleneck (empty without biases).</summary>
    public float[] DownBias { get; }

    /// <summary>Up projection, ModelDim x Bottleneck, row-major.</summary>
    public float[] Up { get; }

    /// <summary>Up bias, length ModelDim (empty without biases).</summary>
    public float[] UpBias { get; }

    /// <summary>dL/dDown (Bottleneck x ModelDim), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradDown { get; }

    /// <summary>dL/dDownBias (Bottleneck), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradDownBias { get; }

    /// <summary>dL/dUp (ModelDim x Bottleneck), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradUp { get; }

    /// <summary>dL/dUpBias (ModelDim), overwritten by <see cref="Backward"/>.</summary>
    public float[] GradUpBias { get; }

    /// <summary>The activation between the projections. Default ReLU.</summary>
    public AdapterActivation Activation { get; set; } = AdapterActivation.Relu;

    /// <summary>Adapter on (default) or off: when off the layer is the identity (y = x, dx = dy, zero gradients).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Re-initialises: Down from <paramref name="seed"/> (<see cref="Adapter.InitializeDown"/>), Up, biases and gradients zero.</summary>
    public sealed override void ResetParameters(ulong seed)
    {
        Adapter.InitializeDown(Shape, Down, new SeededRandom(seed));
        Array.Clear(DownBias);
        Array.Clear(Up);
        Array.Clear(UpBias);
        ClearGradients();
    }

    /// <summary>y = x + act(x·Downᵀ + bd)·Upᵀ + bu for <paramref name="rows"/> rows (<see cref="Adapter.Forward"/>); y = x when <see cref="Enabled"/> is false.</summary>
    /// <param name="rows">Number of rows (tokens).</param>
    /// <param name="x">Input, rows x ModelDim.</param>
    /// <param name="preActivation">rows x Bottleneck, written here and read by <see cref="Backward"/>.</param>
    /// <param name="y">Output, rows x ModelDim (overwritten).</param>
    public void Forward(int rows, ReadOnlySpan<float> x, Span<float> preActivation, Span<float> y)
    {
        int d = Shape.ModelDim, b = Shape.Bottleneck;
        LayerChecks.Rows(_name, nameof(Forward), rows);
        LayerChecks.Shape(_name, nameof(Forward), nameof(x), x.Length, rows, d, "rows x ModelDim");
        LayerChecks.Shape(_name, nameof(Forward), nameof(preActivation), preActivation.Length, rows, b, "rows x Bottleneck");
        LayerChecks.Shape(_name, nameof(Forward), nameof(y), y.Length, rows, d, "rows x ModelDim");
        if (Enabled)
        {
            Adapter.Forward(Shape, Activation, rows, x, Down, DownBias, Up, UpBias, preActivation, y);
        }
        else
        {
            x.CopyTo(y);
        }
    }

    /// <summary>Gradients of Down, Up, their biases and the input (<see cref="Adapter.Backward"/>), all overwritten; dx = dy and zero gradients when <see cref="Enabled"/> is false.</summary>
    /// <param name="rows">Number of rows (tokens).</param>
    /// <param name="x">The forward input, rows x ModelDim.</param>
    /// <param name="preActivation">The buffer <see cref="Forward"/> filled, rows x Bottleneck.</param>
    /// <param name="dy">dL/dy, rows x ModelDim.</param>
    /// <param name="dx">dL/dx, rows x ModelDim (overwritten).</param>
    public void Backward(int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int d = Shape.ModelDim, b = Shape.Bottleneck;
        LayerChecks.Rows(_name, nameof(Backward), rows);
        LayerChecks.Shape(_name, nameof(Backward), nameof(x), x.Length, rows, d, "rows x ModelDim");
        LayerChecks.Shape(_name, nameof(Backward), nameof(preActivation), preActivation.Length, rows, b, "rows x Bottleneck");
        LayerChecks.Shape(_name, nameof(Backward), nameof(dy), dy.Length, rows, d, "rows x ModelDim");
        LayerChecks.Shape(_name, nameof(Backward), nameof(dx), dx.Length, rows, d, "rows x ModelDim");
        if (Enabled)
        {
            Adapter.Backward(Shape, Activation, rows, x, Down, Up, preActivation, dy, GradDown, GradDownBias, GradUp, GradUpBias, dx);
            return;
        }

        ClearGradients();
        dy.CopyTo(dx);
    }

    private void ClearGradients()
    {
        Array.Clear(GradDown);
        Array.Clear(GradDownBias);
        Array.Clear(GradUp);
        Array.Clear(GradUpBias);
    }
}
