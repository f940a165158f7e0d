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
using Microsoft.CodeAnalysis.Editing;

namespace FineTuneGuard.CodeFixes;

/// <summary>
/// FTG0002 (a base weight with no freeze decision) and FTG0008 (a reference model that is not frozen): add
/// <c>[Frozen]</c> to the member — next to <c>[ReferenceModel]</c> when it has one — and <c>using FineTuneGuard;</c>
/// when the attribute is not already in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddFrozenAttributeCodeFixProvider)), Shared]
public sealed class AddFrozenAttributeCodeFixProvider : CodeFixProvider
{
    private const string Title = "Mark as [Frozen]";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("FTG0002", "FTG0008");

    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) => (Document?)await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            // The TorchSharp form of FTG0002 sits on an optimizer argument: there is no member to annotate.
            if (root is null || MemberAt(root, diagnostic) is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        SyntaxNode root = editor.OriginalRoot;
        bool needsUsing = false;
        foreach (Diagnostic diagnostic in diagnostics)
        {
            MemberDeclarationSyntax? member = MemberAt(root, diagnostic);
            if (member is null || HasFrozen(member))
            {
                continue;
            }

            needsUsing |= !IsFrozenInScope(editor.SemanticModel, member.SpanStart);
            AttributeSyntax frozen = SyntaxFactory.Attribute(SyntaxFactory.IdentifierName("Frozen"));
            AttributeListSyntax? referenceList = member.AttributeLists.FirstOrDefault(list => list.Attributes.Any(IsReferenceModel));
            if (referenceList is not null)
            {
                editor.ReplaceNode(referenceList, referenceList.AddAttributes(frozen));
            }
            else
            {
                editor.AddAttribute(member, frozen);
            }
        }

        Document changed = editor.GetChangedDocument();
        if (!needsUsing || await changed.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax unit)
        {
            return changed;
        }

        UsingDirectiveSyntax directive = SyntaxFactory.UsingDirective(SyntaxFactory.IdentifierName("FineTuneGuard"))
            .WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed);
        return changed.WithSyntaxRoot(unit.AddUsings(directive));
    }

    private static MemberDeclarationSyntax? MemberAt(SyntaxNode root, Diagnostic diagnostic)
    {
        SyntaxNode? node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        return node switch
        {
            VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax field } => field,
            PropertyDeclarationSyntax property => property,
            _ => node?.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is { } p && p.Identifier.Span == diagnostic.Location.SourceSpan ? p : null,
        };
    }

    private static bool HasFrozen(MemberDeclarationSyntax member)
        => member.AttributeLists.SelectMany(list => list.Attributes).Any(a => AttributeName(a) is "Frozen" or "FrozenAttribute");

    private static bool IsReferenceModel(AttributeSyntax attribute) => AttributeName(attribute) is "ReferenceModel" or "ReferenceModelAttribute";

    private static string AttributeName(AttributeSyntax attribute) => attribute.Name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => attribute.Name.ToString(),
    };

    private static bool IsFrozenInScope(SemanticModel model, int position)
        => model.LookupNamespacesAndTypes(position, name: "FrozenAttribute")
            .Any(symbol => symbol.ContainingNamespace?.ToDisplayString() == "FineTuneGuard");
}
