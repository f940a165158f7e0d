using System.Reflection;
using System.Text.RegularExpressions;
using FineTuneGuard.Testing;

namespace FineTuneGuard.Samples.Tests;

/// <summary>
/// Builds samples/FineTuneGuard.CommonMistakes the way a user would (<c>dotnet build</c>) and checks that the FTG
/// diagnostics it reports are exactly the ones announced in its sources by a trailing <c>// FTGxxxx</c> comment on the
/// offending line: each bug is caught, on the right line, and none of the fixed versions next to it is flagged.
/// </summary>
public sealed partial class CommonMistakesBuildTests
{
    private static readonly string ProjectDirectory = Path.Combine(TestReferences.RepositoryRoot, "samples", "FineTuneGuard.CommonMistakes");

    [Fact]
    public void Build_reports_exactly_the_annotated_diagnostics()
    {
        HashSet<Finding> expected = ExpectedFindings();
        Assert.NotEmpty(expected);

        CliResult build = Build();
        Assert.True(build.ExitCode == 0, "The CommonMistakes build failed (error-severity rules should be demoted in its .editorconfig):\n" + build);

        HashSet<Finding> reported = ReportedFindings(build.Output);
        string Describe(IEnumerable<Finding> findings) => string.Join("\n  ", findings.OrderBy(f => f.File).ThenBy(f => f.Line));
        Assert.True(
            expected.SetEquals(reported),
            $"missing:\n  {Describe(expected.Except(reported))}\nunexpected:\n  {Describe(reported.Except(expected))}\n\nbuild output:\n{build.Output}");
    }

    [Fact]
    public void Every_rule_family_has_a_bug_and_a_fixed_version()
    {
        string[] files = SourceFiles().Select(Path.GetFileName).ToArray()!;
        Assert.Contains("LoraInitialisation.cs", files);
        Assert.Contains("FreezeDecisions.cs", files);
        Assert.Contains("PreferenceLosses.cs", files);
        Assert.Contains("LayerDeclarations.cs", files);
        foreach (string file in SourceFiles())
        {
            Assert.True(File.ReadLines(file).Any(line => AnnotationPattern().IsMatch(line)), $"{Path.GetFileName(file)} announces no diagnostic");
            Assert.Contains("Fixed", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    private static CliResult Build()
    {
        string configuration = typeof(CommonMistakesBuildTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;

        // --no-incremental: compile again even if nothing changed, or the warnings would not be printed.
        // BuildProjectReferences=false: reuse the runtime and the analyzers this test project was built with.
        return DotNetCli.Run(
            ProjectDirectory,
            TimeSpan.FromMinutes(4),
            "build", "FineTuneGuard.CommonMistakes.csproj", "-c", configuration, "--no-incremental", "-p:BuildProjectReferences=false", "-nologo");
    }

    private static IEnumerable<string> SourceFiles()
        => Directory.EnumerateFiles(ProjectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static HashSet<Finding> ExpectedFindings()
    {
        var findings = new HashSet<Finding>();
        foreach (string file in SourceFiles())
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                Match match = AnnotationPattern().Match(lines[i]);
                foreach (Capture id in match.Groups["id"].Captures)
                {
                    findings.Add(new Finding(Path.GetFileName(file), i + 1, id.Value));
                }
            }
        }

        return findings;
    }

    private static HashSet<Finding> ReportedFindings(string output)
    {
        var findings = new HashSet<Finding>();
        foreach (Match match in DiagnosticPattern().Matches(output))
        {
            findings.Add(new Finding(Path.GetFileName(match.Groups["file"].Value), int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["id"].Value));
        }

        return findings;
    }

    /// <summary>A trailing <c>// FTG0004</c> (or <c>// FTG0006 FTG0009</c>) at the end of a line.</summary>
    [GeneratedRegex(@"//\s*(?:(?<id>FTG\d{4})\s*)+$")]
    private static partial Regex AnnotationPattern();

    /// <summary>An MSBuild diagnostic line: <c>path/File.cs(12,5): warning FTG0004: message [project]</c>.</summary>
    [GeneratedRegex(@"(?<file>[^\s(:]+\.cs)\((?<line>\d+),\d+(?:,\d+,\d+)?\): (?:warning|error) (?<id>FTG\d{4}):", RegexOptions.Multiline)]
    private static partial Regex DiagnosticPattern();

    private sealed record Finding(string File, int Line, string Id)
    {
        public override string ToString() => $"{File}({Line}): {Id}";
    }
}
