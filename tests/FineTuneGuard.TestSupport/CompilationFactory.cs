using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.Testing;

/// <summary>Builds C# compilations against the test references and runs generators / analyzers over them.</summary>
public static class CompilationFactory
{
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(params string[] sources) => Create(sources, TestReferences.All);

    public static CSharpCompilation Create(string[] sources, ImmutableArray<MetadataReference> references, string assemblyName = "TestAssembly")
        => CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Runs the generator and returns the driver (with its run result) and the output compilation.</summary>
    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) RunGenerator(
        Compilation compilation, IIncrementalGenerator generator, bool trackSteps = true)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver, output, diagnostics);
    }

    /// <summary>All analyzer diagnostics (and analyzer exceptions as AD0001) for a compilation.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken = default)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: null,
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        return compilation.WithAnalyzers(analyzers, options).GetAllDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult();
    }
}
