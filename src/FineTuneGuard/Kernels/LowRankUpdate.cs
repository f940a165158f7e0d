using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The rank-r update behind LoRA merge / unmerge: dst[o, :] = W[o, :] + Σ_j (factor·B[o, j])·A[j, :], streaming W once.
/// Each output element is computed as W + d with d = c_0·a_0 followed by d = fma(c_j, a_j, d) for j = 1..r-1, in every
/// path (AVX-512 8 rows x 32 columns, AVX2 4 x 16, scalar tails), so merge followed by unmerge subtracts the very same d
/// it added and the result is independent of the thread count and of the row/column blocking.
/// </summary>
internal static unsafe class LowRankUpdate
{
    // Below this many multiply-adds a second thread costs more than it saves.
    private const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// dst = W + factor·B·A for W (rows x cols), A (rank x cols), B (rows x rank). dst may be W (in place) or a buffer of
    /// the same shape. Multi-threaded over row blocks when large.
    /// </summary>
    public static void Apply(int rows, int cols, int rank, float factor, float* w, float* a, float* b, float* dst)
    {
        float[] packed = ArrayPool<float>.Shared.Rent((rank * cols) + 16);
        try
        {
            fixed (float* pp = packed)
            {
                float* panels = PackA(cols, rank, a, pp);
                int threads = Math.Max(1, Math.Min(Gemm.MaxDegreeOfParallelism, Environment.ProcessorCount));
                if (threads == 1 || (long)rows * cols * rank < ParallelThreshold || rows < 16)
                {
                    Rows(0, rows, cols, rank, factor, w, a, panels, b, dst);
                    return;
                }

                RunParallel(new Job(rows, cols, rank, factor, w, a, panels, b, dst), threads);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>
    /// Copies A (rank x cols) into column panels of the vector block width (32 with AVX-512, 16 with AVX2), each panel
    /// rank x width contiguous, so the block kernels read A sequentially instead of touching `rank` rows (pages) apart;
    /// at r = 64 the row-strided reads cost more than the FMAs. Columns past the last full panel are read from A itself.
    /// Returns the 64-byte-aligned start of the panels inside <paramref name="buffer"/> (rank·cols + 16 floats).
    /// </summary>
    private static float* PackA(int cols, int rank, float* a, float* buffer)
    {
        float* panels = (float*)(((nuint)buffer + 63) & ~(nuint)63);
        int width = BlockWidth();
        for (int col = 0; col <= cols - width; col += width)
        {
            float* panel = panels + ((long)col * rank);
            for (int j = 0; j < rank; j++)
            {
                new ReadOnlySpan<float>(a + ((long)j * cols) + col, width).CopyTo(new Span<float>(panel + ((long)j * width), width));
            }
        }

        return panels;
    }

    private static int BlockWidth() => Avx512F.IsSupported && !Gemm.ForceVector256 && !Gemm.ForceScalar ? 32 : 16;

    /// <summary>
    /// The update restricted to rows [row0, row1); the pointers address row 0 of W, B and dst; <paramref name="panels"/> is A
    /// packed by <see cref="PackA"/>.
    /// </summary>
    public static void Rows(int row0, int row1, int cols, int rank, float factor, float* w, float* a, float* panels, float* b, float* dst)
    {
        // Per row block: the r coefficients factor·B[o, j] of each row, broadcast from L1 inside the column loop.
        float[]? rented = null;
        Span<float> coefficients = rank <= 256 ? stackalloc float[8 * rank] : (rented = ArrayPool<float>.Shared.Rent(8 * rank));
        try
        {
            fixed (float* coef = coefficients)
            {
                int o = row0;
                if (Avx512F.IsSupported && !Gemm.ForceVector256 && !Gemm.ForceScalar)
                {
                    for (; o <= row1 - 8; o += 8)
                    {
                        Coefficients(8, rank, factor, b + ((long)o * rank), coef);
                        int done = Block8x32(cols, rank, coef, w + ((long)o * cols), panels, dst + ((long)o * cols));
                        ScalarColumns(8, done, cols, rank, coef, w + ((long)o * cols), a, dst + ((long)o * cols));
                    }
                }
                else if (Fma.IsSupported && !Gemm.ForceScalar)
                {
                    for (; o <= row1 - 4; o += 4)
                    {
                        Coefficients(4, rank, factor, b + ((long)o * rank), coef);
                        int done = Block4x16(cols, rank, coef, w + ((long)o * cols), panels, dst + ((long)o * cols));
                        ScalarColumns(4, done, cols, rank, coef, w + ((long)o * cols), a, dst + ((long)o * cols));
                    }
                }

                for (; o < row1; o++)
                {
                    Coefficients(1, rank, factor, b + ((long)o * rank), coef);
                    ScalarColumns(1, 0, cols, rank, coef, w + ((long)o * cols), a, dst + ((long)o * cols));
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Flat index of the first non-finite element of W + factor·B·A (or -1), computed block by block in scratch with the
    /// same kernels as <see cref="Apply"/>, without writing W. <paramref name="value"/> receives the offending value.
    /// </summary>
    public static long FirstNonFinite(int rows, int cols, int rank, float factor, float* w, float* a, float* b, out float value)
    {
        const int BlockRows = 64;
        float[] scratch = ArrayPool<float>.Shared.Rent(BlockRows * cols);
        float[] packed = ArrayPool<float>.Shared.Rent((rank * cols) + 16);
        try
        {
            fixed (float* block = scratch, pp = packed)
            {
                float* panels = PackA(cols, rank, a, pp);
                for (int row0 = 0; row0 < rows; row0 += BlockRows)
                {
                    int row1 = Math.Min(rows, row0 + BlockRows);

                    // Rows() addresses dst from row 0: shift the scratch pointer so row0 lands at its start (never dereferenced).
                    Rows(row0, row1, cols, rank, factor, w, a, panels, b, block - ((long)row0 * cols));
                    int index = NonFinite.IndexOf(new ReadOnlySpan<float>(block, (row1 - row0) * cols));
                    if (index >= 0)
                    {
                        value = block[index];
                        return ((long)row0 * cols) + index;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
            ArrayPool<float>.Shared.Return(packed);
        }

        value = 0f;
        return -1;
    }

    private static void RunParallel(Job job, int threads)
        => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part => job.Run(part, threads));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Coefficients(int rowCount, int rank, float factor, float* b, float* coef)
    {
        for (int i = 0; i < rowCount * rank; i++)
        {
            coef[i] = factor * b[i];
        }
    }

    // 8 rows x 32 columns per step: 16 zmm accumulators; per j two loads of A feed 16 FMAs (the 8 coefficient
    // broadcasts come from L1). Returns the number of columns done.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block8x32(int cols, int rank, float* coef, float* w, float* panels, float* dst)
    {
        int col = 0;
        for (; col <= cols - 32; col += 32)
        {
            float* ap = panels + ((long)col * rank);
            Vector512<float> a0 = Vector512.Load(ap), a1 = Vector512.Load(ap + 16);
            Vector512<float> c;
            c = Vector512.Create(coef[0]); Vector512<float> d00 = c * a0, d01 = c * a1;
            c = Vector512.Create(coef[rank]); Vector512<float> d10 = c * a0, d11 = c * a1;
            c = Vector512.Create(coef[2 * rank]); Vector512<float> d20 = c * a0, d21 = c * a1;
            c = Vector512.Create(coef[3 * rank]); Vector512<float> d30 = c * a0, d31 = c * a1;
            c = Vector512.Create(coef[4 * rank]); Vector512<float> d40 = c * a0, d41 = c * a1;
            c = Vector512.Create(coef[5 * rank]); Vector512<float> d50 = c * a0, d51 = c * a1;
            c = Vector512.Create(coef[6 * rank]); Vector512<float> d60 = c * a0, d61 = c * a1;
            c = Vector512.Create(coef[7 * rank]); Vector512<float> d70 = c * a0, d71 = c * a1;
            for (int j = 1; j < rank; j++)
            {
                ap += 32;
                a0 = Vector512.Load(ap);
                a1 = Vector512.Load(ap + 16);
                c = Vector512.Create(coef[j]); d00 = Avx512F.FusedMultiplyAdd(c, a0, d00); d01 = Avx512F.FusedMultiplyAdd(c, a1, d01);
                c = Vector512.Create(coef[rank + j]); d10 = Avx512F.FusedMultiplyAdd(c, a0, d10); d11 = Avx512F.FusedMultiplyAdd(c, a1, d11);
                c = Vector512.Create(coef[(2 * rank) + j]); d20 = Avx512F.FusedMultiplyAdd(c, a0, d20); d21 = Avx512F.FusedMultiplyAdd(c, a1, d21);
                c = Vector512.Create(coef[(3 * rank) + j]); d30 = Avx512F.FusedMultiplyAdd(c, a0, d30); d31 = Avx512F.FusedMultiplyAdd(c, a1, d31);
                c = Vector512.Create(coef[(4 * rank) + j]); d40 = Avx512F.FusedMultiplyAdd(c, a0, d40); d41 = Avx512F.FusedMultiplyAdd(c, a1, d41);
                c = Vector512.Create(coef[(5 * rank) + j]); d50 = Avx512F.FusedMultiplyAdd(c, a0, d50); d51 = Avx512F.FusedMultiplyAdd(c, a1, d51);
                c = Vector512.Create(coef[(6 * rank) + j]); d60 = Avx512F.FusedMultiplyAdd(c, a0, d60); d61 = Avx512F.FusedMultiplyAdd(c, a1, d61);
                c = Vector512.Create(coef[(7 * rank) + j]); d70 = Avx512F.FusedMultiplyAdd(c, a0, d70); d71 = Avx512F.FusedMultiplyAdd(c, a1, d71);
            }

            float* wp = w + col;
            float* dp = dst + col;
            (Vector512.Load(wp) + d00).Store(dp); (Vector512.Load(wp + 16) + d01).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d10).Store(dp); (Vector512.Load(wp + 16) + d11).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d20).Store(dp); (Vector512.Load(wp + 16) + d21).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d30).Store(dp); (Vector512.Load(wp + 16) + d31).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d40).Store(dp); (Vector512.Load(wp + 16) + d41).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d50).Store(dp); (Vector512.Load(wp + 16) + d51).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d60).Store(dp); (Vector512.Load(wp + 16) + d61).Store(dp + 16); wp += cols; dp += cols;
            (Vector512.Load(wp) + d70).Store(dp); (Vector512.Load(wp + 16) + d71).Store(dp + 16);
        }

        return col;
    }

    // 4 rows x 16 columns per step with 8 ymm accumulators (the AVX2 register file has 16).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block4x16(int cols, int rank, float* coef, float* w, float* panels, float* dst)
    {
        int col = 0;
        for (; col <= cols - 16; col += 16)
        {
            float* ap = panels + ((long)col * rank);
            Vector256<float> a0 = Vector256.Load(ap), a1 = Vector256.Load(ap + 8);
            Vector256<float> c;
            c = Vector256.Create(coef[0]); Vector256<float> d00 = c * a0, d01 = c * a1;
            c = Vector256.Create(coef[rank]); Vector256<float> d10 = c * a0, d11 = c * a1;
            c = Vector256.Create(coef[2 * rank]); Vector256<float> d20 = c * a0, d21 = c * a1;
            c = Vector256.Create(coef[3 * rank]); Vector256<float> d30 = c * a0, d31 = c * a1;
            for (int j = 1; j < rank; j++)
            {
                ap += 16;
                a0 = Vector256.Load(ap);
                a1 = Vector256.Load(ap + 8);
                c = Vector256.Create(coef[j]); d00 = Fma.MultiplyAdd(c, a0, d00); d01 = Fma.MultiplyAdd(c, a1, d01);
                c = Vector256.Create(coef[rank + j]); d10 = Fma.MultiplyAdd(c, a0, d10); d11 = Fma.MultiplyAdd(c, a1, d11);
                c = Vector256.Create(coef[(2 * rank) + j]); d20 = Fma.MultiplyAdd(c, a0, d20); d21 = Fma.MultiplyAdd(c, a1, d21);
                c = Vector256.Create(coef[(3 * rank) + j]); d30 = Fma.MultiplyAdd(c, a0, d30); d31 = Fma.MultiplyAdd(c, a1, d31);
            }

            float* wp = w + col;
            float* dp = dst + col;
            (Vector256.Load(wp) + d00).Store(dp); (Vector256.Load(wp + 8) + d01).Store(dp + 8); wp += cols; dp += cols;
            (Vector256.Load(wp) + d10).Store(dp); (Vector256.Load(wp + 8) + d11).Store(dp + 8); wp += cols; dp += cols;
            (Vector256.Load(wp) + d20).Store(dp); (Vector256.Load(wp + 8) + d21).Store(dp + 8); wp += cols; dp += cols;
            (Vector256.Load(wp) + d30).Store(dp); (Vector256.Load(wp + 8) + d31).Store(dp + 8);
        }

        return col;
    }

    // Columns [from, cols) of rowCount rows, one element at a time, with the same operation order as the vector blocks.
    private static void ScalarColumns(int rowCount, int from, int cols, int rank, float* coef, float* w, float* a, float* dst)
    {
        for (int i = 0; i < rowCount; i++)
        {
            float* c = coef + (i * rank);
            for (int col = from; col < cols; col++)
            {
                float d = c[0] * a[col];
                for (int j = 1; j < rank; j++)
                {
                    d = MathF.FusedMultiplyAdd(c[j], a[((long)j * cols) + col], d);
                }

                dst[((long)i * cols) + col] = w[((long)i * cols) + col] + d;
            }
        }
    }

    private readonly struct Job
    {
        private readonly int _rows, _cols, _rank;
        private readonly float _factor;
        private readonly float* _w, _a, _panels, _b, _dst;

        public Job(int rows, int cols, int rank, float factor, float* w, float* a, float* panels, float* b, float* dst)
        {
            _panels = panels;
            _rows = rows;
            _cols = cols;
            _rank = rank;
            _factor = factor;
            _w = w;
            _a = a;
            _b = b;
            _dst = dst;
        }

        // Parts are whole blocks of 8 rows, so every row is computed by the same block kernel whatever the thread count.
        public void Run(int part, int parts)
        {
            int blocks = (_rows + 7) / 8;
            int row0 = Math.Min(_rows, (int)((long)blocks * part / parts) * 8);
            int row1 = Math.Min(_rows, (int)((long)blocks * (part + 1) / parts) * 8);
            if (row0 < row1)
            {
                Rows(row0, row1, _cols, _rank, _factor, _w, _a, _panels, _b, _dst);
            }
        }
    }
}
