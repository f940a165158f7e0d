using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace FineTuneGuard.CodeFixes;

/// <summary>
/// FTG0004: initialise LoRA B with zeros, keeping the shape and the surrounding code — <c>torch.randn(out, r)</c> →
/// <c>torch.zeros(out, r)</c>; <c>init.normal_(B, ...)</c> → <c>init.zeros_(B)</c>; <c>B.normal_()</c> /
/// <c>B.fill_(v)</c> → <c>B.zero_()</c>; <c>random.FillNormal(B, ...)</c>, <c>Lora.InitializeA(shape, B, rng)</c>,
/// <c>Array.Fill(B, v)</c> → <c>Array.Clear(B)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ZeroLoraBCodeFixProvider)), Shared]
public sealed class ZeroLoraBCodeFixProvider : CodeFixProvider
{
    private const string Title = "Initialise LoRA B with zeros";

    private static readonly ImmutableHashSet<string> TorchFactories = ImmutableHashSet.Create("randn", "rand", "ones", "empty");
    private static readonly ImmutableHashSet<string> TorchInitializers = ImmutableHashSet.Create(
        "normal_", "uniform_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_", "trunc_normal_", "constant_", "ones_", "orthogonal_");
    private static readonly ImmutableHashSet<string> TensorInPlace = ImmutableHashSet.Create("normal_", "uniform_", "fill_", "random_");
    private static readonly ImmutableHashSet<string> BufferFillers = ImmutableHashSet.Create("FillNormal", "FillUniform", "InitializeA", "InitializeDown", "Fill");

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("FTG0004");

    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) => (Document?)await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Rewrite(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var replacements = diagnostics
            .Select(d => Rewrite(root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true)))
            .Where(r => r is not null)
            .Select(r => r!.Value)
            .GroupBy(r => r.Old)
            .ToDictionary(g => g.Key, g => g.First().New);
        SyntaxNode updated = root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]);
        return document.WithSyntaxRoot(updated);
    }

    /// <summary>The invocation to replace and its zero-initialising replacement, or null when no safe rewrite exists.</summary>
    private static (InvocationExpressionSyntax Old, SyntaxNode New)? Rewrite(SyntaxNode? node)
    {
        if (node is null)
        {
            return null;
        }

        foreach (InvocationExpressionSyntax invocation in node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            SimpleNameSyntax? name = NameOf(invocation.Expression);
            if (name is null)
            {
                continue;
            }

            string method = name.Identifier.ValueText;
            bool qualifiedByInit = invocation.Expression is MemberAccessExpressionSyntax { Expression: var owner } && LastName(owner) == "init";
            bool isStaticInitCall = qualifiedByInit || (invocation.Expression is IdentifierNameSyntax && method.EndsWith("_", System.StringComparison.Ordinal) && invocation.ArgumentList.Arguments.Count > 0);

            if (TorchFactories.Contains(method))
            {
                return (invocation, invocation.ReplaceNode(name, Renamed(name, "zeros")));
            }

            if (isStaticInitCall && TorchInitializers.Contains(method) && invocation.ArgumentList.Arguments.Count > 0)
            {
                InvocationExpressionSyntax zeros = invocation
                    .ReplaceNode(name, Renamed(name, "zeros_"))
                    .WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(invocation.ArgumentList.Arguments[0].WithNameColon(null))));
                return (invocation, zeros);
            }

            if (!isStaticInitCall && invocation.Expression is MemberAccessExpressionSyntax tensorCall && TensorInPlace.Contains(method))
            {
                InvocationExpressionSyntax zero = SyntaxFactory.InvocationExpression(tensorCall.WithName(SyntaxFactory.IdentifierName("zero_")), SyntaxFactory.ArgumentList())
                    .WithTriviaFrom(invocation);
                return (invocation, zero);
            }

            if (BufferFillers.Contains(method) && BufferArgument(invocation, method) is { } buffer)
            {
                ExpressionSyntax clear = SyntaxFactory.ParseExpression("System.Array.Clear").WithAdditionalAnnotations(Simplifier.Annotation);
                InvocationExpressionSyntax cleared = SyntaxFactory.InvocationExpression(clear, SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(buffer.WithoutTrivia()))))
                    .WithTriviaFrom(invocation);
                return (invocation, cleared);
            }
        }

        return null;
    }

    /// <summary>The array being filled: <c>FillNormal(B, ...)</c> and <c>Array.Fill(B, v)</c> take it first, <c>InitializeA(shape, B, rng)</c> second.</summary>
    private static ExpressionSyntax? BufferArgument(InvocationExpressionSyntax invocation, string method)
    {
        int index = method is "InitializeA" or "InitializeDown" ? 1 : 0;
        if (invocation.ArgumentList.Arguments.Count <= index)
        {
            return null;
        }

        ExpressionSyntax argument = invocation.ArgumentList.Arguments[index].Expression;
        // B.AsSpan() → B
        if (argument is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AsSpan", Expression: var array } })
        {
            return array;
        }

        return argument is IdentifierNameSyntax or MemberAccessExpressionSyntax ? argument : null;
    }

    private static SimpleNameSyntax? NameOf(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax member => member.Name,
        SimpleNameSyntax simple => simple,
        _ => null,
    };

    private static string? LastName(ExpressionSyntax expression) => NameOf(expression)?.Identifier.ValueText;

    private static SimpleNameSyntax Renamed(SimpleNameSyntax name, string newName)
        => name.WithIdentifier(SyntaxFactory.Identifier(newName).WithTriviaFrom(name.Identifier));
}
