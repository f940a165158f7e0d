namespace FineTuneGuard.Kernels;

/// <summary>
/// Cache blocking of the GEMM (Goto/BLIS loop order jc → pc → ic → jr → ir). Kc x NR floats of B (one micro-panel,
/// 32 KB at Kc = 256, NR = 32) are reused from L1 by every A micro-panel of the Mc x Kc block (144 KB) held in L2; the
/// Kc x Nc block of B (2 MB) lives in L2/L3. Multiples of every path's MR (12, 6, 4) and NR (32, 16, 4).
/// The reduction is always cut at multiples of Kc, whatever the thread count, which keeps results deterministic.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of op(A) per packed block.</summary>
    public const int Mc = 168;

    /// <summary>Reduction depth per packed block.</summary>
    public const int Kc = 384;

    /// <summary>Columns of op(B) per packed block.</summary>
    public const int Nc = 2048;
}
