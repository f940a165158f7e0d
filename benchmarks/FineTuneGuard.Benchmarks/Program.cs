using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FineTuneGuard.Benchmarks;

// JSON lines with the case names, shapes and fields of ../shared/peers/torch_peer.py, so compare.py can put the two
// side by side: {"case", "threads", "ms" (median), "min_ms", "max_ms", "gflops" | "gbps"}.
// Usage: dotnet run -c Release --project benchmarks/FineTuneGuard.Benchmarks -- [--threads N] [--case NAME]...
int threads = 1;
var only = new HashSet<string>(StringComparer.Ordinal);
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    if (arg == "--threads" && i + 1 < args.Length)
    {
        threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else if (arg.StartsWith("--threads=", StringComparison.Ordinal))
    {
        threads = int.Parse(arg["--threads=".Length..], CultureInfo.InvariantCulture);
    }
    else if (arg == "--case" && i + 1 < args.Length)
    {
        only.Add(args[++i]);
    }
    else if (arg.StartsWith("--case=", StringComparison.Ordinal))
    {
        only.Add(arg["--case=".Length..]);
    }
    else
    {
        Console.Error.WriteLine($"unknown argument '{arg}'; usage: [--threads N] [--case NAME]...");
        return 2;
    }
}

FineTuneGuard.Kernels.Gemm.MaxDegreeOfParallelism = threads;
OtherKernelCases.SetThreads(threads);
var results = new Dictionary<string, double>(StringComparer.Ordinal);
foreach (BenchmarkCase benchmark in BenchmarkCases.All())
{
    if (only.Count > 0 && !only.Contains(benchmark.Name))
    {
        continue;
    }

    var (median, min, max) = BenchmarkTimer.Time(benchmark.Run);
    results[benchmark.Name] = median;
    string work = benchmark.Flops > 0
        ? $"\"gflops\": {Format(benchmark.Flops / (median / 1e3) / 1e9)}"
        : $"\"gbps\": {Format(benchmark.Bytes / (median / 1e3) / 1e9)}";
    string extra = benchmark.Name == "lora_forward_512x4096x4096_r8" && results.TryGetValue("gemm_512x4096x4096", out double gemm)
        ? $", \"vs_own_gemm\": {Format(median / gemm)}"
        : string.Empty;
    Console.WriteLine($"{{\"case\": \"{benchmark.Name}\", \"threads\": {threads}, \"ms\": {Format(median)}, \"min_ms\": {Format(min)}, \"max_ms\": {Format(max)}, {work}{extra}}}");
}

return 0;

static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
