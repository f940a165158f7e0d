using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
#if !NET9_0_OR_GREATER
using System.Runtime.Intrinsics.X86;
#endif

namespace FineTuneGuard.Attention;

/// <summary>
/// One SIMD width as a type, so that each attention tile kernel is written once and the JIT specialises it for
/// <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> and plain <see cref="float"/> (the scalar fallback, one lane).
/// Every member is a static abstract: with a struct type argument the calls inline to single instructions.
/// </summary>
/// <typeparam name="TVector">The register type.</typeparam>
internal unsafe interface IFloatLanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats from <paramref name="source"/> (no alignment required).</summary>
    static abstract TVector Load(float* source);

    /// <summary>Stores <see cref="Count"/> floats to <paramref name="destination"/>.</summary>
    static abstract void Store(float* destination, TVector value);

    /// <summary>Every lane = <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>Lane-wise a·b.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>Lane-wise a − b.</summary>
    static abstract TVector Subtract(TVector a, TVector b);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>Lane-wise max(a, b).</summary>
    static abstract TVector Max(TVector a, TVector b);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVector value);

    /// <summary>Largest lane.</summary>
    static abstract float MaxLane(TVector value);

    /// <summary>e^x for the softmax's x ≤ 0 (see <see cref="SoftmaxExp"/>): ≤ 2 ulp, exactly 0 below -87.3 and for -∞.</summary>
    static abstract TVector Exp(TVector x);
}

/// <summary>512-bit lanes (16 floats), AVX-512F.</summary>
internal readonly unsafe struct Lanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector512<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxLane(Vector512<float> value)
        => Lanes256.MaxLane(Vector256.Max(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x) => SoftmaxExp.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
#if NET9_0_OR_GREATER
        => Vector512.FusedMultiplyAdd(a, b, c);
#else
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : (a * b) + c;
#endif
}

/// <summary>256-bit lanes (8 floats), AVX2/FMA (or any 256-bit accelerated ISA).</summary>
internal readonly unsafe struct Lanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector256<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxLane(Vector256<float> value)
    {
        Vector128<float> m = Vector128.Max(value.GetLower(), value.GetUpper());
        return System.MathF.Max(System.MathF.Max(m.GetElement(0), m.GetElement(1)), System.MathF.Max(m.GetElement(2), m.GetElement(3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) => SoftmaxExp.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
#if NET9_0_OR_GREATER
        => Vector256.FusedMultiplyAdd(a, b, c);
#else
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;
#endif
}

/// <summary>One scalar lane: the portable fallback, and the reference path the vector paths are tested against.</summary>
internal readonly unsafe struct Lanes1 : IFloatLanes<float>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, float value) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => System.MathF.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxLane(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x) => System.MathF.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => System.MathF.FusedMultiplyAdd(a, b, c);
}
