using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Tests;

public class LoraLayerGeneratorTests
{
    [Fact]
    public void GeneratesShapeConstantsAndTheTrainableCount()
    {
        const string source = """
            using FineTuneGuard;
            namespace Demo;
            [LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
            public partial class QProj { }
            public static class Use { public const long Count = QProj.TrainableParameterCount; public const float S = QProj.Scaling; }
            """;
        var (_, output, diagnostics) = CompilationFactory.RunGenerator(CompilationFactory.Create(source), new LayerGenerator());
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var count = output.GetTypeByMetadataName("Demo.QProj")!.GetMembers("TrainableParameterCount").OfType<IFieldSymbol>().Single();
        Assert.Equal(65_536L, count.ConstantValue);
        var scaling = output.GetTypeByMetadataName("Demo.QProj")!.GetMembers("Scaling").OfType<IFieldSymbol>().Single();
        Assert.Equal(2f, scaling.ConstantValue);
    }

    [Fact]
    public void EmitsNothingForANonPartialClass()
    {
        const string source = """
            using FineTuneGuard;
            [LoraLayer(16, 16)]
            public class NotPartial { }
            """;
        var (driver, _, diagnostics) = CompilationFactory.RunGenerator(CompilationFactory.Create(source), new LayerGenerator());
        Assert.Empty(diagnostics);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }
}
