using System.IO;
using System.Reflection;
using FineTuneGuard.SourceGenerators.Analyzers;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>Every training rule has its docs/rules page with the agreed sections, and its help link points there.</summary>
public class RuleDocumentationTests
{
    private static readonly string[] RequiredSections = { "## What it flags", "## Why", "## Example that fires", "## Example that does not fire", "## Fix", "## Silence it" };

    private static readonly string[] TrainingRules = { "FTG0001", "FTG0002", "FTG0003", "FTG0004", "FTG0005", "FTG0006", "FTG0007", "FTG0008", "FTG0009" };

    public static TheoryData<string> TrainingRuleIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string id in TrainingRules)
            {
                data.Add(id);
            }

            return data;
        }
    }

    private static IEnumerable<DiagnosticDescriptor> AllDescriptors()
        => typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    [Theory]
    [MemberData(nameof(TrainingRuleIds))]
    public void TrainingRuleHasItsPage(string id)
    {
        DiagnosticDescriptor descriptor = AllDescriptors().Single(d => d.Id == id);
        string page = Path.Combine(TestReferences.RepositoryRoot, "docs", "rules", id + ".md");
        Assert.True(File.Exists(page), $"{page} is missing");
        string text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: ", text, StringComparison.Ordinal);
        foreach (string section in RequiredSections)
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }

        Assert.Contains($"dotnet_diagnostic.{id}.severity", text, StringComparison.Ordinal);
        Assert.Contains($"| Severity | {descriptor.DefaultSeverity} |", text, StringComparison.Ordinal);
        Assert.EndsWith($"/docs/rules/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDescriptorLinksToItsOwnPage()
    {
        foreach (DiagnosticDescriptor descriptor in AllDescriptors())
        {
            Assert.Equal(DiagnosticDescriptors.HelpLinkBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
        }
    }

    [Fact]
    public void TrainingAnalyzersSupportExactlyTheTrainingRules()
    {
        DiagnosticAnalyzer[] analyzers = { new UnmaskedSftLossAnalyzer(), new FreezeDecisionAnalyzer(), new LoraInitializationAnalyzer(), new PreferenceLossAnalyzer() };
        string[] supported = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();
        Assert.Equal(TrainingRules, supported);
    }
}
