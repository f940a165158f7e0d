using FineTuneGuard.Kernels;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>
/// The kernel tests flip process-wide switches (<c>Gemm.ForceVector256</c>, <c>Gemm.ForceScalar</c>,
/// <c>Gemm.MaxDegreeOfParallelism</c>) and measure per-thread allocations, so they run alone, one after the other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelTestCollection
{
    public const string Name = "Kernels (global GEMM switches)";
}
