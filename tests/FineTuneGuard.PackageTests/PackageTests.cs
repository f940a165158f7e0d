using System.Text.RegularExpressions;

namespace FineTuneGuard.PackageTests;

/// <summary>The packed .nupkg works in a consumer build exactly as it would for a user.</summary>
public class PackageTests(PackedConsumerFixture fixture) : IClassFixture<PackedConsumerFixture>
{
    [Fact]
    public void PackageHasTheRuntimeTheAnalyzersAndNoRoslyn()
    {
        Assert.True(fixture.Pack.ExitCode == 0, fixture.Pack.ToString());
        string[] entries = fixture.PackageEntries();
        Assert.Contains("lib/net8.0/FineTuneGuard.dll", entries);
        Assert.Contains("lib/net10.0/FineTuneGuard.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/FineTuneGuard.SourceGenerators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/FineTuneGuard.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void NuspecCarriesLicenseReadmeAndRepository()
    {
        string nuspec = fixture.Nuspec();
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Contains("<repository type=\"git\"", nuspec);
        Assert.Contains("System.Numerics.Tensors", nuspec);
    }

    [Fact]
    public void ConsumerCompilesAgainstGeneratedConstants()
        => Assert.True(fixture.Build.ExitCode == 0, fixture.Build.ToString());

    [Fact]
    public void KnownBadLineReportsItsRuleAtTheRightFileAndLine()
    {
        // MSBuild's canonical format: path(line,col): severity ID: message
        var match = Regex.Match(fixture.Build.Output, @"KnownBad\.cs\((\d+),(\d+)\): warning (FTG\d{4}): (.*)");
        Assert.True(match.Success, fixture.Build.ToString());
        Assert.Equal("5", match.Groups[1].Value);
        Assert.Equal("2", match.Groups[2].Value);
        Assert.Equal("FTG0101", match.Groups[3].Value);
        Assert.Contains("'inFeatures' must be > 0", match.Groups[4].Value);
    }

    [Fact]
    public void ConsumerRunsAndPrintsTheGeneratedCount()
    {
        Assert.True(fixture.Run.ExitCode == 0, fixture.Run.ToString());
        Assert.Contains("QProj trainable params: 65536", fixture.Run.Output);
        Assert.Contains("QProj scaling: 2", fixture.Run.Output);
    }

    [Fact]
    public void ConsumerPrintsTheSeedAndPublishedCounts()
    {
        Assert.True(fixture.Run.ExitCode == 0, fixture.Run.ToString());
        Assert.Contains("Adapter trainable params per layer: 524288, 32 layers: 16777216", fixture.Run.Output);
        Assert.Contains("Prefix trainable params: 4194304", fixture.Run.Output);
        Assert.Contains("Llama-2-7B base params: 6738415616", fixture.Run.Output);
        Assert.Contains("Llama-2-7B q_proj: 4096 x 4096", fixture.Run.Output);
        Assert.Contains("trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622", fixture.Run.Output);
    }

    [Fact]
    public void GeneratedLoraRunsAndMergesExactlyAsTheRuntime()
    {
        Assert.True(fixture.Run.ExitCode == 0, fixture.Run.ToString());
        Assert.Contains("SmallProj forward finite: True; merge equals runtime: True", fixture.Run.Output);
        Assert.Contains("LoraLayerBase QProj: r=8, trainable 65536", fixture.Run.Output);
        Assert.Contains("Shape check: SmallProj.MergeInto: 'weight' must be OutFeatures x InFeatures = 12 x 10 = 120 elements; got 100.", fixture.Run.Output);
    }
}
