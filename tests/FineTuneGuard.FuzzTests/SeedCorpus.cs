using System.Collections.Immutable;
using System.IO;
using System.Text.RegularExpressions;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.FuzzTests;

/// <summary>One seed source: a whole file of the repository or a C# snippet embedded in one of its tests.</summary>
internal sealed record Seed(string Name, string Text)
{
    /// <summary>Torch-style code gets the TorchSharp stub of the code-fix tests as a second syntax tree.</summary>
    public bool UsesTorch => Text.Contains("TorchSharp", StringComparison.Ordinal) || Text.Contains("torch.", StringComparison.Ordinal);
}

/// <summary>
/// The fuzz seeds, read at test time from the repository (<see cref="TestReferences.RepositoryRoot"/>): every C# file of
/// samples/, the code-fix corpus, the generator snapshots, and every C# snippet (string literal) in the generator,
/// analyzer and code-fix tests. Ordered by path so that a seed index means the same file on every machine.
/// </summary>
internal static class SeedCorpus
{
    private static readonly Lazy<ImmutableArray<Seed>> s_seeds = new(Load);
    private static readonly Lazy<string> s_torchStub = new(LoadTorchStub);

    public static ImmutableArray<Seed> All => s_seeds.Value;

    /// <summary>The TorchSharp stub source of the code-fix tests (the raw string of <c>TorchSharpStub.Source</c>).</summary>
    public static string TorchStub => s_torchStub.Value;

    private static string Root => TestReferences.RepositoryRoot;

    private static ImmutableArray<Seed> Load()
    {
        var seeds = new List<Seed>();

        // Whole files, as a user would have them open.
        foreach (string file in Files("samples").Concat(Files("tests/FineTuneGuard.CodeFixes.Tests/Corpus")))
        {
            seeds.Add(new Seed(Relative(file), File.ReadAllText(file)));
        }

        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "tests/FineTuneGuard.SourceGenerators.Tests/Snapshots"), "*.cs").Order(StringComparer.Ordinal))
        {
            seeds.Add(new Seed(Relative(file), File.ReadAllText(file)));
        }

        // Snippets embedded in the tests (the declarations the tests compile).
        foreach (string file in Files("tests/FineTuneGuard.SourceGenerators.Tests").Concat(Files("tests/FineTuneGuard.CodeFixes.Tests/Rules")))
        {
            SyntaxNode root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            int n = 0;
            foreach (SyntaxToken token in root.DescendantTokens())
            {
                if (!token.IsKind(SyntaxKind.StringLiteralToken) && !token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken)
                    && !token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken))
                {
                    continue;
                }

                string text = StripMarkup(token.ValueText);
                if (text.Length < 12 || !(text.Contains("class", StringComparison.Ordinal) || text.Contains("struct", StringComparison.Ordinal) || text.Contains('[')))
                {
                    continue;
                }

                if (!text.Contains("using FineTuneGuard", StringComparison.Ordinal) && !text.Contains("TorchSharp", StringComparison.Ordinal))
                {
                    text = "using FineTuneGuard;\nusing FineTuneGuard.Attention;\n" + text;
                }

                seeds.Add(new Seed($"{Relative(file)}#{n++}", text));
            }
        }

        // Interpolated test snippets ({...} holes) are kept as they are: a hole is just more malformed code.
        return seeds.ToImmutableArray();
    }

    private static string LoadTorchStub()
    {
        string file = Path.Combine(Root, "tests/FineTuneGuard.CodeFixes.Tests/Infrastructure/TorchSharpStub.cs");
        SyntaxNode root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
        return root.DescendantNodes().OfType<VariableDeclaratorSyntax>()
            .Single(v => v.Identifier.ValueText == "Source")
            .Initializer!.Value.GetFirstToken().ValueText;
    }

    // The analyzer-testing markup of the code-fix tests: {|FTG0004:x|}, [|x|], {|#0:x|}.
    private static string StripMarkup(string text)
        => Regex.Replace(Regex.Replace(text, @"\{\|[^:|]*:", string.Empty), @"\|\}|\[\||\|\]", string.Empty);

    private static IEnumerable<string> Files(string relative)
        => Directory.EnumerateFiles(Path.Combine(Root, relative), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string Relative(string file) => Path.GetRelativePath(Root, file).Replace('\\', '/');
}
