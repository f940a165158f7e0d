using System;
using FineTuneGuard.Kernels;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// General matrix multiply on row-major float32 spans: C (m x n) = alpha·op(A)·op(B) + beta·C.
/// Packed panels, cache blocking and an FMA register-blocked micro-kernel (AVX-512 14 x 32, AVX2 6 x 16, portable 4 x 4),
/// multi-threaded over tiles of C. Results are bit-identical for any <see cref="MaxDegreeOfParallelism"/> and between the
/// AVX-512 and AVX2 paths, because every element is reduced with fma in the same k order, cut at the same block boundaries.
/// When beta is 0, C is not read (NaN in C does not propagate). No allocation in steady state on one thread.
/// </summary>
public static class Gemm
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// Threads a multiply may use (default <see cref="Environment.ProcessorCount"/>); values &lt; 1 throw. Also bounds the
    /// <see cref="Lora"/> and <see cref="Adapter"/> kernels, which run on this GEMM.
    /// </summary>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegreeOfParallelism;
        set
        {
            Guard.Positive(value);
            s_maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Forces the Vector256 (AVX2) micro-kernel even where AVX-512 exists (tests exercise both paths).</summary>
    internal static bool ForceVector256 { get; set; }

    /// <summary>Forces the portable scalar micro-kernel (tests exercise it on machines with vectors).</summary>
    internal static bool ForceScalar { get; set; }

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C with op(A) m x k (A stored m x k, or k x m when <paramref name="transposeA"/>) and
    /// op(B) k x n (B stored k x n, or n x k when <paramref name="transposeB"/>).
    /// </summary>
    /// <param name="transposeA">A is stored k x m.</param>
    /// <param name="transposeB">B is stored n x k.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Reduction length.</param>
    /// <param name="alpha">Multiplier of the product.</param>
    /// <param name="a">A, m·k elements.</param>
    /// <param name="b">B, k·n elements.</param>
    /// <param name="beta">Multiplier of the previous C (0: C is overwritten without being read).</param>
    /// <param name="c">C, m·n elements, in/out.</param>
    public static unsafe void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        Guard.Positive(m);
        Guard.Positive(n);
        Guard.Positive(k);
        Guard.Shape(a.Length, transposeA ? k : m, transposeA ? m : k);
        Guard.Shape(b.Length, transposeB ? n : k, transposeB ? k : n);
        Guard.Shape(c.Length, m, n);

        fixed (float* pa = a, pb = b, pc = c)
        {
            GemmTerm term = new(pa, transposeA ? m : k, transposeA, pb, transposeB ? k : n, transposeB, k, 1f);
            GemmDriver.Run(m, n, alpha, beta, pc, n, term, default, 1);
        }
    }
}
