using System;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FineTuneGuard.SourceGenerators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.CodeFixes;

/// <summary>
/// FTG0001 on FineTuneGuard's API: switch to the masked form and pass the answer mask that is in scope —
/// <c>CrossEntropy.UnmaskedLoss(logits, targets, vocab)</c> → <c>CrossEntropy.MaskedLoss(logits, targets, mask, vocab)</c>,
/// <c>TokenLoss.Mean(losses)</c> → <c>TokenLoss.AnswerOnlyMean(losses, mask)</c>. Offered only when a float mask
/// (a local, parameter or field whose name says mask) is in scope: inventing one would not compile.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MaskedSftLossCodeFixProvider)), Shared]
public sealed class MaskedSftLossCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("FTG0001");

    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) => (Document?)await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Plan(root, model, diagnostic) is { } plan)
            {
                string title = $"Use {plan.MaskedForm} with '{plan.Mask}'";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: "UseMaskedForm"),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var plans = diagnostics.Select(d => Plan(root, model, d)).Where(p => p is not null).Select(p => p!.Value)
            .GroupBy(p => p.Invocation).ToDictionary(g => g.Key, g => g.First());
        SyntaxNode updated = root.ReplaceNodes(plans.Keys, (original, _) => Apply(plans[original]));
        return document.WithSyntaxRoot(updated);
    }

    private static InvocationExpressionSyntax Apply(FixPlan plan)
    {
        InvocationExpressionSyntax invocation = plan.Invocation;
        SimpleNameSyntax name = invocation.Expression is MemberAccessExpressionSyntax member ? member.Name : (SimpleNameSyntax)invocation.Expression;
        SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
        ArgumentSyntax mask = SyntaxFactory.Argument(SyntaxFactory.IdentifierName(plan.Mask));
        bool named = arguments.Any(a => a.NameColon is not null);
        if (named)
        {
            arguments = arguments.Add(mask.WithNameColon(SyntaxFactory.NameColon("mask")));
        }
        else
        {
            // MaskedLoss(logits, targets, mask, vocab, ...) puts the mask third; AnswerOnlyMean(losses, mask) second.
            int position = plan.MaskedForm == "MaskedLoss" ? 2 : 1;
            arguments = arguments.Insert(Math.Min(position, arguments.Count), mask);
        }

        return invocation
            .ReplaceNode(name, name.WithIdentifier(SyntaxFactory.Identifier(plan.MaskedForm).WithTriviaFrom(name.Identifier)))
            .WithArgumentList(invocation.ArgumentList.WithArguments(arguments));
    }

    private static FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(UnmaskedSftLossAnalyzer.MaskedFormProperty, out string? maskedForm) || maskedForm is null)
        {
            return null;
        }

        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
            || invocation.Expression is not (MemberAccessExpressionSyntax or SimpleNameSyntax))
        {
            return null;
        }

        string? mask = FindMask(model, invocation.SpanStart);
        return mask is null ? null : new FixPlan(invocation, maskedForm, mask);
    }

    /// <summary>A float mask visible at the call: prefer names that say answer/completion/loss over a generic <c>mask</c>.</summary>
    private static string? FindMask(SemanticModel model, int position)
    {
        var candidates = model.LookupSymbols(position)
            .Where(s => s is ILocalSymbol or IParameterSymbol or IFieldSymbol or IPropertySymbol && s.Name.IndexOf("mask", StringComparison.OrdinalIgnoreCase) >= 0)
            .Where(s => IsFloatBuffer(TypeOf(s)))
            .Where(s => s.Name.IndexOf("attention", StringComparison.OrdinalIgnoreCase) < 0 && s.Name.IndexOf("pad", StringComparison.OrdinalIgnoreCase) < 0)
            .OrderByDescending(s => Preference(s.Name))
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        return candidates.Count > 0 ? candidates[0].Name : null;
    }

    private static int Preference(string name)
    {
        string n = name.ToLowerInvariant();
        return n.Contains("answer") || n.Contains("completion") || n.Contains("response") || n.Contains("loss") ? 1 : 0;
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol l => l.Type,
        IParameterSymbol p => p.Type,
        IFieldSymbol f => f.Type,
        IPropertySymbol p => p.Type,
        _ => null,
    };

    private static bool IsFloatBuffer(ITypeSymbol? type) => type switch
    {
        IArrayTypeSymbol array => array.ElementType.SpecialType == SpecialType.System_Single,
        INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span => span.TypeArguments[0].SpecialType == SpecialType.System_Single,
        _ => false,
    };

    private readonly record struct FixPlan(InvocationExpressionSyntax Invocation, string MaskedForm, string Mask);
}
