namespace FineTuneGuard.Kernels;

/// <summary>
/// Cache blocking of the GEMM (Goto/BLIS loop order jc → pc → ic → jr → ir). One Kc x NR micro-panel of B (48 KB at
/// Kc = 384, NR = 32) is reused by every A micro-panel of the Mc x Kc block (252 KB, in L2); the Kc x Nc block of B
/// (3 MB) lives in L2/L3. Kc = 384 measured best among 128 / 192 / 256 / 384 / 512 on the Zen 4 test machine (fewer
/// passes over C outweigh the B panel spilling from L1 to L2); Mc and Nc made no measurable difference.
/// Multiples of every path's MR (14, 6, 4) and NR (32, 16, 4).
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
