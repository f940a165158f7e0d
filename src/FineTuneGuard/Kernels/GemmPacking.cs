using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the k-major micro-panels the micro-kernels stream: A as panels of MR rows
/// (dst[p·MR + i]), B as panels of NR columns (dst[p·NR + j]). Rows/columns beyond the matrix are zero-filled so the
/// kernels always compute full tiles; their results are discarded by the caller.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[row0 .. row0+mc, k0 .. k0+kc] into ceil(mc/mr) panels, panel i starting at dst + i·mr·panelDepth.
    /// panelDepth ≥ kc is the depth of the whole packed block, so two terms can fill consecutive k ranges of the same
    /// panels (the second one with dst advanced by its k offset times mr): that is the K concatenation.
    /// </summary>
    public static void PackA(in GemmTerm term, int row0, int mc, int k0, int kc, int mr, float* dst, int panelDepth)
    {
        for (int p = 0; p < mc; p += mr)
        {
            int rows = Math.Min(mr, mc - p);
            float* d = dst + ((long)p * panelDepth);
            if (!term.TransposeA)
            {
                // A stored m x k: each panel row is a contiguous run of A, written with stride mr.
                for (int i = 0; i < rows; i++)
                {
                    float* src = term.A + ((long)(row0 + p + i) * term.Lda) + k0;
                    for (int q = 0; q < kc; q++)
                    {
                        d[(q * mr) + i] = src[q];
                    }
                }

                for (int i = rows; i < mr; i++)
                {
                    for (int q = 0; q < kc; q++)
                    {
                        d[(q * mr) + i] = 0f;
                    }
                }
            }
            else
            {
                // A stored k x m: the mr values of one k are contiguous.
                for (int q = 0; q < kc; q++)
                {
                    float* src = term.A + ((long)(k0 + q) * term.Lda) + row0 + p;
                    float* o = d + (q * mr);
                    int i = 0;
                    for (; i < rows; i++)
                    {
                        o[i] = src[i];
                    }

                    for (; i < mr; i++)
                    {
                        o[i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs Scale·op(B)[k0 .. k0+kc, col0 .. col0+nc] into ceil(nc/nr) panels, panel j starting at dst + j·nr·panelDepth
    /// (see <see cref="PackA"/> for panelDepth).
    /// </summary>
    public static void PackB(in GemmTerm term, int col0, int nc, int k0, int kc, int nr, float* dst, int panelDepth)
    {
        float scale = term.Scale;
        for (int q = 0; q < nc; q += nr)
        {
            int cols = Math.Min(nr, nc - q);
            float* d = dst + ((long)q * panelDepth);
            if (!term.TransposeB)
            {
                // B stored k x n: one k of the panel is a contiguous run of B.
                for (int p = 0; p < kc; p++)
                {
                    float* src = term.B + ((long)(k0 + p) * term.Ldb) + col0 + q;
                    CopyScaled(src, d + (p * nr), cols, nr, scale);
                }
            }
            else
            {
                PackTransposedB(term.B + ((long)(col0 + q) * term.Ldb) + k0, term.Ldb, cols, kc, nr, scale, d);
            }
        }
    }

    // dst[0..cols) = scale·src, dst[cols..nr) = 0.
    private static void CopyScaled(float* src, float* dst, int cols, int nr, float scale)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vs = Vector256.Create(scale);
            for (; j <= cols - 8; j += 8)
            {
                (Vector256.Load(src + j) * vs).Store(dst + j);
            }
        }

        for (; j < cols; j++)
        {
            dst[j] = src[j] * scale;
        }

        for (; j < nr; j++)
        {
            dst[j] = 0f;
        }
    }

    // B stored n x k (row j of the panel's columns is contiguous in k): a transpose into k-major order. 8 x 8 blocks are
    // transposed in registers (unpack / shuffle / lane permute) so that both the reads and the writes are whole vectors;
    // the packing of a 4096 x 4096 weight would otherwise cost several percent of the multiply.
    private static void PackTransposedB(float* src, int ldb, int cols, int kc, int nr, float scale, float* dst)
    {
        int j0 = 0;
        if (Avx.IsSupported)
        {
            Vector256<float> vs = Vector256.Create(scale);
            for (; j0 <= cols - 8; j0 += 8)
            {
                // The next 8 rows' segments are requested while this group is transposed: each segment is only
                // kc floats long, too short for the hardware prefetcher to ramp up on 8 new streams by itself.
                bool prefetchNext = j0 + 16 <= cols;
                int p = 0;
                for (; p <= kc - 8; p += 8)
                {
                    if (prefetchNext && (p & 15) == 0)
                    {
                        float* next = src + ((long)(j0 + 8) * ldb) + p;
                        for (int t = 0; t < 8; t++)
                        {
                            Sse.Prefetch0(next + ((long)t * ldb));
                        }
                    }

                    Transpose8x8(src + ((long)j0 * ldb) + p, ldb, dst + (p * nr) + j0, nr, vs);
                }

                for (; p < kc; p++)
                {
                    for (int j = j0; j < j0 + 8; j++)
                    {
                        dst[(p * nr) + j] = src[((long)j * ldb) + p] * scale;
                    }
                }
            }
        }

        for (int j = j0; j < cols; j++)
        {
            float* row = src + ((long)j * ldb);
            for (int p = 0; p < kc; p++)
            {
                dst[(p * nr) + j] = row[p] * scale;
            }
        }

        for (int j = cols; j < nr; j++)
        {
            for (int p = 0; p < kc; p++)
            {
                dst[(p * nr) + j] = 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int lds, float* dst, int ldd, Vector256<float> scale)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + (2L * lds));
        Vector256<float> r3 = Avx.LoadVector256(src + (3L * lds));
        Vector256<float> r4 = Avx.LoadVector256(src + (4L * lds));
        Vector256<float> r5 = Avx.LoadVector256(src + (5L * lds));
        Vector256<float> r6 = Avx.LoadVector256(src + (6L * lds));
        Vector256<float> r7 = Avx.LoadVector256(src + (7L * lds));

        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20) * scale);
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20) * scale);
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(s2, s6, 0x20) * scale);
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(s3, s7, 0x20) * scale);
        Avx.Store(dst + (4 * ldd), Avx.Permute2x128(s0, s4, 0x31) * scale);
        Avx.Store(dst + (5 * ldd), Avx.Permute2x128(s1, s5, 0x31) * scale);
        Avx.Store(dst + (6 * ldd), Avx.Permute2x128(s2, s6, 0x31) * scale);
        Avx.Store(dst + (7 * ldd), Avx.Permute2x128(s3, s7, 0x31) * scale);
    }
}
