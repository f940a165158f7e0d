using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;

namespace FineTuneGuard.Kernels;

/// <summary>
/// C (m x n) = alpha·Aᵀ·B for a tiny m (the LoRA rank) with A stored k x m and B stored k x n, both row-major: the
/// LoRA weight gradients dA = s·(dy·B)ᵀ·x and dBᵀ = s·(x·Aᵀ)ᵀ·dy. The packed GEMM would copy all of B (the activations,
/// megabytes) into panels and pad m to its 14-row tile; here B is streamed in place, 32 (AVX-512) or 16 (AVX2) columns
/// at a time against 8 rows of A (a zero-padded k x 8 copy, kilobytes): 16 (or 8) accumulators, two loads of B and
/// eight broadcasts per k step. Every element is accumulated with fma in k order in every path (vector lanes and the
/// scalar column tail alike), so the split over threads (whole column blocks) does not change a bit.
/// </summary>
internal static unsafe class SmallRankProducts
{
    private const int Rows = 8;
    private const long ParallelThreshold = 1L << 21;

    /// <summary>C = alpha·Aᵀ·B; C is m x n with row stride n and is overwritten.</summary>
    public static void MultiplyTransposedA(int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float* c)
    {
        float[] packed = ArrayPool<float>.Shared.Rent((k * Rows) + 16);
        try
        {
            fixed (float* pp = packed)
            {
                float* panel = (float*)(((nuint)pp + 63) & ~(nuint)63);
                for (int i0 = 0; i0 < m; i0 += Rows)
                {
                    int rows = Math.Min(Rows, m - i0);
                    for (int p = 0; p < k; p++)
                    {
                        for (int i = 0; i < Rows; i++)
                        {
                            panel[(p * Rows) + i] = i < rows ? a[((long)p * lda) + i0 + i] : 0f;
                        }
                    }

                    var job = new Job(rows, n, k, alpha, panel, b, ldb, c + ((long)i0 * n));
                    int threads = Math.Max(1, Math.Min(Gemm.MaxDegreeOfParallelism, Environment.ProcessorCount));
                    if (threads == 1 || (long)n * k * Rows < ParallelThreshold)
                    {
                        job.Run(0, 1);
                    }
                    else
                    {
                        RunParallel(job, threads);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    private static void RunParallel(Job job, int threads)
        => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part => job.Run(part, threads));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Columns512(int col0, int col1, int rows, int n, int k, float alpha, float* panel, float* b, int ldb, float* c)
    {
        int col = col0;
        for (; col <= col1 - 32; col += 32)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            float* a = panel;
            float* bp = b + col;
            for (int p = 0; p < k; p++)
            {
                Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16);
                Vector512<float> s;
                s = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(s, b0, c00); c01 = Avx512F.FusedMultiplyAdd(s, b1, c01);
                s = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(s, b0, c10); c11 = Avx512F.FusedMultiplyAdd(s, b1, c11);
                s = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(s, b0, c20); c21 = Avx512F.FusedMultiplyAdd(s, b1, c21);
                s = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(s, b0, c30); c31 = Avx512F.FusedMultiplyAdd(s, b1, c31);
                s = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(s, b0, c40); c41 = Avx512F.FusedMultiplyAdd(s, b1, c41);
                s = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(s, b0, c50); c51 = Avx512F.FusedMultiplyAdd(s, b1, c51);
                s = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(s, b0, c60); c61 = Avx512F.FusedMultiplyAdd(s, b1, c61);
                s = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(s, b0, c70); c71 = Avx512F.FusedMultiplyAdd(s, b1, c71);
                a += Rows;
                bp += ldb;
            }

            Vector512<float> va = Vector512.Create(alpha);
            float* o = c + col;
            Store(o, 0, rows, n, c00 * va, c01 * va);
            Store(o, 1, rows, n, c10 * va, c11 * va);
            Store(o, 2, rows, n, c20 * va, c21 * va);
            Store(o, 3, rows, n, c30 * va, c31 * va);
            Store(o, 4, rows, n, c40 * va, c41 * va);
            Store(o, 5, rows, n, c50 * va, c51 * va);
            Store(o, 6, rows, n, c60 * va, c61 * va);
            Store(o, 7, rows, n, c70 * va, c71 * va);
        }

        return col;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Columns256(int col0, int col1, int rows, int n, int k, float alpha, float* panel, float* b, int ldb, float* c)
    {
        int col = col0;
        for (; col <= col1 - 8; col += 8)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* a = panel;
            float* bp = b + col;
            for (int p = 0; p < k; p++)
            {
                Vector256<float> b0 = Vector256.Load(bp);
                c0 = Fma.MultiplyAdd(Vector256.Create(a[0]), b0, c0);
                c1 = Fma.MultiplyAdd(Vector256.Create(a[1]), b0, c1);
                c2 = Fma.MultiplyAdd(Vector256.Create(a[2]), b0, c2);
                c3 = Fma.MultiplyAdd(Vector256.Create(a[3]), b0, c3);
                c4 = Fma.MultiplyAdd(Vector256.Create(a[4]), b0, c4);
                c5 = Fma.MultiplyAdd(Vector256.Create(a[5]), b0, c5);
                c6 = Fma.MultiplyAdd(Vector256.Create(a[6]), b0, c6);
                c7 = Fma.MultiplyAdd(Vector256.Create(a[7]), b0, c7);
                a += Rows;
                bp += ldb;
            }

            Vector256<float> va = Vector256.Create(alpha);
            float* o = c + col;
            Store(o, 0, rows, n, c0 * va);
            Store(o, 1, rows, n, c1 * va);
            Store(o, 2, rows, n, c2 * va);
            Store(o, 3, rows, n, c3 * va);
            Store(o, 4, rows, n, c4 * va);
            Store(o, 5, rows, n, c5 * va);
            Store(o, 6, rows, n, c6 * va);
            Store(o, 7, rows, n, c7 * va);
        }

        return col;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* o, int row, int rows, int n, Vector256<float> v)
    {
        if (row < rows)
        {
            v.Store(o + ((long)row * n));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* o, int row, int rows, int n, Vector512<float> v0, Vector512<float> v1)
    {
        if (row < rows)
        {
            v0.Store(o + ((long)row * n));
            v1.Store(o + ((long)row * n) + 16);
        }
    }

    // Columns [col0, col1) one at a time, in the same fma order as the vector lanes.
    private static void ColumnsScalar(int col0, int col1, int rows, int n, int k, float alpha, float* panel, float* b, int ldb, float* c)
    {
        for (int col = col0; col < col1; col++)
        {
            for (int i = 0; i < rows; i++)
            {
                float acc = 0f;
                for (int p = 0; p < k; p++)
                {
                    acc = MathF.FusedMultiplyAdd(panel[(p * Rows) + i], b[((long)p * ldb) + col], acc);
                }

                c[((long)i * n) + col] = acc * alpha;
            }
        }
    }

    private readonly struct Job
    {
        private readonly int _rows, _n, _k, _ldb;
        private readonly float _alpha;
        private readonly float* _panel, _b, _c;

        public Job(int rows, int n, int k, float alpha, float* panel, float* b, int ldb, float* c)
        {
            _rows = rows;
            _n = n;
            _k = k;
            _alpha = alpha;
            _panel = panel;
            _b = b;
            _ldb = ldb;
            _c = c;
        }

        // Parts are whole blocks of 32 columns, so every column is computed by the same code whatever the thread count.
        public void Run(int part, int parts)
        {
            int blocks = (_n + 31) / 32;
            int col0 = Math.Min(_n, (int)((long)blocks * part / parts) * 32);
            int col1 = Math.Min(_n, (int)((long)blocks * (part + 1) / parts) * 32);
            int col = col0;
            if (Avx512F.IsSupported && !Gemm.ForceVector256 && !Gemm.ForceScalar)
            {
                col = Columns512(col0, col1, _rows, _n, _k, _alpha, _panel, _b, _ldb, _c);
            }
            else if (Fma.IsSupported && !Gemm.ForceScalar)
            {
                col = Columns256(col0, col1, _rows, _n, _k, _alpha, _panel, _b, _ldb, _c);
            }

            ColumnsScalar(col, col1, _rows, _n, _k, _alpha, _panel, _b, _ldb, _c);
        }
    }
}
