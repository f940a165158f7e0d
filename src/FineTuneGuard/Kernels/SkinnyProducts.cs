using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Products with a tiny dimension (the LoRA rank), where a packed GEMM would waste most of a register tile:
/// C (m x r) = X (m x k) · Aᵀ with A r x k is m·r dot products of length k. Four ranks at a time share each load of an X
/// row (which stays in L1) against four rows of A (from L2): five loads per four FMAs. Deterministic: fixed lane
/// accumulation order, one horizontal sum per element.
/// </summary>
internal static unsafe class SkinnyProducts
{
    // Below this many multiply-adds a second thread costs more than it saves.
    private const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// c[i·r + j] = Σ_p x[i·k + p]·a[j·k + p] for i &lt; m, j &lt; r; rows split over threads when large (each element is
    /// computed by the same code whatever the split).
    /// </summary>
    public static void MultiplyTransposed(int m, int r, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> a, Span<float> c)
    {
        fixed (float* px = x, pa = a, pc = c)
        {
            int threads = Math.Max(1, Math.Min(Gemm.MaxDegreeOfParallelism, Environment.ProcessorCount));
            if (threads == 1 || (long)m * r * k < ParallelThreshold || m < 2 * threads)
            {
                Rows(0, m, r, k, px, pa, pc);
            }
            else
            {
                RunParallel(new Job(m, r, k, px, pa, pc), threads);
            }
        }
    }

    private static void RunParallel(Job job, int threads)
        => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part => job.Run(part, threads));

    private static void Rows(int row0, int row1, int r, int k, float* px, float* pa, float* pc)
    {
        bool wide = Avx512F.IsSupported && !Gemm.ForceVector256 && !Gemm.ForceScalar;
        bool narrow = !wide && Fma.IsSupported && !Gemm.ForceScalar;
        for (int i = row0; i < row1; i++)
        {
            float* row = px + ((long)i * k);
            float* output = pc + ((long)i * r);
            int j = 0;
            for (; j <= r - 4; j += 4)
            {
                float* a0 = pa + ((long)j * k);
                if (wide)
                {
                    Dot4x512(row, a0, k, output + j);
                }
                else if (narrow)
                {
                    Dot4x256(row, a0, k, output + j);
                }
                else
                {
                    Dot4Scalar(row, a0, k, 0, output + j, 0f, 0f, 0f, 0f);
                }
            }

            for (; j < r; j++)
            {
                output[j] = DotScalar(row, pa + ((long)j * k), k);
            }
        }
    }

    /// <summary>Writes the transpose of a rows x cols matrix: dst[j·rows + i] = src[i·cols + j].</summary>
    public static void Transpose(int rows, int cols, ReadOnlySpan<float> src, Span<float> dst)
    {
        // Tiles of 16 x 16 keep both the reads and the strided writes inside a few cache lines.
        const int Tile = 16;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(cols, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[(i * cols) + j];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x512(float* x, float* a, int k, float* output)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            Vector512<float> v = Vector512.Load(x + p);
            s0 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(a + p), s0);
            s1 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(a + k + p), s1);
            s2 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(a + (2L * k) + p), s2);
            s3 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(a + (3L * k) + p), s3);
        }

        Dot4Scalar(x, a, k, p, output, Vector512.Sum(s0), Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x256(float* x, float* a, int k, float* output)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p <= k - 8; p += 8)
        {
            Vector256<float> v = Vector256.Load(x + p);
            s0 = Fma.MultiplyAdd(v, Vector256.Load(a + p), s0);
            s1 = Fma.MultiplyAdd(v, Vector256.Load(a + k + p), s1);
            s2 = Fma.MultiplyAdd(v, Vector256.Load(a + (2L * k) + p), s2);
            s3 = Fma.MultiplyAdd(v, Vector256.Load(a + (3L * k) + p), s3);
        }

        Dot4Scalar(x, a, k, p, output, Vector256.Sum(s0), Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3));
    }

    // The scalar tail p0..k of four dot products, added to the vector parts.
    private static void Dot4Scalar(float* x, float* a, int k, int p0, float* output, float s0, float s1, float s2, float s3)
    {
        for (int p = p0; p < k; p++)
        {
            float v = x[p];
            s0 = MathF.FusedMultiplyAdd(v, a[p], s0);
            s1 = MathF.FusedMultiplyAdd(v, a[k + p], s1);
            s2 = MathF.FusedMultiplyAdd(v, a[(2L * k) + p], s2);
            s3 = MathF.FusedMultiplyAdd(v, a[(3L * k) + p], s3);
        }

        output[0] = s0;
        output[1] = s1;
        output[2] = s2;
        output[3] = s3;
    }

    private readonly struct Job
    {
        private readonly int _m, _r, _k;
        private readonly float* _x, _a, _c;

        public Job(int m, int r, int k, float* x, float* a, float* c)
        {
            _m = m;
            _r = r;
            _k = k;
            _x = x;
            _a = a;
            _c = c;
        }

        public void Run(int part, int parts)
            => Rows((int)((long)_m * part / parts), (int)((long)_m * (part + 1) / parts), _r, _k, _x, _a, _c);
    }

    private static float DotScalar(float* x, float* a, int k)
    {
        float sum = 0f;
        for (int p = 0; p < k; p++)
        {
            sum = MathF.FusedMultiplyAdd(x[p], a[p], sum);
        }

        return sum;
    }
}
