using FineTuneGuard.Kernels;
using FineTuneGuard.SourceGenerators.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>Every tracked step is cached on a rerun and after an unrelated edit: nothing is regenerated.</summary>
public class IncrementalCachingTests
{
    private const string Layers = """
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        namespace Demo;
        [LoraLayer(64, 64, Rank = 4)] public partial class Q { }
        [BottleneckAdapter(64, 8)] public partial class Adapter { }
        [PrefixTuning(2, 4, 4, 16)] public partial class Prefix { }
        [PromptTuning(4, 64)] public partial class Prompt { }
        [TransformerModel(2, 64, 4, 128, 100), LoraTargets("q_proj", "v_proj")] public partial class Model { }
        """;

    private const string Unrelated = """
        namespace Demo;
        public static class Helpers { public static int Twice(int x) => 2 * x; }
        """;

    private static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            new[] { new LayerGenerator().AsSourceGenerator() },
            parseOptions: CompilationFactory.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static void AssertEverythingCached(GeneratorRunResult result)
    {
        foreach (string name in LayerGenerator.TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"step {name} not tracked");
            var outputs = steps.SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }

        var sourceOutputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.Equal(5, sourceOutputs.Count);
        Assert.All(sourceOutputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void SecondRunIsFullyCached()
    {
        Compilation compilation = CompilationFactory.Create(Layers, Unrelated);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        Assert.Equal(5, driver.GetRunResult().GeneratedTrees.Length);
        driver = driver.RunGenerators(compilation.Clone());
        AssertEverythingCached(driver.GetRunResult().Results.Single());
    }

    [Fact]
    public void EditingAnUnrelatedFileRegeneratesNothing()
    {
        Compilation compilation = CompilationFactory.Create(Layers, Unrelated);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.ToString().Contains("Twice", StringComparison.Ordinal));
        SyntaxTree edited = old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Unrelated.Replace("2 * x", "x + x", StringComparison.Ordinal)));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited));
        AssertEverythingCached(driver.GetRunResult().Results.Single());
    }

    [Fact]
    public void EditingALayerRegeneratesOnlyThatLayer()
    {
        Compilation compilation = CompilationFactory.Create(Layers, Unrelated);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.ToString().Contains("LoraLayer", StringComparison.Ordinal));
        SyntaxTree edited = old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Layers.Replace("Rank = 4", "Rank = 8", StringComparison.Ordinal)));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited));
        var result = driver.GetRunResult().Results.Single();
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.Equal(1, outputs.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(4, outputs.Count(o => o.Reason == IncrementalStepRunReason.Cached));
        Assert.Contains("public const int Rank = 8;", driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("Demo.Q.LoraLayer.g.cs", StringComparison.Ordinal)).ToString(), StringComparison.Ordinal);
    }
}
