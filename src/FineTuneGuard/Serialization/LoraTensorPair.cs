using System;
using System.Globalization;
using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Serialization;

/// <summary>
/// The LoRA factors of one adapted linear module as PEFT stores them: A of shape [r, in] and B of shape [out, r]
/// (row-major float32 here), with the rank, alpha and scaling that apply to this module after <c>rank_pattern</c>,
/// <c>alpha_pattern</c> and rsLoRA are taken into account.
/// </summary>
public sealed class LoraTensorPair
{
    /// <summary>Creates a pair, checking that A and B fit the shape.</summary>
    /// <param name="modulePath">The module's name in the base model, e.g. <c>model.layers.0.self_attn.q_proj</c>.</param>
    /// <param name="inFeatures">Columns of A (the module's input width).</param>
    /// <param name="outFeatures">Rows of B (the module's output width).</param>
    /// <param name="rank">r: rows of A, columns of B.</param>
    /// <param name="a">A, [r, in] row-major.</param>
    /// <param name="b">B, [out, r] row-major.</param>
    /// <param name="alpha">The alpha that applies to this module.</param>
    /// <param name="useRsLora">Scale by alpha/√r instead of alpha/r.</param>
    /// <param name="dtype">The dtype the factors are stored as in the adapter file.</param>
    public LoraTensorPair(string modulePath, int inFeatures, int outFeatures, int rank, float[] a, float[] b, double alpha, bool useRsLora, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        ModulePath = modulePath ?? throw new ArgumentNullException(nameof(modulePath));
        if (inFeatures <= 0 || outFeatures <= 0 || rank <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"Module '{modulePath}': in ({inFeatures}), out ({outFeatures}) and rank ({rank}) must be > 0.");
        }

        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != (long)rank * inFeatures)
        {
            throw new ArgumentException($"Module '{modulePath}': 'a' must have shape [{rank} x {inFeatures}] ({(long)rank * inFeatures} elements); got {a.Length} elements.", nameof(a));
        }

        if (b.Length != (long)outFeatures * rank)
        {
            throw new ArgumentException($"Module '{modulePath}': 'b' must have shape [{outFeatures} x {rank}] ({(long)outFeatures * rank} elements); got {b.Length} elements.", nameof(b));
        }

        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"Module '{modulePath}': LoRA factors must be stored as a float dtype; got {dtype.ToFormatName()}.", nameof(dtype));
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Rank = rank;
        A = a;
        B = b;
        Alpha = alpha;
        UseRsLora = useRsLora;
        DType = dtype;
    }

    /// <summary>The module's name in the base model, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public string ModulePath { get; }

    /// <summary>The module's own name, the last segment of <see cref="ModulePath"/> (e.g. <c>q_proj</c>).</summary>
    public string ModuleName => ModulePath[(ModulePath.LastIndexOf('.') + 1)..];

    /// <summary>The decoder layer index (the first all-digit segment of the path), or null when there is none.</summary>
    public int? LayerIndex
    {
        get
        {
            foreach (string segment in ModulePath.Split('.'))
            {
                if (segment.Length > 0 && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    return index;
                }
            }

            return null;
        }
    }

    /// <summary>The module's input width (columns of A).</summary>
    public int InFeatures { get; }

    /// <summary>The module's output width (rows of B).</summary>
    public int OutFeatures { get; }

    /// <summary>r.</summary>
    public int Rank { get; }

    /// <summary>A, [r, in] row-major.</summary>
    public float[] A { get; }

    /// <summary>B, [out, r] row-major.</summary>
    public float[] B { get; }

    /// <summary>The alpha that applies to this module.</summary>
    public double Alpha { get; }

    /// <summary>True for rank-stabilised LoRA.</summary>
    public bool UseRsLora { get; }

    /// <summary>The dtype the factors are stored as in the adapter file.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>alpha/r, or alpha/√r with rsLoRA: the factor of B·A added to the base weight.</summary>
    public float Scaling => ParameterArithmetic.LoraScaling((float)Alpha, Rank, UseRsLora);

    /// <summary>Trainable parameters: r·(in + out).</summary>
    public long ParameterCount => ParameterArithmetic.Lora(InFeatures, OutFeatures, Rank);

    /// <summary>The adapter file's name for A: <c>base_model.model.{module}.lora_A.weight</c>.</summary>
    public string ATensorName => PeftLoraAdapter.TensorPrefix + ModulePath + ".lora_A.weight";

    /// <summary>The adapter file's name for B: <c>base_model.model.{module}.lora_B.weight</c>.</summary>
    public string BTensorName => PeftLoraAdapter.TensorPrefix + ModulePath + ".lora_B.weight";

    /// <summary>The base checkpoint's name for the weight this pair adapts: <c>{module}.weight</c>.</summary>
    public string BaseWeightName => ModulePath + ".weight";

    /// <summary>The runtime's shape of this pair (W is out x in, A is r x in, B is out x r).</summary>
    public LoraShape Shape => new(InFeatures, OutFeatures, Rank);

    /// <summary>
    /// A pair from a runtime LoRA layer (e.g. a generated <c>[LoraLayer]</c> class: its <c>A</c>, <c>B</c> and shape
    /// constants), to be saved with PEFT's names under <paramref name="modulePath"/>.
    /// </summary>
    public static LoraTensorPair FromLayer(string modulePath, LoraShape shape, ReadOnlySpan<float> a, ReadOnlySpan<float> b, double alpha, bool useRsLora = false, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        Guard.Shape(a.Length, shape.Rank, shape.InFeatures);
        Guard.Shape(b.Length, shape.OutFeatures, shape.Rank);
        return new LoraTensorPair(modulePath, shape.InFeatures, shape.OutFeatures, shape.Rank, a.ToArray(), b.ToArray(), alpha, useRsLora, dtype);
    }

    /// <summary>Copies the factors into a runtime layer's buffers (A is r x in, B is out x r), checking the shapes.</summary>
    public void CopyTo(LoraShape shape, Span<float> a, Span<float> b)
    {
        if (shape != Shape)
        {
            throw new ArgumentException($"Module '{ModulePath}' has shape {Shape}; the layer has {shape}.", nameof(shape));
        }

        Guard.Shape(a.Length, shape.Rank, shape.InFeatures);
        Guard.Shape(b.Length, shape.OutFeatures, shape.Rank);
        A.CopyTo(a);
        B.CopyTo(b);
    }

    /// <summary>
    /// W += s·B·A with the runtime's merge kernel. <paramref name="weight"/> is the base weight as float32, [out, in]
    /// row-major, or [in, out] when <paramref name="fanInFanOut"/> (GPT-2's Conv1D), where the update is (B·A)ᵀ.
    /// With <paramref name="safe"/>, a NaN or infinity in A, B or the result throws
    /// <see cref="NonFiniteValueException"/> and leaves <paramref name="weight"/> untouched.
    /// </summary>
    public void MergeInto(Span<float> weight, bool fanInFanOut = false, bool safe = false)
    {
        LoraShape shape = Shape;
        ReadOnlySpan<float> a = A;
        ReadOnlySpan<float> b = B;
        if (safe && fanInFanOut)
        {
            // Check the factors under their own names and indices before the transposed copies hide both.
            Guard.AllFinite(A, "a");
            Guard.AllFinite(B, "b");
        }

        if (fanInFanOut)
        {
            // (B·A)ᵀ = Aᵀ·Bᵀ: the same kernel on the transposed problem, with Bᵀ (r x out) as "A" and Aᵀ (in x r) as "B".
            shape = new LoraShape(OutFeatures, InFeatures, Rank);
            a = Transpose(B, OutFeatures, Rank);
            b = Transpose(A, Rank, InFeatures);
        }

        if (safe)
        {
            Lora.SafeMergeInto(shape, Scaling, weight, a, b);
        }
        else
        {
            Lora.MergeInto(shape, Scaling, weight, a, b);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ModulePath}: r={Rank}, in={InFeatures}, out={OutFeatures}, alpha={Alpha}, scaling={Scaling}";

    private static float[] Transpose(float[] matrix, int rows, int cols)
    {
        float[] result = new float[matrix.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                result[(j * rows) + i] = matrix[(i * cols) + j];
            }
        }

        return result;
    }
}
