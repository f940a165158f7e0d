using System;

namespace FineTuneGuard.Benchmarks;

/// <summary>One timed case: its peer name, the work it does, and either floating-point operations or bytes moved.</summary>
internal sealed record BenchmarkCase(string Name, Action Run, double Flops = 0, double Bytes = 0);
