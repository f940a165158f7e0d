using System.Collections.Immutable;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.SourceGenerators.Analyzers;
using FineTuneGuard.SourceGenerators.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>
/// Precision and recall of FTG0001–FTG0009 over the corpus of realistic user files in <c>Corpus/</c> (training loops,
/// LoRA modules, DPO steps, in FineTuneGuard and TorchSharp style). Each file states the diagnostics a careful reviewer
/// expects with <c>// expect: FTG0004</c> on the offending line; the layer generator runs first, as in a real build.
/// The numbers are reported in docs/analyzer-corpus.md.
/// </summary>
public class CorpusTests
{
    private const double MinimumPrecision = 0.95;
    private const double MinimumRecall = 0.80;
    private const int MinimumFiles = 30;

    private static readonly Regex Expectation = new(@"//\s*expect:\s*(?<ids>FTG\d{4}(\s*,\s*FTG\d{4})*)", RegexOptions.Compiled);

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new UnmaskedSftLossAnalyzer(), new FreezeDecisionAnalyzer(), new LoraInitializationAnalyzer(), new PreferenceLossAnalyzer());

    private readonly ITestOutputHelper _output;

    public CorpusTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void PrecisionAndRecallMeetTheQualityBar()
    {
        string[] files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.cs", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        Assert.True(files.Length >= MinimumFiles, $"corpus has {files.Length} files, expected at least {MinimumFiles}");

        var perRule = new SortedDictionary<string, int[]>(StringComparer.Ordinal); // id → [tp, fp, fn]
        var report = new StringBuilder();
        foreach (string file in files)
        {
            string source = File.ReadAllText(file);
            var expected = ExpectedDiagnostics(source);
            var actual = ActualDiagnostics(source, Path.GetFileName(file));
            foreach (var (line, id) in actual)
            {
                int[] counts = Counts(perRule, id);
                if (expected.Remove((line, id)))
                {
                    counts[0]++;
                }
                else
                {
                    counts[1]++;
                    report.AppendLine($"FP {Path.GetFileName(file)}:{line} {id}");
                }
            }

            foreach (var (line, id) in expected)
            {
                Counts(perRule, id)[2]++;
                report.AppendLine($"FN {Path.GetFileName(file)}:{line} {id}");
            }
        }

        int tp = perRule.Values.Sum(c => c[0]);
        int fp = perRule.Values.Sum(c => c[1]);
        int fn = perRule.Values.Sum(c => c[2]);
        double precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        _output.WriteLine($"files {files.Length}, TP {tp}, FP {fp}, FN {fn}, precision {precision:F3}, recall {recall:F3}");
        foreach (var (id, c) in perRule)
        {
            _output.WriteLine($"| {id} | {c[0]} | {c[1]} | {c[2]} |");
        }

        _output.WriteLine(report.ToString());
        Assert.True(precision >= MinimumPrecision, $"precision {precision:F3} < {MinimumPrecision}\n{report}");
        Assert.True(recall >= MinimumRecall, $"recall {recall:F3} < {MinimumRecall}\n{report}");
    }

    private static int[] Counts(SortedDictionary<string, int[]> perRule, string id)
    {
        if (!perRule.TryGetValue(id, out int[]? counts))
        {
            counts = new int[3];
            perRule.Add(id, counts);
        }

        return counts;
    }

    private static List<(int Line, string Id)> ExpectedDiagnostics(string source)
    {
        var expected = new List<(int, string)>();
        string[] lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match match = Expectation.Match(lines[i]);
            if (match.Success)
            {
                foreach (string id in match.Groups["ids"].Value.Split(','))
                {
                    expected.Add((i + 1, id.Trim()));
                }
            }
        }

        return expected;
    }

    private static List<(int Line, string Id)> ActualDiagnostics(string source, string name)
    {
        Compilation compilation = CompilationFactory.Create(new[] { source, TorchSharpStub.Source }, TestReferences.All, assemblyName: Path.GetFileNameWithoutExtension(name));
        (_, Compilation generated, _) = CompilationFactory.RunGenerator(compilation, new LayerGenerator(), trackSteps: false);
        Diagnostic[] errors = generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, $"{name} does not compile:\n{string.Join("\n", errors.Select(e => e.ToString()))}");

        ImmutableArray<Diagnostic> diagnostics = CompilationFactory.Analyze(generated, Analyzers);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics
            .Where(d => d.Id.StartsWith("FTG000", StringComparison.Ordinal) && d.Location.SourceTree == generated.SyntaxTrees.First())
            .Select(d => (d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id))
            .ToList();
    }
}
