using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>
/// Whether any code in the compilation freezes a TorchSharp tensor: <c>p.requires_grad = false</c> (or any value that
/// is not the literal <c>true</c>, such as <c>name.Contains("lora_")</c>), <c>requires_grad_(false)</c>, or
/// <c>new Parameter(data, requires_grad: false)</c>. Freezing usually happens far from the optimizer (in the model's
/// constructor or an <c>InjectLora</c> helper), so the question is asked of the whole compilation — syntactically, once,
/// and only when an optimizer over a LoRA model's <c>parameters()</c> is found, so ordinary builds never pay for it.
/// </summary>
internal sealed class TorchFreezeEvidence
{
    private readonly Compilation _compilation;
    private int _state; // 0 unknown, 1 frozen somewhere, 2 never frozen
    private int _referenceState; // same, for reference models only

    public TorchFreezeEvidence(Compilation compilation) => _compilation = compilation;

    public bool AnyFreeze(CancellationToken cancellationToken)
    {
        int state = Volatile.Read(ref _state);
        if (state == 0)
        {
            state = Scan(cancellationToken) ? 1 : 2;
            Volatile.Write(ref _state, state);
        }

        return state == 1;
    }

    /// <summary>
    /// Whether any code freezes something named like a reference model (<c>reference.eval()</c>,
    /// <c>refModel.requires_grad_(false)</c>, <c>foreach (var p in reference.parameters()) p.requires_grad_(false)</c>):
    /// a factory that freezes the reference before handing it to the trainer is as good as the trainer doing it.
    /// </summary>
    public bool AnyReferenceFreeze(CancellationToken cancellationToken)
    {
        int state = Volatile.Read(ref _referenceState);
        if (state == 0)
        {
            state = ScanReferences(cancellationToken) ? 1 : 2;
            Volatile.Write(ref _referenceState, state);
        }

        return state == 1;
    }

    private bool ScanReferences(CancellationToken cancellationToken)
    {
        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            string text = tree.GetText(cancellationToken).ToString();
            if (text.IndexOf("eval", StringComparison.Ordinal) < 0 && text.IndexOf("requires_grad", StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (InvocationExpressionSyntax invocation in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "eval" or "requires_grad_" } member
                    && LastName(member.Expression) is { } receiver && ReferenceNames.IsReference(receiver))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Scan(CancellationToken cancellationToken)
    {
        foreach (SyntaxTree tree in _compilation.SyntaxTrees)
        {
            if (tree.GetText(cancellationToken).ToString().IndexOf("requires_grad", StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes())
            {
                if (IsFreeze(node))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsFreeze(SyntaxNode node)
    {
        switch (node)
        {
            case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                return LastName(assignment.Left) == "requires_grad" && !assignment.Right.IsKind(SyntaxKind.TrueLiteralExpression);
            case InvocationExpressionSyntax invocation when LastName(invocation.Expression) == "requires_grad_":
                return invocation.ArgumentList.Arguments.Count > 0 && !invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.TrueLiteralExpression);
            case ArgumentSyntax argument when argument.NameColon?.Name.Identifier.ValueText == "requires_grad":
                return argument.Expression.IsKind(SyntaxKind.FalseLiteralExpression);
            default:
                return false;
        }
    }

    private static string? LastName(ExpressionSyntax expression) => expression switch
    {
        ThisExpressionSyntax => null,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        _ => null,
    };
}
