using Microsoft.CodeAnalysis;

namespace FineTuneGuard.FuzzTests;

/// <summary>
/// A targeted test for each edge value: a layer attribute with one wrong argument produces FTG0101 (error) whose message
/// names that argument, the generator emits nothing for it, and nothing crashes.
/// </summary>
public class MalformedDeclarationTests
{
    private static readonly string?[] ConstructorEdges = { "0", "-1", "int.MinValue", "1e30f", "float.NaN", "\"16\"", "null", "typeof(int)", "nameof(System.String)", "1.5", "true", null };

    private static readonly Dictionary<string, string[]> NamedEdges = new()
    {
        // Not "Rank = 1.5": Roslyn binds it as the constant 1 next to the compiler's CS0266, which is the user's error there.
        ["Rank"] = new[] { "0", "-1", "int.MinValue", "1e30f", "float.NaN", "\"16\"", "typeof(int)", "nameof(System.String)", "true" },
        ["Alpha"] = new[] { "0", "-1", "int.MinValue", "float.NaN", "float.PositiveInfinity", "float.NegativeInfinity", "-0.0f", "\"16\"", "typeof(int)", "true" },
        ["Dropout"] = new[] { "-1", "1", "int.MaxValue", "int.MinValue", "1e30f", "float.NaN", "float.PositiveInfinity", "\"16\"", "true" },
        ["UseRsLora"] = new[] { "0", "-1", "\"16\"", "typeof(int)", "null" },
        ["Bias"] = new[] { "0", "1e30f", "\"16\"", "nameof(System.String)" },
        ["ProjectionHidden"] = new[] { "-1", "int.MinValue", "1e30f", "\"16\"", "typeof(int)" },
        ["KvHeads"] = new[] { "-1", "int.MinValue", "3", "\"16\"", "float.NaN" },
        ["HeadDim"] = new[] { "-1", "int.MinValue", "\"16\"", "typeof(int)" },
        ["TiedEmbeddings"] = new[] { "0", "\"16\"" },
        ["AttentionBias"] = new[] { "1", "typeof(int)" },
    };

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (AttributeSpec spec in AttributeCatalog.Layers)
        {
            ArgumentSlot[] constructor = spec.ConstructorSlots.ToArray();
            foreach (ArgumentSlot slot in constructor)
            {
                foreach (string? edge in ConstructorEdges)
                {
                    // A left-out positional argument shifts the others: the compiler and FTG0101 name the last parameter.
                    string named = edge is null ? constructor[^1].Name : slot.Name;
                    data.Add(spec.Name, spec.Render(new Dictionary<string, string?> { [slot.Name] = edge }), named);
                }
            }

            foreach (ArgumentSlot slot in spec.Slots.Where(s => s.IsNamed))
            {
                foreach (string edge in NamedEdges[slot.Name])
                {
                    data.Add(spec.Name, spec.Render(new Dictionary<string, string?> { [slot.Name] = edge }), slot.Name);
                }
            }
        }

        // int.MaxValue in any dimension: the storage or the count does not fit; the message names the argument.
        data.Add("LoraLayer", "LoraLayer(int.MaxValue, 12)", "inFeatures");
        data.Add("LoraLayer", "LoraLayer(16, int.MaxValue)", "outFeatures");
        data.Add("LoraLayer", "LoraLayer(16, 12, Rank = int.MaxValue)", "Rank");
        data.Add("PromptTuning", "PromptTuning(int.MaxValue, 32)", "virtualTokens");
        data.Add("PromptTuning", "PromptTuning(8, int.MaxValue)", "embeddingDim");
        data.Add("BottleneckAdapter", "BottleneckAdapter(int.MaxValue, 4)", "modelDim");
        data.Add("BottleneckAdapter", "BottleneckAdapter(32, int.MaxValue)", "bottleneck");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AWrongArgumentIsFtg0101NamingIt(string attributeName, string attribute, string argument)
    {
        string source = $"using FineTuneGuard;\n[{attribute}] public partial class FuzzLayer {{ }}\n";
        FuzzOutcome outcome = FuzzRunner.Run(new FuzzCase(0, "targeted", attribute, source, false));
        Assert.Empty(outcome.Problems);
        Diagnostic[] ftg0101 = outcome.AnalyzerDiagnostics.Where(d => d.Id == "FTG0101").ToArray();
        Assert.True(ftg0101.Length > 0, $"no FTG0101 for [{attribute}]; got: {string.Join(", ", outcome.AnalyzerDiagnostics.Select(d => d.Id))}");
        Assert.All(ftg0101, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.True(
            ftg0101.Any(d => d.GetMessage().Contains(argument, StringComparison.Ordinal) && d.GetMessage().Contains(attributeName, StringComparison.Ordinal)),
            $"[{attribute}]: no FTG0101 message names '{argument}':\n  {string.Join("\n  ", ftg0101.Select(d => d.GetMessage()))}");
        Assert.DoesNotContain(outcome.Generated, g => g.HintName.Contains("FuzzLayer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("LoraLayer(16, 12, Rank = 4, Alpha = 8f, UseRsLora = true, Dropout = 0.1f)")]
    [InlineData("LoraLayer(16, 12, Alpha = 1e30f)")]
    [InlineData("LoraLayer(16, 12, Dropout = 0)")]
    [InlineData("BottleneckAdapter(32, 4, Bias = false)")]
    [InlineData("PrefixTuning(2, 4, 2, 8, ProjectionHidden = 0)")]
    [InlineData("PromptTuning(8, 32)")]
    [InlineData("TransformerModel(2, 64, 4, 128, 100, KvHeads = 0, HeadDim = 0)")]
    public void AValidEdgeIsNotFlagged(string attribute)
    {
        string source = $"using FineTuneGuard;\n[{attribute}] public partial class FuzzLayer {{ }}\n";
        FuzzOutcome outcome = FuzzRunner.Run(new FuzzCase(0, "targeted", attribute, source, false));
        Assert.Empty(outcome.Problems);
        Assert.DoesNotContain(outcome.AnalyzerDiagnostics, d => d.Id == "FTG0101");
        Assert.Contains(outcome.Generated, g => g.HintName.Contains("FuzzLayer", StringComparison.Ordinal));
    }
}
