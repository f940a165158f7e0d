using FineTuneGuard.Kernels;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>Forces one GEMM micro-kernel path (and optionally a thread count) for the scope of a test, then restores.</summary>
internal sealed class GemmPathScope : IDisposable
{
    /// <summary>Paths every kernel test runs on: AVX-512 (when the machine has it), AVX2 and the portable kernel.</summary>
    public static readonly string[] PathNames = { "Vector512", "Vector256", "Scalar" };

    /// <summary><see cref="PathNames"/> as theory data.</summary>
    public static TheoryData<string> Paths => new(PathNames);

    private readonly bool _force256;
    private readonly bool _forceScalar;
    private readonly int _threads;

    private GemmPathScope(string path, int threads)
    {
        _force256 = Gemm.ForceVector256;
        _forceScalar = Gemm.ForceScalar;
        _threads = Gemm.MaxDegreeOfParallelism;
        Gemm.ForceVector256 = path == "Vector256";
        Gemm.ForceScalar = path == "Scalar";
        Gemm.MaxDegreeOfParallelism = threads;
    }

    public static GemmPathScope Force(string path, int threads = 0)
        => new(path, threads > 0 ? threads : Environment.ProcessorCount);

    public void Dispose()
    {
        Gemm.ForceVector256 = _force256;
        Gemm.ForceScalar = _forceScalar;
        Gemm.MaxDegreeOfParallelism = _threads;
    }
}
