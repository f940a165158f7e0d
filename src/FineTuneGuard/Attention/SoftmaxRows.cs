using System;
using System.Runtime.CompilerServices;

namespace FineTuneGuard.Attention;

/// <summary>
/// The per-row softmax steps of a score tile, fused into one or two passes over the row with <see cref="SoftmaxExp"/>
/// (a tile row is at most 64 floats, so call overhead and the exponential dominate, not memory).
/// </summary>
internal static unsafe class SoftmaxRows
{
    /// <summary>max over row[0..count), -∞ for an empty or fully masked row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max<TLanes, TVector>(float* row, int count)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        int x = 0;
        float max = float.NegativeInfinity;
        if (count >= w)
        {
            TVector acc = TLanes.Load(row);
            for (x = w; x + w <= count; x += w)
            {
                acc = TLanes.Max(acc, TLanes.Load(row + x));
            }

            max = TLanes.MaxLane(acc);
        }

        for (; x < count; x++)
        {
            max = MathF.Max(max, row[x]);
        }

        return max;
    }

    /// <summary>row[x] = e^{row[x] − shift} for x &lt; count; returns Σ row[x].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpShifted<TLanes, TVector>(float* row, int count, float shift)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        TVector s = TLanes.Broadcast(shift);
        TVector sum = default;
        int x = 0;
        for (; x + w <= count; x += w)
        {
            TVector e = TLanes.Exp(TLanes.Subtract(TLanes.Load(row + x), s));
            TLanes.Store(row + x, e);
            sum = TLanes.Add(sum, e);
        }

        float total = TLanes.Sum(sum);
        for (; x < count; x++)
        {
            float e = MathF.Exp(row[x] - shift);
            row[x] = e;
            total += e;
        }

        return total;
    }

    /// <summary>
    /// The backward of one row: p = e^{s − L} (written over the scores) and dS = p∘(dP − D)·scale (written over dP).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ProbabilitiesAndScoreGradients<TLanes, TVector>(float* scores, float* gradients, int count, float logSumExp, float rowDot, float scale)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        TVector l = TLanes.Broadcast(logSumExp);
        TVector d = TLanes.Broadcast(rowDot);
        TVector c = TLanes.Broadcast(scale);
        int x = 0;
        for (; x + w <= count; x += w)
        {
            TVector p = TLanes.Exp(TLanes.Subtract(TLanes.Load(scores + x), l));
            TLanes.Store(scores + x, p);
            TLanes.Store(gradients + x, TLanes.Multiply(TLanes.Multiply(TLanes.Subtract(TLanes.Load(gradients + x), d), p), c));
        }

        for (; x < count; x++)
        {
            float p = MathF.Exp(scores[x] - logSumExp);
            scores[x] = p;
            gradients[x] = (gradients[x] - rowDot) * p * scale;
        }
    }
}
