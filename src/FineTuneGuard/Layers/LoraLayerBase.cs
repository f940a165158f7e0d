using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// The base class of every <see cref="LoraLayerAttribute"/> layer: a frozen weight W (OutFeatures x InFeatures) adapted
/// as y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with A (Rank x InFeatures) and B (OutFeatures x Rank), row-major. It holds the storage
/// and every entry point; each entry point checks its buffers (messages name the layer, the method, the parameter and
/// both shapes) and then calls <see cref="Lora"/> (or <see cref="Gemm"/> when the adapter is disabled).
/// </summary>
/// <remarks>
/// <para>
/// The layer owns its trainable tensors as <see cref="Parameter"/>s named as PEFT names them (<see cref="LoraA"/> is
/// <c>{Name}.lora_A.weight</c>, <see cref="LoraB"/> is <c>{Name}.lora_B.weight</c>): hand <see cref="Parameters"/> to an
/// optimizer group as they are. <see cref="Backward"/> <b>adds</b> into their gradients, like
/// <see cref="ICausalLanguageModel.Backward"/>, so accumulation over micro-batches needs no glue; the optimizer's
/// <c>ZeroGradients</c> clears them. (The kernels in <see cref="Lora"/> overwrite: they are the low level.)
/// </para>
/// <para>
/// Merged state, as PEFT's <c>merged</c>: <see cref="MergeInto"/> sets <see cref="Merged"/> and refuses a second merge;
/// <see cref="UnmergeFrom"/> is only legal while merged; a merged layer's <see cref="Forward"/> is x·Wᵀ alone (the
/// adapter already is in W) and its <see cref="Backward"/> refuses, since the adapter cannot be trained through a merged
/// weight.
/// </para>
/// The generator derives each annotated class from this type and adds only what differs per layer: the compile-time
/// constants and <see cref="TrainableLayer{LoraLayerDefinition}.CreateDefinition"/>. Code that handles any LoRA layer (a trainer, a merge loop) takes a
/// <see cref="LoraLayerBase"/>. Without the generator, derive from it and override <see cref="TrainableLayer{LoraLayerDefinition}.CreateDefinition"/>.
/// </remarks>
public abstract class LoraLayerBase : TrainableLayer<LoraLayerDefinition>
{
    private readonly string _name;
    private readonly float _scaling;
    private readonly LoraDropout _dropout;
    private readonly Parameter[] _parameters;

    // The kernels overwrite their gradient outputs; the layer accumulates, so each backward lands here first.
    private readonly float[] _kernelGradA;
    private readonly float[] _kernelGradB;

    /// <summary>
    /// Allocates A, B and their gradients from <see cref="TrainableLayer{LoraLayerDefinition}.CreateDefinition"/> and initialises them as PEFT does
    /// (<see cref="ResetParameters"/> with <paramref name="seed"/>).
    /// </summary>
    /// <param name="seed">Seed of A's Kaiming-uniform initialisation.</param>
    protected LoraLayerBase(ulong seed = 0)
        : this(null, seed)
    {
    }

    /// <summary>
    /// For layers defined at run time (without the generator): allocates A, B and their gradients from <paramref name="definition"/>
    /// and initialises them as the seeded constructor does.
    /// </summary>
    /// <param name="definition">What the layer is.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    protected LoraLayerBase(LoraLayerDefinition definition, ulong seed = 0)
        : this((LoraLayerDefinition?)definition, seed)
    {
    }

    private LoraLayerBase(LoraLayerDefinition? given, ulong seed)
        : base(given)
    {
        LoraLayerDefinition definition = Definition;
        _name = LayerChecks.Name(definition.Name);
        Shape = new LoraShape(
            LayerChecks.Positive(definition.InFeatures, nameof(definition.InFeatures)),
            LayerChecks.Positive(definition.OutFeatures, nameof(definition.OutFeatures)),
            LayerChecks.Positive(definition.Rank, nameof(definition.Rank)));
        LayerChecks.Probability(definition.Dropout, nameof(definition.Dropout));
        _scaling = definition.Scaling;
        _dropout = new LoraDropout(definition.Dropout, seed);
        LoraA = new Parameter(_name + ".lora_A.weight", new float[Shape.ALength], trainable: true, layer: definition.Layer);
        LoraB = new Parameter(_name + ".lora_B.weight", new float[Shape.BLength], trainable: true, layer: definition.Layer);
        _parameters = new[] { LoraA, LoraB };
        _kernelGradA = new float[Shape.ALength];
        _kernelGradB = new float[Shape.BLength];
        ResetParameters(seed);
    }

    /// <summary>The shape handed to the kernels.</summary>
    public LoraShape Shape { get; }

    /// <summary>A as a trainable <see cref="Parameter"/> named <c>{Name}.lora_A.weight</c>: value <see cref="A"/>, gradient accumulated by <see cref="Backward"/>.</summary>
    public Parameter LoraA { get; }

    /// <summary>B as a trainable <see cref="Parameter"/> named <c>{Name}.lora_B.weight</c>: value <see cref="B"/>, gradient accumulated by <see cref="Backward"/>.</summary>
    public Parameter LoraB { get; }

    /// <summary>A, Rank x InFeatures, row-major (the value of <see cref="LoraA"/>).</summary>
    public float[] A => LoraA.Value;

    /// <summary>B, OutFeatures x Rank, row-major (the value of <see cref="LoraB"/>).</summary>
    public float[] B => LoraB.Value;

    /// <summary>dL/dA (Rank x InFeatures), the gradient of <see cref="LoraA"/>: <see cref="Backward"/> adds into it.</summary>
    public float[] GradA => LoraA.Gradient;

    /// <summary>dL/dB (OutFeatures x Rank), the gradient of <see cref="LoraB"/>: <see cref="Backward"/> adds into it.</summary>
    public float[] GradB => LoraB.Gradient;

    /// <summary>True between <see cref="MergeInto"/> (or <see cref="SafeMergeInto"/>) and <see cref="UnmergeFrom"/>: the adapter is folded into the base weight.</summary>
    public bool Merged { get; private set; }

    /// <summary>Adapter on (default) or off: when off, <see cref="Forward"/> computes x·Wᵀ only and <see cref="Backward"/> leaves zero adapter gradients.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Training mode (default off): <see cref="Forward"/> applies the declared <see cref="LoraLayerDefinition.Dropout"/> to
    /// the adapter path's input as PEFT's <c>lora_dropout</c> does, y = x·Wᵀ + s·((x ⊙ m)·Aᵀ)·Bᵀ with a fresh mask m per call
    /// (each element 0 with probability p, else 1/(1 − p)), and <see cref="Backward"/> uses that mask. Off, or with
    /// Dropout = 0, the layer is deterministic. Masks are drawn from the constructor's (or <see cref="ResetParameters"/>'s)
    /// seed, so a seeded run is reproducible.
    /// </summary>
    public bool Training { get; set; }

    /// <summary>The mask m of the latest training <see cref="Forward"/> (rows x InFeatures: 0 or 1/(1 − p)); empty when it applied no dropout.</summary>
    public ReadOnlySpan<float> DropoutMask => _dropout.Scale(Shape.InFeatures);

    /// <summary>
    /// Re-initialises as PEFT does: A Kaiming-uniform U(−1/√in, 1/√in) from <paramref name="seed"/> (<see cref="Lora.InitializeA"/>),
    /// B and both gradients zero; restarts the dropout mask stream from the same seed. Refused while <see cref="Merged"/>:
    /// re-initialising would leave the old adapter in the weight with no way to remove it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is merged.</exception>
    public sealed override void ResetParameters(ulong seed)
    {
        if (Merged)
        {
            throw new InvalidOperationException(_name + ".ResetParameters: the adapter is merged into its base weight; call UnmergeFrom first, or the old adapter stays in the weight.");
        }

        _dropout.Reset(seed);
        Lora.InitializeA(Shape, A, new SeededRandom(seed));
        Array.Clear(B);
        Array.Clear(GradA);
        Array.Clear(GradB);
    }

    /// <summary>The layer's trainable tensors, <see cref="LoraA"/> then <see cref="LoraB"/>, to hand to an optimizer group.</summary>
    /// <returns>The two parameters (the same instances on every call).</returns>
    public IReadOnlyList<Parameter> Parameters() => _parameters;

    /// <summary>
    /// y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ for <paramref name="rows"/> input rows (<see cref="Lora.Forward"/>); with <see cref="Training"/>
    /// and Dropout &gt; 0 the adapter path sees x ⊙ m (see <see cref="Training"/>); x·Wᵀ only when <see cref="Enabled"/> is false
    /// or the layer is <see cref="Merged"/> (then W already holds the adapter).
    /// </summary>
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
        if (Enabled && !Merged && Training && Definition.Dropout > 0f)
        {
            _dropout.Forward(Shape, _scaling, rows, x, weight, A, B, y);
            return;
        }

        _dropout.Clear();
        if (Enabled && !Merged)
        {
            Lora.Forward(Shape, _scaling, rows, x, weight, A, B, y);
        }
        else
        {
            Gemm.Multiply(false, true, rows, outF, inF, 1f, x, weight, 0f, y);
        }
    }

    /// <summary>
    /// Gradients with W frozen (<see cref="Lora.Backward"/>): adds s·(dy·B)ᵀ·x into <see cref="GradA"/> and s·dyᵀ·(x·Aᵀ) into
    /// <see cref="GradB"/> (accumulated, like every model backward), and writes dx = dy·W + s·(dy·B)·A (overwritten).
    /// When <see cref="Enabled"/> is false the adapter gradients are left as they are and dx = dy·W.
    /// After a training forward that applied dropout, x in the adapter terms is x ⊙ m with that forward's mask and
    /// dx = dy·W + m ⊙ (s·(dy·B)·A); call it with the same rows and x as that forward.
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

        if (Enabled && Merged)
        {
            throw new InvalidOperationException(
                _name + ".Backward: the adapter is merged into its base weight and cannot be trained through it; call UnmergeFrom first (or set Enabled = false to backpropagate through the merged weight alone).");
        }

        if (Enabled && _dropout.MaskRows != 0)
        {
            if (_dropout.MaskRows != rows)
            {
                throw new InvalidOperationException(
                    _name + ".Backward: the latest Forward applied dropout to " + _dropout.MaskRows + " rows; its backward needs the same rows (got " + rows + ").");
            }

            _dropout.Backward(Shape, _scaling, rows, x, weight, A, B, dy, _kernelGradA, _kernelGradB, dx);
            AccumulateKernelGradients();
            return;
        }

        if (Enabled)
        {
            Lora.Backward(Shape, _scaling, rows, x, weight, A, B, dy, _kernelGradA, _kernelGradB, dx);
            AccumulateKernelGradients();
            return;
        }

        if (!dx.IsEmpty)
        {
            Gemm.Multiply(false, false, rows, inF, outF, 1f, dy, weight, 0f, dx);
        }
    }

    /// <summary>
    /// W += s·B·A: folds the adapter into <paramref name="weight"/> (OutFeatures x InFeatures) for inference
    /// (<see cref="Lora.MergeInto"/>) and sets <see cref="Merged"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is already merged: a second merge would add the adapter twice.</exception>
    public void MergeInto(Span<float> weight)
    {
        CheckWeight(nameof(MergeInto), weight.Length);
        CheckNotMerged(nameof(MergeInto));
        Lora.MergeInto(Shape, _scaling, weight, A, B);
        Merged = true;
    }

    /// <summary>
    /// W += s·B·A into any weight-shaped buffer, without changing <see cref="Merged"/>: for a merged <em>copy</em> of the
    /// base weight (the frozen base stays as it is and the layer keeps training on it), or ΔW itself from a zero buffer.
    /// Use <see cref="MergeInto"/> for the layer's own base weight.
    /// </summary>
    /// <param name="weight">OutFeatures x InFeatures, added to in place.</param>
    public void AddDeltaTo(Span<float> weight)
    {
        CheckWeight(nameof(AddDeltaTo), weight.Length);
        Lora.MergeInto(Shape, _scaling, weight, A, B);
    }

    /// <summary>
    /// W −= s·B·A: removes the merged adapter from <paramref name="weight"/> (OutFeatures x InFeatures)
    /// (<see cref="Lora.UnmergeFrom"/>) and clears <see cref="Merged"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not merged: there is nothing to remove.</exception>
    public void UnmergeFrom(Span<float> weight)
    {
        CheckWeight(nameof(UnmergeFrom), weight.Length);
        if (!Merged)
        {
            throw new InvalidOperationException(_name + ".UnmergeFrom: the adapter is not merged; unmerging would subtract it from a weight that does not hold it.");
        }

        Lora.UnmergeFrom(Shape, _scaling, weight, A, B);
        Merged = false;
    }

    /// <summary>
    /// W += s·B·A, refusing non-finite values: throws <see cref="NonFiniteValueException"/> and leaves
    /// <paramref name="weight"/> untouched when A, B or the result has NaN/Inf (<see cref="Lora.SafeMergeInto"/>); sets
    /// <see cref="Merged"/> on success.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is already merged.</exception>
    public void SafeMergeInto(Span<float> weight)
    {
        CheckWeight(nameof(SafeMergeInto), weight.Length);
        CheckNotMerged(nameof(SafeMergeInto));
        Lora.SafeMergeInto(Shape, _scaling, weight, A, B);
        Merged = true;
    }

    private void AccumulateKernelGradients()
    {
        TensorPrimitives.Add(LoraA.Gradient, _kernelGradA, LoraA.Gradient);
        TensorPrimitives.Add(LoraB.Gradient, _kernelGradB, LoraB.Gradient);
    }

    private void CheckNotMerged(string method)
    {
        if (Merged)
        {
            throw new InvalidOperationException(_name + "." + method + ": the adapter is already merged into its base weight; a second merge would add it twice (call UnmergeFrom first).");
        }
    }

    private void CheckWeight(string method, int length)
        => LayerChecks.Shape(_name, method, "weight", length, Shape.OutFeatures, Shape.InFeatures, "OutFeatures x InFeatures");
}
