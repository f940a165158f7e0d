using System.Threading.Tasks;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace FineTuneGuard.CodeFixes.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer (and optionally a code fix, Fix All included) over test code compiled against the restored
/// framework, the FineTuneGuard runtime and the TorchSharp-shaped stub. Expected diagnostics are written in the code
/// with <c>{|FTG0001:...|}</c> markup, so a test reads as the user code it stands for.
/// </summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.NoPackage,
        };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, int? codeActionIndex = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestReferences.NoPackage,
            CodeActionIndex = codeActionIndex,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        return test.RunAsync();
    }

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(TestReferences.All);
        state.Sources.Add(("TorchSharp.Stub.cs", TorchSharpStub.Source));
    }
}
