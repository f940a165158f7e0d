using System.IO;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>
/// The generated source of one declaration of each kind, compared exactly with Snapshots/*.g.cs so that every change to
/// generated code shows up in review. To accept a change run the tests with FTG_UPDATE_SNAPSHOTS=1 and review the diff.
/// </summary>
public class SnapshotTests
{
    private static readonly string Directory = Path.Combine(FineTuneGuard.Testing.TestReferences.RepositoryRoot, "tests", "FineTuneGuard.SourceGenerators.Tests", "Snapshots");

    [Theory]
    [InlineData("LoraLayer", "namespace Demo; [LoraLayer(4096, 4096, Rank = 8, Alpha = 16, Dropout = 0.05f)] public partial class QProj { }")]
    [InlineData("LoraLayerRsNested", "namespace Demo; public partial class Block { [LoraLayer(10, 12, Rank = 3, Alpha = 7, UseRsLora = true)] internal partial class Proj { public Proj() => ResetParameters(1); } }")]
    [InlineData("BottleneckAdapter", "namespace Demo; [BottleneckAdapter(4096, 64)] public partial class Adapter { }")]
    [InlineData("PrefixTuning", "[PrefixTuning(32, 16, 32, 128)] public partial class Prefix { }")]
    [InlineData("PrefixTuningProjection", "namespace Demo; [PrefixTuning(24, 16, 16, 64, ProjectionHidden = 512)] public partial class Prefix { }")]
    [InlineData("PromptTuning", "namespace Demo; [PromptTuning(20, 4096)] public partial class SoftPrompt { }")]
    [InlineData("TransformerModel", "namespace Demo; [TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets(\"q_proj\", \"v_proj\", Rank = 8, Alpha = 16)] public partial class Llama2 { }")]
    public void GeneratedSourceMatchesTheSnapshot(string name, string declaration)
    {
        var h = GeneratorHarness.Run("using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;\n" + declaration).AssertClean();
        string actual = h.GeneratedTrees.Single().ToString();
        string path = Path.Combine(Directory, name + ".g.cs");
        if (Environment.GetEnvironmentVariable("FTG_UPDATE_SNAPSHOTS") == "1")
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Snapshot {path} is missing; run with FTG_UPDATE_SNAPSHOTS=1 to create it.");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
