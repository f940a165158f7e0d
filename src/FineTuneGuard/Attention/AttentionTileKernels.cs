using System.Runtime.CompilerServices;

namespace FineTuneGuard.Attention;

/// <summary>
/// The three products every attention tile needs, register-blocked and written once for any SIMD width
/// (<see cref="IFloatLanes{TVector}"/>): a score tile S = scale·A·Bᵀ against a transposed, zero-padded key panel; a
/// row-times-tile accumulation Acc += W·R or Wᵀ·R (P·V in the forward, dS·K, Pᵀ·dO and dSᵀ·Q in the backward); and the
/// packing that turns row-major keys into the panel. Each output element is summed in a fixed order
/// that does not depend on the thread, so results are deterministic.
/// </summary>
internal static unsafe class AttentionTileKernels
{
    /// <summary>Key columns of a packed panel are padded to a multiple of this (the widest register, 16 floats).</summary>
    public const int PanelAlignment = 16;

    /// <summary><paramref name="count"/> rounded up to <see cref="PanelAlignment"/>.</summary>
    public static int PaddedCount(int count) => (count + PanelAlignment - 1) / PanelAlignment * PanelAlignment;

    /// <summary>
    /// panel[d·paddedCount + x] = rows[x·rowStride + d] for x &lt; count, 0 for count ≤ x &lt; paddedCount:
    /// the keys of a tile turned depth-major so that a score row is a sum of broadcast·vector products over d.
    /// </summary>
    public static void PackTransposed(float* rows, int rowStride, int count, int depth, float* panel, int paddedCount)
    {
        for (int d = 0; d < depth; d++)
        {
            float* destination = panel + ((nint)d * paddedCount);
            float* source = rows + d;
            int x = 0;
            for (; x < count; x++)
            {
                destination[x] = source[(nint)x * rowStride];
            }

            for (; x < paddedCount; x++)
            {
                destination[x] = 0f;
            }
        }
    }

    /// <summary>
    /// c[r·paddedCount + x] = scale·Σ_d a[r·aStride + d]·panel[d·panelStride + x] for r &lt; rows, x &lt; paddedCount
    /// (padded columns come out 0; a query block on the diagonal uses only the first columns of the tile's panel). Blocked 4 rows x 4 registers: per d, four panel loads and four broadcasts feed sixteen FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores<TLanes, TVector>(float* a, int aStride, int rows, float* panel, int panelStride, int paddedCount, int depth, float scale, float* c)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        TVector s = TLanes.Broadcast(scale);
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            float* a0 = a + ((nint)r * aStride);
            float* a1 = a0 + aStride;
            float* a2 = a1 + aStride;
            float* a3 = a2 + aStride;
            float* c0 = c + ((nint)r * paddedCount);
            float* c1 = c0 + paddedCount;
            float* c2 = c1 + paddedCount;
            float* c3 = c2 + paddedCount;
            int x = 0;
            for (; x + (4 * w) <= paddedCount; x += 4 * w)
            {
                TVector s00 = default, s01 = default, s02 = default, s03 = default;
                TVector s10 = default, s11 = default, s12 = default, s13 = default;
                TVector s20 = default, s21 = default, s22 = default, s23 = default;
                TVector s30 = default, s31 = default, s32 = default, s33 = default;
                float* b = panel + x;
                for (int d = 0; d < depth; d++, b += panelStride)
                {
                    TVector b0 = TLanes.Load(b);
                    TVector b1 = TLanes.Load(b + w);
                    TVector b2 = TLanes.Load(b + (2 * w));
                    TVector b3 = TLanes.Load(b + (3 * w));
                    TVector q = TLanes.Broadcast(a0[d]);
                    s00 = TLanes.MultiplyAdd(q, b0, s00); s01 = TLanes.MultiplyAdd(q, b1, s01);
                    s02 = TLanes.MultiplyAdd(q, b2, s02); s03 = TLanes.MultiplyAdd(q, b3, s03);
                    q = TLanes.Broadcast(a1[d]);
                    s10 = TLanes.MultiplyAdd(q, b0, s10); s11 = TLanes.MultiplyAdd(q, b1, s11);
                    s12 = TLanes.MultiplyAdd(q, b2, s12); s13 = TLanes.MultiplyAdd(q, b3, s13);
                    q = TLanes.Broadcast(a2[d]);
                    s20 = TLanes.MultiplyAdd(q, b0, s20); s21 = TLanes.MultiplyAdd(q, b1, s21);
                    s22 = TLanes.MultiplyAdd(q, b2, s22); s23 = TLanes.MultiplyAdd(q, b3, s23);
                    q = TLanes.Broadcast(a3[d]);
                    s30 = TLanes.MultiplyAdd(q, b0, s30); s31 = TLanes.MultiplyAdd(q, b1, s31);
                    s32 = TLanes.MultiplyAdd(q, b2, s32); s33 = TLanes.MultiplyAdd(q, b3, s33);
                }

                TLanes.Store(c0 + x, TLanes.Multiply(s00, s)); TLanes.Store(c0 + x + w, TLanes.Multiply(s01, s));
                TLanes.Store(c0 + x + (2 * w), TLanes.Multiply(s02, s)); TLanes.Store(c0 + x + (3 * w), TLanes.Multiply(s03, s));
                TLanes.Store(c1 + x, TLanes.Multiply(s10, s)); TLanes.Store(c1 + x + w, TLanes.Multiply(s11, s));
                TLanes.Store(c1 + x + (2 * w), TLanes.Multiply(s12, s)); TLanes.Store(c1 + x + (3 * w), TLanes.Multiply(s13, s));
                TLanes.Store(c2 + x, TLanes.Multiply(s20, s)); TLanes.Store(c2 + x + w, TLanes.Multiply(s21, s));
                TLanes.Store(c2 + x + (2 * w), TLanes.Multiply(s22, s)); TLanes.Store(c2 + x + (3 * w), TLanes.Multiply(s23, s));
                TLanes.Store(c3 + x, TLanes.Multiply(s30, s)); TLanes.Store(c3 + x + w, TLanes.Multiply(s31, s));
                TLanes.Store(c3 + x + (2 * w), TLanes.Multiply(s32, s)); TLanes.Store(c3 + x + (3 * w), TLanes.Multiply(s33, s));
            }

            for (; x + w <= paddedCount; x += w)
            {
                TVector s0 = default, s1 = default, s2 = default, s3 = default;
                float* b = panel + x;
                for (int d = 0; d < depth; d++, b += panelStride)
                {
                    TVector b0 = TLanes.Load(b);
                    s0 = TLanes.MultiplyAdd(TLanes.Broadcast(a0[d]), b0, s0);
                    s1 = TLanes.MultiplyAdd(TLanes.Broadcast(a1[d]), b0, s1);
                    s2 = TLanes.MultiplyAdd(TLanes.Broadcast(a2[d]), b0, s2);
                    s3 = TLanes.MultiplyAdd(TLanes.Broadcast(a3[d]), b0, s3);
                }

                TLanes.Store(c0 + x, TLanes.Multiply(s0, s));
                TLanes.Store(c1 + x, TLanes.Multiply(s1, s));
                TLanes.Store(c2 + x, TLanes.Multiply(s2, s));
                TLanes.Store(c3 + x, TLanes.Multiply(s3, s));
            }

            // Scalar tail (empty while paddedCount is a multiple of the register width).
            for (; x < paddedCount; x++)
            {
                c0[x] = scale * Dot(a0, panel + x, panelStride, depth);
                c1[x] = scale * Dot(a1, panel + x, panelStride, depth);
                c2[x] = scale * Dot(a2, panel + x, panelStride, depth);
                c3[x] = scale * Dot(a3, panel + x, panelStride, depth);
            }
        }

        for (; r < rows; r++)
        {
            float* a0 = a + ((nint)r * aStride);
            float* c0 = c + ((nint)r * paddedCount);
            int x = 0;
            for (; x + w <= paddedCount; x += w)
            {
                TVector s0 = default;
                float* b = panel + x;
                for (int d = 0; d < depth; d++, b += panelStride)
                {
                    s0 = TLanes.MultiplyAdd(TLanes.Broadcast(a0[d]), TLanes.Load(b), s0);
                }

                TLanes.Store(c0 + x, TLanes.Multiply(s0, s));
            }

            for (; x < paddedCount; x++)
            {
                c0[x] = scale * Dot(a0, panel + x, panelStride, depth);
            }
        }
    }

    /// <summary>
    /// acc[o·accStride + j] += Σ_x weights[o·weightStride + x·weightStep]·source[x·sourceStride + j] for o &lt; outRows,
    /// j &lt; width, x = 0..inner-1 in order. weightStep = 1 reads W row-major (P·V, dS·K); weightStride = 1 with
    /// weightStep = the tile's row stride reads Wᵀ in place (Pᵀ·dO, dSᵀ·Q) without a transposed copy. Blocked 4 rows x 4 registers: per x, four source loads and four broadcasts
    /// feed sixteen FMAs; the accumulators stay in registers over the whole inner loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate<TLanes, TVector>(
        float* acc, int accStride, int outRows, float* weights, int weightStride, int weightStep, int inner, float* source, int sourceStride, int width)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        int o = 0;
        for (; o + 4 <= outRows; o += 4)
        {
            float* y0 = acc + ((nint)o * accStride);
            float* y1 = y0 + accStride;
            float* y2 = y1 + accStride;
            float* y3 = y2 + accStride;
            float* w0 = weights + ((nint)o * weightStride);
            float* w1 = w0 + weightStride;
            float* w2 = w1 + weightStride;
            float* w3 = w2 + weightStride;
            int j = 0;
            for (; j + (4 * w) <= width; j += 4 * w)
            {
                TVector a00 = TLanes.Load(y0 + j), a01 = TLanes.Load(y0 + j + w), a02 = TLanes.Load(y0 + j + (2 * w)), a03 = TLanes.Load(y0 + j + (3 * w));
                TVector a10 = TLanes.Load(y1 + j), a11 = TLanes.Load(y1 + j + w), a12 = TLanes.Load(y1 + j + (2 * w)), a13 = TLanes.Load(y1 + j + (3 * w));
                TVector a20 = TLanes.Load(y2 + j), a21 = TLanes.Load(y2 + j + w), a22 = TLanes.Load(y2 + j + (2 * w)), a23 = TLanes.Load(y2 + j + (3 * w));
                TVector a30 = TLanes.Load(y3 + j), a31 = TLanes.Load(y3 + j + w), a32 = TLanes.Load(y3 + j + (2 * w)), a33 = TLanes.Load(y3 + j + (3 * w));
                float* v = source + j;
                for (int x = 0; x < inner; x++, v += sourceStride)
                {
                    nint wx = (nint)x * weightStep;
                    TVector v0 = TLanes.Load(v);
                    TVector v1 = TLanes.Load(v + w);
                    TVector v2 = TLanes.Load(v + (2 * w));
                    TVector v3 = TLanes.Load(v + (3 * w));
                    TVector p = TLanes.Broadcast(w0[wx]);
                    a00 = TLanes.MultiplyAdd(p, v0, a00); a01 = TLanes.MultiplyAdd(p, v1, a01);
                    a02 = TLanes.MultiplyAdd(p, v2, a02); a03 = TLanes.MultiplyAdd(p, v3, a03);
                    p = TLanes.Broadcast(w1[wx]);
                    a10 = TLanes.MultiplyAdd(p, v0, a10); a11 = TLanes.MultiplyAdd(p, v1, a11);
                    a12 = TLanes.MultiplyAdd(p, v2, a12); a13 = TLanes.MultiplyAdd(p, v3, a13);
                    p = TLanes.Broadcast(w2[wx]);
                    a20 = TLanes.MultiplyAdd(p, v0, a20); a21 = TLanes.MultiplyAdd(p, v1, a21);
                    a22 = TLanes.MultiplyAdd(p, v2, a22); a23 = TLanes.MultiplyAdd(p, v3, a23);
                    p = TLanes.Broadcast(w3[wx]);
                    a30 = TLanes.MultiplyAdd(p, v0, a30); a31 = TLanes.MultiplyAdd(p, v1, a31);
                    a32 = TLanes.MultiplyAdd(p, v2, a32); a33 = TLanes.MultiplyAdd(p, v3, a33);
                }

                TLanes.Store(y0 + j, a00); TLanes.Store(y0 + j + w, a01); TLanes.Store(y0 + j + (2 * w), a02); TLanes.Store(y0 + j + (3 * w), a03);
                TLanes.Store(y1 + j, a10); TLanes.Store(y1 + j + w, a11); TLanes.Store(y1 + j + (2 * w), a12); TLanes.Store(y1 + j + (3 * w), a13);
                TLanes.Store(y2 + j, a20); TLanes.Store(y2 + j + w, a21); TLanes.Store(y2 + j + (2 * w), a22); TLanes.Store(y2 + j + (3 * w), a23);
                TLanes.Store(y3 + j, a30); TLanes.Store(y3 + j + w, a31); TLanes.Store(y3 + j + (2 * w), a32); TLanes.Store(y3 + j + (3 * w), a33);
            }

            for (; j + w <= width; j += w)
            {
                TVector a0 = TLanes.Load(y0 + j), a1 = TLanes.Load(y1 + j), a2 = TLanes.Load(y2 + j), a3 = TLanes.Load(y3 + j);
                float* v = source + j;
                for (int x = 0; x < inner; x++, v += sourceStride)
                {
                    nint wx = (nint)x * weightStep;
                    TVector v0 = TLanes.Load(v);
                    a0 = TLanes.MultiplyAdd(TLanes.Broadcast(w0[wx]), v0, a0);
                    a1 = TLanes.MultiplyAdd(TLanes.Broadcast(w1[wx]), v0, a1);
                    a2 = TLanes.MultiplyAdd(TLanes.Broadcast(w2[wx]), v0, a2);
                    a3 = TLanes.MultiplyAdd(TLanes.Broadcast(w3[wx]), v0, a3);
                }

                TLanes.Store(y0 + j, a0); TLanes.Store(y1 + j, a1); TLanes.Store(y2 + j, a2); TLanes.Store(y3 + j, a3);
            }

            for (; j < width; j++)
            {
                y0[j] = AccumulateScalar(y0[j], w0, source + j, sourceStride, weightStep, inner);
                y1[j] = AccumulateScalar(y1[j], w1, source + j, sourceStride, weightStep, inner);
                y2[j] = AccumulateScalar(y2[j], w2, source + j, sourceStride, weightStep, inner);
                y3[j] = AccumulateScalar(y3[j], w3, source + j, sourceStride, weightStep, inner);
            }
        }

        for (; o < outRows; o++)
        {
            float* y0 = acc + ((nint)o * accStride);
            float* w0 = weights + ((nint)o * weightStride);
            int j = 0;
            for (; j + w <= width; j += w)
            {
                TVector a0 = TLanes.Load(y0 + j);
                float* v = source + j;
                for (int x = 0; x < inner; x++, v += sourceStride)
                {
                    a0 = TLanes.MultiplyAdd(TLanes.Broadcast(w0[(nint)x * weightStep]), TLanes.Load(v), a0);
                }

                TLanes.Store(y0 + j, a0);
            }

            for (; j < width; j++)
            {
                y0[j] = AccumulateScalar(y0[j], w0, source + j, sourceStride, weightStep, inner);
            }
        }
    }

    private static float Dot(float* a, float* column, int stride, int depth)
    {
        float sum = 0f;
        for (int d = 0; d < depth; d++)
        {
            sum = System.MathF.FusedMultiplyAdd(a[d], column[(nint)d * stride], sum);
        }

        return sum;
    }

    private static float AccumulateScalar(float start, float* weights, float* column, int stride, int weightStep, int inner)
    {
        float sum = start;
        for (int x = 0; x < inner; x++)
        {
            sum = System.MathF.FusedMultiplyAdd(weights[(nint)x * weightStep], column[(nint)x * stride], sum);
        }

        return sum;
    }
}
