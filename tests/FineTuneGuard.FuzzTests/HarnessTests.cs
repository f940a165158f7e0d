using System.Collections.Immutable;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.FuzzTests;

/// <summary>The fuzz oracle itself: it does see a crashing analyzer or generator, and cancellation stops a run.</summary>
public class HarnessTests
{
    [Fact]
    public void AnAnalyzerExceptionIsReportedAsAd0001()
    {
        Compilation compilation = CompilationFactory.Create("class C { }");
        var diagnostics = FuzzRunner.AnalyzerDiagnostics(compilation, CancellationToken.None, ImmutableArray.Create<DiagnosticAnalyzer>(new ThrowingAnalyzer()));
        Assert.Contains(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public void AGeneratorExceptionIsReportedAsCs8785()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new ThrowingGenerator());
        driver = driver.RunGeneratorsAndUpdateCompilation(CompilationFactory.Create("class C { }"), out _, out ImmutableArray<Diagnostic> diagnostics);
        Assert.Contains(diagnostics, d => d.Id == "CS8785");
        Assert.NotNull(driver.GetRunResult().Results.Single().Exception);
    }

    [Fact]
    public void CancellationIsHonouredByTheDriverAndTheAnalyzers()
    {
        Compilation compilation = CompilationFactory.Create("using FineTuneGuard; [LoraLayer(16, 12)] public partial class L { }");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(CompilerExtensions.CreateGenerators(), parseOptions: CompilationFactory.ParseOptions);
        Assert.ThrowsAny<OperationCanceledException>(() => driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => FuzzRunner.AnalyzerDiagnostics(compilation, cancelled.Token));
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class ThrowingAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("TEST001", "t", "t", "t", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSymbolAction(_ => throw new InvalidOperationException("boom"), SymbolKind.NamedType);
        }
    }

    private sealed class ThrowingGenerator : ISourceGenerator
    {
        public void Initialize(GeneratorInitializationContext context)
        {
        }

        public void Execute(GeneratorExecutionContext context) => throw new InvalidOperationException("boom");
    }
}
