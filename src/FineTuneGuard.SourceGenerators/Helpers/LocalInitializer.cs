using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>
/// The initializer of a local that is never written after its declaration (no assignment, increment, or ref/out
/// use anywhere in its enclosing body): only then is "the value of this local" known at compile time.
/// </summary>
internal static class LocalInitializer
{
    public static IOperation? Find(ILocalReferenceOperation reference, CancellationToken cancellationToken)
    {
        ILocalSymbol local = reference.Local;
        if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || reference.SemanticModel is not { } model
            || declarator.SyntaxTree != model.SyntaxTree
            || IsWritten(declarator, local, model, cancellationToken))
        {
            return null;
        }

        return model.GetOperation(initializer, cancellationToken);
    }

    private static bool IsWritten(VariableDeclaratorSyntax declarator, ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        SyntaxNode? body = declarator.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or CompilationUnitSyntax);
        if (body is null)
        {
            return true;
        }

        foreach (IdentifierNameSyntax name in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != local.Name)
            {
                continue;
            }

            bool written = name.Parent switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left == name,
                ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None) && !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword),
                PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax or RefExpressionSyntax => true,
                _ => false,
            };
            if (written && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            {
                return true;
            }
        }

        return false;
    }
}
