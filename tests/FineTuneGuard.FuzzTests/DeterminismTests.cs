using System.Collections.Immutable;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.FuzzTests;

/// <summary>
/// The same compilation, analysed 20 times concurrently (20 runs at once, each with concurrent analyzer execution, one
/// shared set of analyzer and generator instances), gives identical diagnostics (id, location, message) and identical
/// generated text — and the same as a sequential, non-concurrent run.
/// </summary>
public class DeterminismTests
{
    private const int Runs = 20;

    [Fact]
    public void TwentyConcurrentRunsGiveIdenticalDiagnosticsAndGeneratedText()
    {
        // Every rule family fires in this compilation: the CommonMistakes sample (FTG0001-0105 next to their fixes), the
        // code-fix corpus (TorchSharp idioms) with the TorchSharp stub, and the generator snapshots' declarations.
        var sources = Directory.EnumerateFiles(Path.Combine(TestReferences.RepositoryRoot, "samples/FineTuneGuard.CommonMistakes"), "*.cs")
            .Concat(Directory.EnumerateFiles(Path.Combine(TestReferences.RepositoryRoot, "tests/FineTuneGuard.CodeFixes.Tests/Corpus"), "*.cs"))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .Append(SeedCorpus.TorchStub)
            .Append("using System; using System.Linq; using System.Collections.Generic; using System.Threading.Tasks;")
            .ToArray();
        CSharpCompilation compilation = CompilationFactory.Create(sources);
        ImmutableArray<ISourceGenerator> generators = CompilerExtensions.CreateGenerators();
        ImmutableArray<DiagnosticAnalyzer> analyzers = CompilerExtensions.CreateAnalyzers();

        (string[] Diagnostics, string[] Generated) Once(bool concurrent)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create(generators, parseOptions: CompilationFactory.ParseOptions);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            string[] generated = driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath) + "\n" + t.GetText()).Order(StringComparer.Ordinal).ToArray();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrent, false, false);
            ImmutableArray<Diagnostic> diagnostics = output.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            string[] keys = diagnostics
                .Select(d => $"{d.Id} {d.Location.SourceTree?.FilePath}{d.Location.GetLineSpan().Span} {d.GetMessage()}")
                .Order(StringComparer.Ordinal).ToArray();
            return (keys, generated);
        }

        var reference = Once(concurrent: false);
        Assert.True(reference.Diagnostics.Length > 20, string.Join("\n", reference.Diagnostics));
        Assert.NotEmpty(reference.Generated);
        Assert.DoesNotContain(reference.Diagnostics, d => d.StartsWith("AD0001", StringComparison.Ordinal));
        string[] ids = reference.Diagnostics.Select(d => d.Split(' ')[0]).Distinct().ToArray();
        Assert.True(ids.Length >= 10, "rules fired: " + string.Join(", ", ids));

        var results = new (string[] Diagnostics, string[] Generated)[Runs];
        Parallel.For(0, Runs, new ParallelOptions { MaxDegreeOfParallelism = Runs }, i => results[i] = Once(concurrent: true));
        foreach (var result in results)
        {
            Assert.Equal(reference.Diagnostics, result.Diagnostics);
            Assert.Equal(reference.Generated, result.Generated);
        }
    }
}
