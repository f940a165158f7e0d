using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FineTuneGuard.SourceGenerators.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>
/// Runs an analyzer through Microsoft.CodeAnalysis.Testing over a source whose generated members are present: the
/// generator runs first on the markup-free text and its output is added as further (auto-generated) sources, so calls
/// to generated methods bind exactly as in a user's build. Compiler errors fail the test.
/// </summary>
internal static partial class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic(string id, DiagnosticSeverity severity) => new(id, severity);

    public static Task Verify(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.NoPackage,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        int i = 0;
        foreach (string generated in Generate(Markup().Replace(source, "")))
        {
            test.TestState.Sources.Add(($"/0/Generated{i++}.g.cs", generated));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static IEnumerable<string> Generate(string source)
    {
        var (driver, _, _) = CompilationFactory.RunGenerator(CompilationFactory.Create(source), new LayerGenerator(), trackSteps: false);
        return driver.GetRunResult().GeneratedTrees.Select(t => t.ToString());
    }

    [GeneratedRegex(@"\{\|#\d+:|\|\}|\[\||\|\]")]
    private static partial Regex Markup();
}
