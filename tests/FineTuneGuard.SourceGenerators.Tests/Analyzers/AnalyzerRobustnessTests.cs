using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Analyzers;
using FineTuneGuard.SourceGenerators.Tests.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>The layer analyzers never throw (no AD0001) on malformed or half-typed code, and do nothing without FineTuneGuard.</summary>
public class AnalyzerRobustnessTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new LayerDeclarationAnalyzer(), new LayerShapeAnalyzer(), new MemoryBudgetAnalyzer(), new OptimizerGroupAnalyzer());

    public static TheoryData<string> HalfTyped => new()
    {
        "[LoraLayer(10, 12)] public partial class P { void M(float[] w) { this.MergeInto( } }",
        "[LoraLayer(10, 12)] public partial class P { } class U { void M(P p) { p.Forward(2, new float[], null, stackalloc float[]); } }",
        "[LoraLayer(10, 12)] public partial class P { } class U { [Shape(12)] float[] W; P WLora; void M(P p) => p.MergeInto(W); }",
        "class U { void M() { var g = new ParameterGroup(\"x\", 1f) { new Parameter( }; g.Add(); } }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), MemoryBudget(\"a\")] public partial class M { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), MemoryBudget(double.NaN, WeightBytes = -1)] public partial class M { }",
        "[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets(\"q_proj\", 3)] public partial class M { }",
        "[PrefixTuning(32, 16, 32, 128)] public partial class P { } [TransformerModel(1, 2, 3, 4, 5)] public partial class M { P[][] Ps; P? Q; }",
    };

    [Theory]
    [MemberData(nameof(MalformedInputTests.Malformed), MemberType = typeof(MalformedInputTests))]
    [MemberData(nameof(HalfTyped))]
    public void NoAnalyzerExceptionOnMalformedCode(string declaration)
    {
        Compilation compilation = CompilationFactory.Create("using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;\n" + declaration);
        var (_, output, _) = CompilationFactory.RunGenerator(compilation, new FineTuneGuard.SourceGenerators.Generators.LayerGenerator(), trackSteps: false);
        ImmutableArray<Diagnostic> diagnostics = CompilationFactory.Analyze(output, Analyzers);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public void NothingIsReportedWithoutAReferenceToFineTuneGuard()
    {
        Compilation compilation = CompilationFactory.Create(
            new[]
            {
                """
                namespace FineTuneGuardLike { public sealed class LoraLayerAttribute : System.Attribute { public LoraLayerAttribute(int a, int b) { } } }
                [FineTuneGuardLike.LoraLayer(0, -1)] public class NotPartial { }
                """,
            },
            TestReferences.Framework);
        Assert.Empty(CompilationFactory.Analyze(compilation, Analyzers));
    }
}
