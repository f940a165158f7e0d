using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using Xunit.Abstractions;

namespace FineTuneGuard.FuzzTests;

/// <summary>
/// The fuzz campaign over the generator and every analyzer. CI runs <see cref="FuzzCases.DefaultIterations"/> mutation
/// chains on top of the two systematic grids (about 2,500 sources in all); <c>FTG_FUZZ_ITERATIONS=20000</c> runs a
/// larger campaign with the same seed (the first cases are the same). A failing source is written to
/// <c>fuzz-failures/</c> next to the test assembly so it can be turned into a regression test.
/// </summary>
public class CompilerExtensionFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryAnalyzerAndTheGeneratorAreDiscovered()
    {
        Assert.NotEmpty(CompilerExtensions.GeneratorTypes);
        Assert.True(CompilerExtensions.AnalyzerTypes.Length >= 8, string.Join(", ", CompilerExtensions.AnalyzerTypes.Select(t => t.Name)));

        // Every rule of the catalog is produced by one of the fuzzed analyzers.
        var ids = CompilerExtensions.CreateAnalyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();
        string[] catalog = Enumerable.Range(1, 9).Select(i => $"FTG000{i}").Concat(Enumerable.Range(101, 5).Select(i => $"FTG0{i}")).ToArray();
        Assert.All(catalog, id => Assert.Contains(id, ids));
    }

    [Fact]
    public void TheCampaignIsDeterministicAndLargeEnough()
    {
        IReadOnlyList<FuzzCase> first = FuzzCases.Create(FuzzCases.DefaultIterations);
        IReadOnlyList<FuzzCase> second = FuzzCases.Create(FuzzCases.DefaultIterations);
        Assert.True(first.Count >= 2000, $"{first.Count} sources");
        Assert.Equal(first.Select(c => c.Text), second.Select(c => c.Text));
        Assert.True(SeedCorpus.All.Length >= 100, $"{SeedCorpus.All.Length} seeds");

        // Every mutation kind is exercised.
        foreach (var (name, _) in Mutators.All)
        {
            Assert.Contains(first, c => c.Kind.Contains(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void NoCrashNoHangNoBrokenGeneratedCode()
    {
        IReadOnlyList<FuzzCase> cases = FuzzCases.Create(FuzzCases.Iterations);

        // FTG_FUZZ_CASE=1087,1090 replays single cases (indices from a failure report).
        string? only = Environment.GetEnvironmentVariable("FTG_FUZZ_CASE");
        if (!string.IsNullOrEmpty(only))
        {
            var indices = only.Split(',').Select(int.Parse).ToHashSet();
            cases = cases.Where(c => indices.Contains(c.Index)).ToList();
        }

        var failures = new ConcurrentBag<FuzzOutcome>();
        var elapsed = new ConcurrentBag<(string Part, TimeSpan Time)>();
        var known = new ConcurrentBag<FuzzOutcome>();
        FuzzRunner.Run(new FuzzCase(-1, "warm-up", "warm-up", "using FineTuneGuard; [LoraLayer(4, 4)] public partial class W { }", false)); // JIT outside the clock
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, fuzzCase =>
        {
            FuzzOutcome outcome = FuzzRunner.Run(fuzzCase);
            elapsed.Add((fuzzCase.Kind.Split('+')[0], outcome.Elapsed));
            if (outcome.KnownIssues.Length > 0)
            {
                known.Add(outcome);
            }

            if (outcome.Problems.Length > 0)
            {
                failures.Add(outcome);
            }
        });
        clock.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        var slowest = elapsed.Max(e => e.Time);
        output.WriteLine($"{cases.Count} sources ({SeedCorpus.All.Length} seeds, seed {FuzzCases.Seed}) in {clock.Elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU on {Environment.ProcessorCount} cores (load average {LoadAverage()}); slowest source {slowest.TotalMilliseconds:F0} ms; {failures.Count} failing; {known.Count} with the known generated-member conflict.");
        foreach (var group in elapsed.GroupBy(e => e.Part).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key}: {group.Count()} sources, {group.Sum(e => e.Time.TotalSeconds):F1} s of run time");
        }

        foreach (FuzzOutcome k in known.OrderBy(k => k.Case.Index).Take(5))
        {
            output.WriteLine($"  known: {k.Case}: {k.KnownIssues[0]}");
        }

        if (!failures.IsEmpty)
        {
            string directory = Path.Combine(AppContext.BaseDirectory, "fuzz-failures");
            Directory.CreateDirectory(directory);
            foreach (FuzzOutcome failure in failures)
            {
                File.WriteAllText(Path.Combine(directory, $"case{failure.Case.Index}.cs"), $"// {failure.Case}\n// {string.Join("\n// ", failure.Problems.Select(p => p.Split('\n')[0]))}\n{failure.Case.Text}");
            }
        }

        Assert.True(failures.IsEmpty, string.Join(
            "\n\n",
            failures.OrderBy(f => f.Case.Index).Take(8).Select(f => $"{f.Case}:\n  {string.Join("\n  ", f.Problems.Select(p => p.Length > 1500 ? p[..1500] : p))}\n--- source ---\n{(f.Case.Text.Length > 1200 ? f.Case.Text[..1200] + "…" : f.Case.Text)}")));
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
