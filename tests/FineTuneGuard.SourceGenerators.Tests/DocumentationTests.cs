using System.IO;
using System.Reflection;
using FineTuneGuard.SourceGenerators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Tests;

/// <summary>Every diagnostic descriptor has its docs/rules page, and its help link points to that page.</summary>
public class DocumentationTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticDescriptor descriptor in Descriptors())
        {
            data.Add(descriptor.Id);
        }

        return data;
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors()
        => typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    [Fact]
    public void AllFourteenRulesAreDeclared()
        => Assert.Equal(
            new[] { "FTG0001", "FTG0002", "FTG0003", "FTG0004", "FTG0005", "FTG0006", "FTG0007", "FTG0008", "FTG0009", "FTG0101", "FTG0102", "FTG0103", "FTG0104", "FTG0105" },
            Descriptors().Select(d => d.Id).Order());

    [Theory]
    [MemberData(nameof(Ids))]
    public void RuleHasADocsPageAndAHelpLinkToIt(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string page = Path.Combine(FineTuneGuard.Testing.TestReferences.RepositoryRoot, "docs", "rules", id + ".md");
        Assert.True(File.Exists(page), $"docs/rules/{id}.md is missing");
        Assert.EndsWith("/docs/rules/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        string text = File.ReadAllText(page);
        Assert.StartsWith("# " + id, text, StringComparison.Ordinal);
        Assert.Contains(descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FTG0101")]
    [InlineData("FTG0102")]
    [InlineData("FTG0103")]
    [InlineData("FTG0104")]
    [InlineData("FTG0105")]
    public void LayerRulePagesHaveEverySection(string id)
    {
        string text = File.ReadAllText(Path.Combine(FineTuneGuard.Testing.TestReferences.RepositoryRoot, "docs", "rules", id + ".md"));
        foreach (string section in new[] { "## What it flags", "## Why", "## Example that fires", "## Example that does not fire", "## Fix", "## Silence it" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }
    }
}
