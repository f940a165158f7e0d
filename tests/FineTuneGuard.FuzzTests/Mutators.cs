using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace FineTuneGuard.FuzzTests;

/// <summary>
/// Source mutations. Each takes a text and a seeded <see cref="Random"/> and returns a new text (never throws; a
/// mutation that finds nothing to act on falls back to a token deletion). Edits are made on the text through spans of
/// the parsed tree, so a mutation reads like what a user would type.
/// </summary>
internal static class Mutators
{
    public delegate string Mutation(string text, Random random);

    public static readonly (string Name, Mutation Apply)[] All =
    {
        ("prefix", Prefix),
        ("delete-tokens", DeleteTokens),
        ("duplicate-tokens", DuplicateTokens),
        ("attribute-edge-value", AttributeEdgeValue),
        ("declaration-kind", DeclarationKind),
        ("namespace-style", NamespaceStyle),
        ("duplicate-attribute", DuplicateAttribute),
    };

    /// <summary>The file as if being typed: cut at a random character (half the time right after a token).</summary>
    public static string Prefix(string text, Random random)
    {
        if (random.Next(2) == 0)
        {
            SyntaxToken[] tokens = Tokens(text);
            if (tokens.Length > 0)
            {
                return text[..tokens[random.Next(tokens.Length)].Span.End];
            }
        }

        return text[..random.Next(text.Length + 1)];
    }

    public static string DeleteTokens(string text, Random random)
    {
        SyntaxToken[] tokens = Tokens(text);
        if (tokens.Length == 0)
        {
            return text;
        }

        int count = 1 + random.Next(3);
        var spans = Enumerable.Range(0, count).Select(_ => tokens[random.Next(tokens.Length)].Span).Distinct();
        return Edit(text, spans.Select(s => (s, string.Empty)));
    }

    public static string DuplicateTokens(string text, Random random)
    {
        SyntaxToken[] tokens = Tokens(text);
        if (tokens.Length == 0)
        {
            return text + text;
        }

        int count = 1 + random.Next(3);
        var picks = Enumerable.Range(0, count).Select(_ => tokens[random.Next(tokens.Length)]).Distinct();
        return Edit(text, picks.Select(t => (new TextSpan(t.Span.End, 0), " " + t.Text)));
    }

    /// <summary>One argument of a FineTuneGuard attribute replaced by an edge value, left out, or a named argument added.</summary>
    public static string AttributeEdgeValue(string text, Random random)
    {
        AttributeSyntax[] attributes = Root(text).DescendantNodes().OfType<AttributeSyntax>().Where(IsOurs).ToArray();
        if (attributes.Length == 0)
        {
            return DeleteTokens(text, random);
        }

        AttributeSyntax attribute = attributes[random.Next(attributes.Length)];
        string? edge = AttributeCatalog.EdgeValues[random.Next(AttributeCatalog.EdgeValues.Length)];
        SeparatedSyntaxList<AttributeArgumentSyntax> args = attribute.ArgumentList?.Arguments ?? default;
        int action = random.Next(4);
        if (action == 0 || args.Count == 0)
        {
            // Add a named argument of the attribute (or a made-up one).
            AttributeSpec? spec = AttributeCatalog.All.FirstOrDefault(s => NameOf(attribute) == s.Name);
            string[] named = spec?.Slots.Where(s => s.IsNamed).Select(s => s.Name).Append("Bogus").ToArray() ?? new[] { "Rank" };
            string argument = $"{named[random.Next(named.Length)]} = {edge ?? string.Empty}";
            if (attribute.ArgumentList is null)
            {
                return Edit(text, new[] { (new TextSpan(attribute.Span.End, 0), $"({argument})") });
            }

            string separator = args.Count == 0 ? string.Empty : ", ";
            return Edit(text, new[] { (new TextSpan(attribute.ArgumentList.CloseParenToken.SpanStart, 0), separator + argument) });
        }

        if (action == 1)
        {
            // The whole argument list gone, or emptied.
            return Edit(text, new[] { (attribute.ArgumentList!.Span, random.Next(2) == 0 ? string.Empty : "()") });
        }

        int index = random.Next(args.Count);
        AttributeArgumentSyntax arg = args[index];
        if (edge is null)
        {
            // Missing: the argument and its separator removed.
            TextSpan span = index < args.SeparatorCount
                ? TextSpan.FromBounds(arg.SpanStart, args.GetSeparator(index).Span.End)
                : index > 0 ? TextSpan.FromBounds(args.GetSeparator(index - 1).SpanStart, arg.Span.End) : arg.Span;
            return Edit(text, new[] { (span, string.Empty) });
        }

        return Edit(text, new[] { (arg.Expression.Span, edge) });
    }

    /// <summary>The declaration carrying a FineTuneGuard attribute turned into another kind of type, made non-partial, generic or nested.</summary>
    public static string DeclarationKind(string text, Random random)
    {
        TypeDeclarationSyntax[] types = Root(text).DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t.AttributeLists.SelectMany(l => l.Attributes).Any(IsOurs)).ToArray();
        if (types.Length == 0)
        {
            return DeleteTokens(text, random);
        }

        TypeDeclarationSyntax type = types[random.Next(types.Length)];
        switch (random.Next(7))
        {
            case 0:
                SyntaxToken partial = type.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.PartialKeyword));
                return partial == default
                    ? Edit(text, new[] { (new TextSpan(type.Keyword.SpanStart, 0), "partial ") })
                    : Edit(text, new[] { (partial.Span, string.Empty) });
            case 1:
            case 2:
                string[] kinds = { "record", "struct", "interface", "record struct", "record class", "class", "enum", "ref struct", "readonly struct" };
                SyntaxToken keyword = type is RecordDeclarationSyntax { ClassOrStructKeyword: { } k } && k != default ? k : type.Keyword;
                TextSpan keywordSpan = type is RecordDeclarationSyntax r && r.ClassOrStructKeyword != default
                    ? TextSpan.FromBounds(r.Keyword.SpanStart, r.ClassOrStructKeyword.Span.End)
                    : keyword.Span;
                return Edit(text, new[] { (keywordSpan, kinds[random.Next(kinds.Length)]) });
            case 3:
                return type.TypeParameterList is null
                    ? Edit(text, new[] { (new TextSpan(type.Identifier.Span.End, 0), random.Next(2) == 0 ? "<T>" : "<TIn, TOut> where TIn : struct") })
                    : Edit(text, new[] { (type.TypeParameterList.Span, string.Empty) });
            case 4:
            {
                string[] outers = { "public partial class FuzzOuter", "public class FuzzOuter", "public partial class FuzzOuter<TOuter>", "public partial struct FuzzOuter", "public static partial class FuzzOuter", "public partial interface IFuzzOuter" };
                return Edit(text, new[]
                {
                    (new TextSpan(type.FullSpan.Start, 0), outers[random.Next(outers.Length)] + " {\n"),
                    (new TextSpan(type.FullSpan.End, 0), "\n}\n"),
                });
            }

            case 5:
            {
                // A second part of the same partial type, with or without the attribute again.
                string copy = random.Next(2) == 0 ? type.ToFullString() : type.WithAttributeLists(default).ToFullString();
                return Edit(text, new[] { (new TextSpan(type.FullSpan.End, 0), "\n" + copy) });
            }

            default:
            {
                // A member the generator would add, declared by the user.
                string[] members = { "public const int Rank = 3;", "public float[] A = new float[1];", "public void MergeInto(System.Span<float> w) { }", "public static long TrainableParameterCount => 1;", "public int InFeatures { get; }", "public partial void Forward();" };
                int brace = type.OpenBraceToken.IsMissing || type.OpenBraceToken == default ? -1 : type.OpenBraceToken.Span.End;
                return brace < 0
                    ? DeleteTokens(text, random)
                    : Edit(text, new[] { (new TextSpan(brace, 0), "\n    " + members[random.Next(members.Length)] + "\n") });
            }
        }
    }

    /// <summary>Block namespace ↔ file-scoped namespace ↔ global namespace.</summary>
    public static string NamespaceStyle(string text, Random random)
    {
        BaseNamespaceDeclarationSyntax? ns = Root(text).DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault();
        if (ns is null)
        {
            // Global → namespace around everything after the usings.
            CompilationUnitSyntax unit = (CompilationUnitSyntax)Root(text);
            int start = unit.Usings.Count > 0 ? unit.Usings.Last().FullSpan.End : 0;
            return random.Next(2) == 0
                ? Edit(text, new[] { (new TextSpan(start, 0), "namespace Fuzz.Scoped;\n") })
                : Edit(text, new[] { (new TextSpan(start, 0), "namespace Fuzz.Block {\n"), (new TextSpan(text.Length, 0), "\n}\n") });
        }

        if (ns is FileScopedNamespaceDeclarationSyntax fileScoped)
        {
            return random.Next(2) == 0
                ? Edit(text, new[] { (TextSpan.FromBounds(fileScoped.NamespaceKeyword.SpanStart, fileScoped.SemicolonToken.Span.End), string.Empty) })
                : Edit(text, new[] { (fileScoped.SemicolonToken.Span, " {"), (new TextSpan(text.Length, 0), "\n}\n") });
        }

        var block = (NamespaceDeclarationSyntax)ns;
        if (block.OpenBraceToken.IsMissing || block.CloseBraceToken.IsMissing)
        {
            return DeleteTokens(text, random);
        }

        return random.Next(2) == 0
            ? Edit(text, new[] { (TextSpan.FromBounds(block.NamespaceKeyword.SpanStart, block.OpenBraceToken.Span.End), string.Empty), (block.CloseBraceToken.Span, string.Empty) })
            : Edit(text, new[] { (block.OpenBraceToken.Span, ";"), (block.CloseBraceToken.Span, string.Empty) });
    }

    /// <summary>A FineTuneGuard attribute applied twice (same list, or a second list).</summary>
    public static string DuplicateAttribute(string text, Random random)
    {
        AttributeSyntax[] attributes = Root(text).DescendantNodes().OfType<AttributeSyntax>().Where(IsOurs).ToArray();
        if (attributes.Length == 0)
        {
            return DuplicateTokens(text, random);
        }

        AttributeSyntax attribute = attributes[random.Next(attributes.Length)];
        return random.Next(2) == 0
            ? Edit(text, new[] { (new TextSpan(attribute.Span.End, 0), ", " + attribute) })
            : Edit(text, new[] { (new TextSpan(attribute.Parent!.Span.End, 0), " [" + attributes[random.Next(attributes.Length)] + "]") });
    }

    private static bool IsOurs(AttributeSyntax attribute)
        => AttributeCatalog.AttributeNames.Contains(NameOf(attribute)) || NameOf(attribute) is "Frozen" or "Trainable" or "ReferenceModel";

    private static string NameOf(AttributeSyntax attribute)
    {
        string name = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    private static SyntaxNode Root(string text) => CSharpSyntaxTree.ParseText(text, Testing.CompilationFactory.ParseOptions).GetRoot();

    private static SyntaxToken[] Tokens(string text)
        => Root(text).DescendantTokens().Where(t => !t.IsKind(SyntaxKind.EndOfFileToken) && t.Span.Length > 0).ToArray();

    /// <summary>Applies non-overlapping edits (overlapping ones are dropped), back to front.</summary>
    private static string Edit(string text, IEnumerable<(TextSpan Span, string Replacement)> edits)
    {
        var sb = new StringBuilder(text);
        int limit = int.MaxValue;
        foreach (var (span, replacement) in edits.OrderByDescending(e => e.Span.Start).ThenByDescending(e => e.Span.End))
        {
            if (span.End > limit || span.End > text.Length)
            {
                continue;
            }

            sb.Remove(span.Start, span.Length).Insert(span.Start, replacement);
            limit = span.Start;
        }

        return sb.ToString();
    }
}
