using System.Runtime.Intrinsics.X86;

namespace FineTuneGuard.Kernels;

/// <summary>Which micro-kernel the GEMM runs, with its register-block geometry.</summary>
internal enum GemmPath
{
    /// <summary>AVX-512: 14 x 32 tile.</summary>
    Vector512,

    /// <summary>AVX2 + FMA: 6 x 16 tile.</summary>
    Vector256,

    /// <summary>Portable fallback: 4 x 4 tile.</summary>
    Scalar,
}

/// <summary>Geometry and selection of <see cref="GemmPath"/>.</summary>
internal static class GemmPaths
{
    /// <summary>The fastest path this machine supports, honouring <see cref="Gemm.ForceVector256"/> and <see cref="Gemm.ForceScalar"/>.</summary>
    public static GemmPath Select()
    {
        if (Gemm.ForceScalar)
        {
            return GemmPath.Scalar;
        }

        if (Avx512F.IsSupported && !Gemm.ForceVector256)
        {
            return GemmPath.Vector512;
        }

        return Fma.IsSupported && Avx2.IsSupported ? GemmPath.Vector256 : GemmPath.Scalar;
    }

    /// <summary>Rows of the register tile.</summary>
    public static int Mr(GemmPath path) => path switch { GemmPath.Vector512 => 14, GemmPath.Vector256 => 6, _ => 4 };

    /// <summary>Columns of the register tile.</summary>
    public static int Nr(GemmPath path) => path switch { GemmPath.Vector512 => 32, GemmPath.Vector256 => 16, _ => 4 };
}
