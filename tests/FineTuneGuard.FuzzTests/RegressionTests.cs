using FineTuneGuard.Testing;

namespace FineTuneGuard.FuzzTests;

/// <summary>Crashes the fuzzer found, each kept as a regression test (docs/reliability.md lists them).</summary>
public class RegressionTests
{
    /// <summary>
    /// Found by the fuzzer (declaration kind "two parts both attributed"): the attribute on two parts of one partial class
    /// made the generator add the same hint name twice — ArgumentException inside the driver, CS8785 for the user.
    /// </summary>
    [Theory]
    [InlineData("[LoraLayer(16, 12)] public partial class L { }\n[LoraLayer(16, 12)] public partial class L { }")]
    [InlineData("[BottleneckAdapter(32, 4)] public partial class L { }\npublic partial class L { }\n[BottleneckAdapter(32, 4)] public partial class L { }")]
    [InlineData("namespace N { [PromptTuning(4, 8)] partial class L { } [PromptTuning(4, 8)] partial class L { } }")]
    [InlineData("[TransformerModel(2, 64, 4, 128, 100)] public partial class M { }\n[TransformerModel(2, 64, 4, 128, 100)] public partial class M { }")]
    public void AnAttributeOnTwoPartsOfAPartialClassCompletesItOnce(string declarations)
    {
        FuzzOutcome outcome = FuzzRunner.Run(new FuzzCase(0, "regression", "two parts", "using FineTuneGuard;\n" + declarations, false));
        Assert.Empty(outcome.Problems);
        Assert.Single(outcome.Generated);
    }

    [Fact]
    public void TheAttributeOnTwoPartsInTwoFilesCompletesItOnce()
    {
        var compilation = CompilationFactory.Create(
            "using FineTuneGuard;\n[LoraLayer(16, 12)] public partial class L { }",
            "using FineTuneGuard;\n[LoraLayer(16, 12)] public partial class L { }");
        var (driver, _, diagnostics) = CompilationFactory.RunGenerator(compilation, new SourceGenerators.Generators.LayerGenerator());
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
        Assert.All(driver.GetRunResult().Results, r => Assert.Null(r.Exception));
        Assert.Single(driver.GetRunResult().GeneratedTrees);
    }
}
