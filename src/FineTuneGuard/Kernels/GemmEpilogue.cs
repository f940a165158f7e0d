using System;
using System.Runtime.CompilerServices;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The scalar form of the micro-kernels' store: C = alpha·acc (beta = 0, C not read) or C = fma(acc, alpha, beta·C).
/// Used for edge tiles so that an element gets the same bits whether it sits in a full or a partial tile.
/// </summary>
internal static class GemmEpilogue
{
    /// <summary>Applies the epilogue to one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref float c, float acc, float alpha, float beta)
        => c = beta == 0f ? acc * alpha : MathF.FusedMultiplyAdd(acc, alpha, c * beta);
}
