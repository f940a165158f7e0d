using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FineTuneGuard.Losses;

/// <summary>
/// The row kernels every softmax-based loss shares: a vectorized exp (Cephes' expf, ≈ 1 ulp on the range a
/// log-softmax needs) fused into the reductions, and blockwise online maxima, so that a row's log-sum-exp (or a KL
/// row pair's sums) reads it from memory once — no temporary row is ever written.
/// </summary>
internal static class SoftmaxKernels
{
    // Below this the result is flushed to the smallest normal float instead of going denormal: irrelevant to any sum
    // of exponentials whose largest term is exp(0) = 1.
    private const float ExpLow = -87.33654f;

    // exp(88) < float.MaxValue and keeps the exponent n <= 127; log-softmax only ever calls exp on values <= 0.
    private const float ExpHigh = 88f;

    // Float32 partial sums are flushed into a double accumulator every this many vectors, so that a 32000-wide row
    // is summed with double-precision growth of the error, not float.
    private const int FlushEvery = 128;

    // Rows shorter than a vector (vocab 1..7) and every row's tail run the scalar loop, so both paths are tested.
    private static bool UseVector256 => Vector256.IsHardwareAccelerated;

    // Elements per block of the one-pass log-sum-exp: 4 KB, so that the exp pass re-reads the block from L1.
    private const int OnlineBlock = 1024;

    /// <summary>
    /// One pass over memory for a row's log-sum-exp: per 4 KB block, the block max (vectorized), then Σ exp(x − max)
    /// over the same block while it is still in L1, rescaling the running sum by e^{old max − new max} whenever the
    /// max grows. Returns Σ_j exp(x_j − max) with <paramref name="max"/> the row's max, so that
    /// log Σ e^{x} = max + log(result).
    /// </summary>
    public static double SumExpOnePass(ReadOnlySpan<float> row, out float max)
    {
        float runningMax = float.NegativeInfinity;
        double sum = 0;
        for (int start = 0; start < row.Length; start += OnlineBlock)
        {
            ReadOnlySpan<float> block = row.Slice(start, Math.Min(OnlineBlock, row.Length - start));
            float blockMax = TensorPrimitives.Max(block);
            if (blockMax > runningMax || float.IsNaN(blockMax))
            {
                if (sum != 0)
                {
                    sum *= Math.Exp((double)runningMax - blockMax);
                }

                runningMax = blockMax;
            }

            sum += SumExp(block, runningMax);
        }

        max = runningMax;
        return sum;
    }

    /// <summary>Σ exp(x_j − shift), accumulated in double.</summary>
    public static double SumExp(ReadOnlySpan<float> row, float shift)
    {
        ref float x = ref MemoryMarshal.GetReference(row);
        int n = row.Length;
        int i = 0;
        double total = 0;
        if (UseVector256 && n >= Vector256<float>.Count)
        {
            Vector256<float> s = Vector256.Create(shift);
            Vector256<float> acc = Vector256<float>.Zero;
            int sinceFlush = 0;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                acc += Exp(Vector256.LoadUnsafe(ref x, (nuint)i) - s);
                if (++sinceFlush == FlushEvery)
                {
                    total += Vector256.Sum(acc);
                    acc = Vector256<float>.Zero;
                    sinceFlush = 0;
                }
            }

            total += Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            total += MathF.Exp(Unsafe.Add(ref x, i) - shift);
        }

        return total;
    }

    /// <summary>
    /// destination_j = exp((x_j − shift) − logSum)·scale + bias: the scaled softmax of a row (the cross-entropy
    /// gradient before the one-hot term). Subtracting the max before the log-sum keeps extreme logits (±1e4) exact.
    /// </summary>
    public static void ScaledSoftmax(ReadOnlySpan<float> row, float shift, float logSum, float scale, float bias, Span<float> destination)
    {
        ref float x = ref MemoryMarshal.GetReference(row);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = row.Length;
        int i = 0;
        if (UseVector256)
        {
            Vector256<float> s = Vector256.Create(shift);
            Vector256<float> l = Vector256.Create(logSum);
            Vector256<float> k = Vector256.Create(scale);
            Vector256<float> b = Vector256.Create(bias);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> e = Exp((Vector256.LoadUnsafe(ref x, (nuint)i) - s) - l);
                MultiplyAdd(e, k, b).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = (MathF.Exp((Unsafe.Add(ref x, i) - shift) - logSum) * scale) + bias;
        }
    }

    /// <summary>
    /// <see cref="KlSums"/> over a whole (tuned, base) row pair with one read of memory: per 4 KB block, both block
    /// maxima, then the three sums over the L1-resident block. When the tuned max grows by Δ the sums are re-expressed
    /// in the new frame (a' = a − Δ): S_t ← e^{−Δ}·S_t, W ← e^{−Δ}·(W − Δ·S_t); when the base max grows by Δ_b
    /// (b' = b − Δ_b): S_b ← e^{−Δ_b}·S_b, W ← W + Δ_b·S_t. Outputs the row maxima for the gradient pass.
    /// </summary>
    public static void KlSumsOnePass(
        ReadOnlySpan<float> tuned, ReadOnlySpan<float> @base, out float tunedMax, out float baseMax,
        out double sumTuned, out double sumBase, out double weighted)
    {
        float mt = 0, mb = 0;
        double st = 0, sb = 0, w = 0;
        for (int start = 0; start < tuned.Length; start += OnlineBlock)
        {
            int length = Math.Min(OnlineBlock, tuned.Length - start);
            ReadOnlySpan<float> t = tuned.Slice(start, length);
            ReadOnlySpan<float> b = @base.Slice(start, length);
            float bt = TensorPrimitives.Max(t);
            float bb = TensorPrimitives.Max(b);
            if (start == 0)
            {
                mt = bt;
                mb = bb;
            }
            else
            {
                if (bt > mt)
                {
                    double delta = (double)bt - mt;
                    double scale = Math.Exp(-delta);
                    w = scale * (w - (delta * st));
                    st *= scale;
                    mt = bt;
                }

                if (bb > mb)
                {
                    double delta = (double)bb - mb;
                    sb *= Math.Exp(-delta);
                    w += delta * st;
                    mb = bb;
                }

                // A NaN block max never compares greater: let it poison the frame so the NaN reaches the result.
                if (float.IsNaN(bt) || float.IsNaN(bb))
                {
                    mt = float.NaN;
                }
            }

            KlSums(t, mt, b, mb, out double blockSt, out double blockSb, out double blockW);
            st += blockSt;
            sb += blockSb;
            w += blockW;
        }

        tunedMax = mt;
        baseMax = mb;
        sumTuned = st;
        sumBase = sb;
        weighted = w;
    }

    /// <summary>
    /// One pass over a (tuned, base) row pair, both already shifted by their own max:
    /// sumTuned = Σ e^{a_j}, sumBase = Σ e^{b_j}, weighted = Σ e^{a_j}·(a_j − b_j) with a = tuned − max_t, b = base − max_b.
    /// Then KL(p_t ‖ p_b) = weighted / sumTuned − log sumTuned + log sumBase, with no large offsets left to cancel.
    /// </summary>
    public static void KlSums(
        ReadOnlySpan<float> tuned, float tunedMax, ReadOnlySpan<float> @base, float baseMax,
        out double sumTuned, out double sumBase, out double weighted)
    {
        ref float t = ref MemoryMarshal.GetReference(tuned);
        ref float b = ref MemoryMarshal.GetReference(@base);
        int n = tuned.Length;
        int i = 0;
        double st = 0, sb = 0, w = 0;
        if (UseVector256 && n >= Vector256<float>.Count)
        {
            Vector256<float> mt = Vector256.Create(tunedMax);
            Vector256<float> mb = Vector256.Create(baseMax);
            Vector256<float> accT = Vector256<float>.Zero, accB = Vector256<float>.Zero, accW = Vector256<float>.Zero;
            int sinceFlush = 0;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> a = Vector256.LoadUnsafe(ref t, (nuint)i) - mt;
                Vector256<float> c = Vector256.LoadUnsafe(ref b, (nuint)i) - mb;
                Vector256<float> ea = Exp(a);
                accT += ea;
                accB += Exp(c);
                accW = MultiplyAdd(ea, a - c, accW);
                if (++sinceFlush == FlushEvery)
                {
                    st += Vector256.Sum(accT);
                    sb += Vector256.Sum(accB);
                    w += Vector256.Sum(accW);
                    accT = accB = accW = Vector256<float>.Zero;
                    sinceFlush = 0;
                }
            }

            st += Vector256.Sum(accT);
            sb += Vector256.Sum(accB);
            w += Vector256.Sum(accW);
        }

        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref t, i) - tunedMax;
            float c = Unsafe.Add(ref b, i) - baseMax;
            float ea = MathF.Exp(a);
            st += ea;
            sb += MathF.Exp(c);
            w += ea * (a - c);
        }

        sumTuned = st;
        sumBase = sb;
        weighted = w;
    }

    /// <summary>
    /// The gradient of one row's KL(p_t ‖ p_b) with respect to the tuned logits, times <paramref name="scale"/>:
    /// g_j = scale·p_j·((a_j − b_j) − offset), p_j = e^{a_j − logSumTuned}, offset = log S_t − log S_b + KL_row.
    /// </summary>
    public static void KlGradient(
        ReadOnlySpan<float> tuned, float tunedMax, ReadOnlySpan<float> @base, float baseMax,
        float logSumTuned, float offset, float scale, Span<float> destination)
    {
        ref float t = ref MemoryMarshal.GetReference(tuned);
        ref float b = ref MemoryMarshal.GetReference(@base);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = tuned.Length;
        int i = 0;
        if (UseVector256)
        {
            Vector256<float> mt = Vector256.Create(tunedMax);
            Vector256<float> mb = Vector256.Create(baseMax);
            Vector256<float> ls = Vector256.Create(logSumTuned);
            Vector256<float> off = Vector256.Create(offset);
            Vector256<float> k = Vector256.Create(scale);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> a = Vector256.LoadUnsafe(ref t, (nuint)i) - mt;
                Vector256<float> c = Vector256.LoadUnsafe(ref b, (nuint)i) - mb;
                Vector256<float> p = Exp(a - ls);
                (p * k * ((a - c) - off)).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref t, i) - tunedMax;
            float c = Unsafe.Add(ref b, i) - baseMax;
            Unsafe.Add(ref d, i) = MathF.Exp(a - logSumTuned) * scale * ((a - c) - offset);
        }
    }

    /// <summary>
    /// e^x for every lane (Cephes expf): n = round(x·log2 e), r = x − n·ln 2 in two parts, a degree-5 minimax
    /// polynomial for e^r, and 2^n built in the exponent bits. Relative error ≈ 1 ulp on [−87.3, 88].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // 1.5·2^23: adding it rounds to the nearest integer and leaves that integer in the low mantissa bits.
        Vector256<float> magic = Vector256.Create(12582912f);
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLow)), Vector256.Create(ExpHigh));
        Vector256<float> t = MultiplyAdd(x, Vector256.Create(1.44269504088896341f), magic);
        Vector256<float> n = t - magic;
        Vector256<float> r = MultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = MultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        Vector256<float> p = Vector256.Create(1.9875691500E-4f);
        p = MultiplyAdd(p, r, Vector256.Create(1.3981999507E-3f));
        p = MultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = MultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = MultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = MultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = MultiplyAdd(p, r * r, r) + Vector256<float>.One;
        Vector256<int> exponent = ((t.AsInt32() - magic.AsInt32()) + Vector256.Create(127)) << 23;
        return p * exponent.AsSingle();
    }

    /// <summary>a·b + c, fused when the CPU has FMA (one rounding, and half the instructions).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;
}
