using System.Collections.Immutable;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.FuzzTests;

/// <summary>What one run of the generator driver and all analyzers produced for a source.</summary>
internal sealed record FuzzOutcome(
    FuzzCase Case,
    ImmutableArray<string> Problems,
    ImmutableArray<string> KnownIssues,
    ImmutableArray<Diagnostic> AnalyzerDiagnostics,
    ImmutableArray<(string HintName, string Text)> Generated,
    TimeSpan Elapsed);

/// <summary>
/// Runs the generator driver and every analyzer over one source, under a time bound enforced by cancellation, and lists
/// every broken invariant: an exception out of the driver or the analyzer driver, a generator exception (run result
/// <c>Exception</c>, CS8784/CS8785), an analyzer exception (AD0001), a run that does not finish within the bound, and
/// generated code that does not compile although the user code does.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>
    /// Hang guard per source: 60 s (FTG_FUZZ_BOUND_SECONDS overrides). A run takes 10-300 ms of CPU; the bound is generous
    /// because the shared machines these tests run on reach load averages of 30 on 2 cores, and a hang is unbounded.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FTG_FUZZ_BOUND_SECONDS"), out int seconds) && seconds > 0 ? seconds : 60);

    /// <summary>
    /// Known, documented limitations (docs/reliability.md), counted but not failed: compiler errors in the generated file
    /// when user code collides with it in ways the parser does not foresee (CS0102 / CS0229 / CS0111 / CS0121; a user
    /// member named like a generated one is FTG0101 and nothing is generated), or a user namespace named like a runtime type
    /// the generated code names (CS0234 / CS0118). The compiler reports them; nothing crashes.
    /// </summary>
    public static readonly HashSet<string> KnownGeneratedCodeConflicts = new(StringComparer.Ordinal) { "CS0102", "CS0229", "CS0111", "CS0234", "CS0121", "CS0118" };

    /// <summary>Sources up to this length also get the "generated code compiles" check.</summary>
    public const int CompileCheckLimit = 3000;

    private static readonly ImmutableArray<ISourceGenerator> s_generators = CompilerExtensions.CreateGenerators();
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = CompilerExtensions.CreateAnalyzers();

    public static FuzzOutcome Run(FuzzCase fuzzCase)
    {
        string[] sources = fuzzCase.UsesTorch ? new[] { fuzzCase.Text, SeedCorpus.TorchStub } : new[] { fuzzCase.Text };
        var problems = new List<string>();
        var knownIssues = new List<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        _ = SeedCorpus.TorchStub; // loaded outside the bound
        ImmutableArray<Diagnostic> analyzerDiagnostics = ImmutableArray<Diagnostic>.Empty;
        var generated = ImmutableArray<(string, string)>.Empty;
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            CSharpCompilation compilation = CompilationFactory.Create(sources);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                s_generators,
                parseOptions: CompilationFactory.ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics, timeout.Token);
            GeneratorDriverRunResult run = driver.GetRunResult();
            foreach (GeneratorRunResult result in run.Results)
            {
                if (result.Exception is not null)
                {
                    problems.Add($"generator {result.Generator.GetGeneratorType().Name} threw: {result.Exception}");
                }
            }

            foreach (Diagnostic d in driverDiagnostics.Concat(run.Diagnostics).Where(d => d.Id is "CS8784" or "CS8785"))
            {
                problems.Add($"{d.Id}: {d.GetMessage()}");
            }

            generated = run.GeneratedTrees.Select(t => (Path.GetFileName(t.FilePath), t.GetText().ToString())).ToImmutableArray();
            analyzerDiagnostics = AnalyzerDiagnostics(output, timeout.Token);
            foreach (Diagnostic d in analyzerDiagnostics.Where(d => d.Id is "AD0001" or "AD0002"))
            {
                problems.Add($"{d.Id}: {d.GetMessage()}");
            }

            // Generated code compiles whenever the user's code does (checked on sources up to CompileCheckLimit characters:
            // the compiler's own diagnostics of a whole sample file would double the campaign's time).
            if (fuzzCase.Text.Length <= CompileCheckLimit)
            {
                var generatedTrees = run.GeneratedTrees.ToHashSet();
                var errors = output.GetDiagnostics(timeout.Token).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0 && errors.All(e => e.Location.SourceTree is { } tree && generatedTrees.Contains(tree)))
                {
                    (errors.All(e => KnownGeneratedCodeConflicts.Contains(e.Id)) ? knownIssues : problems).Add(
                        "generated code does not compile although the user code does: " + string.Join("; ", errors.Take(3).Select(e => $"{e.Id} {e.GetMessage()} in {Path.GetFileName(e.Location.SourceTree!.FilePath)}")));
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            problems.Add($"did not finish within {Bound.TotalSeconds} s (cancelled)");
        }
        catch (Exception ex)
        {
            problems.Add($"exception out of the driver: {ex}");
        }

        return new FuzzOutcome(fuzzCase, problems.ToImmutableArray(), knownIssues.ToImmutableArray(), analyzerDiagnostics, generated, started.Elapsed);
    }

    /// <summary>
    /// Analyzer diagnostics with the options of <see cref="CompilationFactory.Analyze"/> (concurrent execution, analyzer
    /// exceptions reported as AD0001), without the compiler's own diagnostics of the whole compilation.
    /// </summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation, CancellationToken cancellationToken, ImmutableArray<DiagnosticAnalyzer>? analyzers = null)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: null,
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        return compilation.WithAnalyzers(analyzers ?? s_analyzers, options).GetAnalyzerDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult();
    }
}
