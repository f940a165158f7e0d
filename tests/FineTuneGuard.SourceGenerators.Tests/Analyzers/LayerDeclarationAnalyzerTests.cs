using System.Threading.Tasks;
using FineTuneGuard.SourceGenerators.Analyzers;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace FineTuneGuard.SourceGenerators.Tests;

public class LayerDeclarationAnalyzerTests
{
    private static Task Verify(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<LayerDeclarationAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.NoPackage,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task NonPartialClassIsFTG0101()
        => Verify("""
            using FineTuneGuard;
            [{|#0:LoraLayer(16, 16)|}]
            public class NotPartial { }
            """,
            new DiagnosticResult("FTG0101", Microsoft.CodeAnalysis.DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("[LoraLayer] requires class 'NotPartial' to be declared partial so that its members can be generated"));

    [Fact]
    public Task ZeroDimensionIsFTG0101NamingTheArgument()
        => Verify("""
            using FineTuneGuard;
            [{|#0:LoraLayer(0, 16)|}]
            public partial class Bad { }
            """,
            new DiagnosticResult("FTG0101", Microsoft.CodeAnalysis.DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("[LoraLayer] argument 'inFeatures' must be > 0; got 0"));

    [Fact]
    public Task ValidPartialClassIsClean()
        => Verify("""
            using FineTuneGuard;
            [LoraLayer(16, 32, Rank = 4, Alpha = 8)]
            public partial class Good { }
            """);
}
