using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>
/// The model a log-probability comes from: <c>policy.LogProb(chosen)</c> → <c>policy</c>;
/// <c>SequenceLogProb.Sum(reference.Forward(x), ...)</c> → <c>reference</c>; a local assigned once is followed.
/// Two log-probabilities with the same root come from the same instance.
/// </summary>
internal static class ModelRoots
{
    public static ISymbol? Of(IOperation operation, IOperation root, int depth = 0)
    {
        if (depth > 6)
        {
            return null;
        }

        operation = LocalDataFlow.Resolve(operation, root);
        switch (operation)
        {
            case IInvocationOperation { Instance: { } instance }:
                return IsModelReference(instance) ? OperationFacts.ReferencedSymbol(instance) : Of(instance, root, depth + 1);
            case IInvocationOperation { Arguments.Length: > 0 } staticCall:
                return Of(staticCall.Arguments[0].Value, root, depth + 1);
            case IArrayElementReferenceOperation element:
                return Of(element.ArrayReference, root, depth + 1);
            case IPropertyReferenceOperation { Instance: { } owner } property when property.Property.IsIndexer:
                return Of(owner, root, depth + 1);
            default:
                // LogProb(model, ids): the model handed to a static helper.
                return IsModelReference(operation) ? OperationFacts.ReferencedSymbol(operation) : null;
        }
    }

    /// <summary>A reference to a local, parameter, field or property whose type is a class other than string and arrays: a model, not a number.</summary>
    private static bool IsModelReference(IOperation operation)
    {
        IOperation unwrapped = OperationFacts.Unwrap(operation);
        ISymbol? symbol = OperationFacts.ReferencedSymbol(unwrapped);
        return symbol is not null
               && unwrapped.Type is { TypeKind: TypeKind.Class or TypeKind.Interface } type
               && type.SpecialType == SpecialType.None
               && !IsTensorLike(type);
    }

    private static bool IsTensorLike(ITypeSymbol type)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (current.Name == "Tensor")
            {
                return true;
            }
        }

        return false;
    }
}
