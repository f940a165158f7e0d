using System;
using System.Runtime.CompilerServices;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The scalar form of the micro-kernels' store: alpha·acc (beta = 0, the source is not read) or fma(acc, alpha, beta·s).
/// Used for edge tiles so that an element gets the same bits whether it sits in a full or a partial tile.
/// </summary>
internal static class GemmEpilogue
{
    /// <summary>The stored value for accumulator <paramref name="acc"/> and source element <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Value(float acc, float alpha, float beta, float source)
        => beta == 0f ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, source * beta);
}
