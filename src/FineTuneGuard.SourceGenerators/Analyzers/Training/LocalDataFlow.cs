using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>
/// Just enough intra-method data flow for the training rules: the one value a local is given, and whether anything
/// else in the method could have written into it. Walks the operation tree of the executable block that holds the
/// call being judged (never the semantic model), and answers "unknown" whenever a local is written more than once.
/// </summary>
internal static class LocalDataFlow
{
    /// <summary>The value of <paramref name="local"/> when it is assigned exactly once (declaration or assignment), else null.</summary>
    public static IOperation? SingleValue(ILocalSymbol local, IOperation root)
    {
        IOperation? value = null;
        int writes = 0;
        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    if (declarator.Initializer is not null)
                    {
                        value = declarator.Initializer.Value;
                        writes++;
                    }

                    break;
                case ISimpleAssignmentOperation assignment when IsLocal(assignment.Target, local):
                    value = assignment.Value;
                    writes++;
                    break;
                case ICompoundAssignmentOperation compound when IsLocal(compound.Target, local):
                case IIncrementOrDecrementOperation increment when IsLocal(increment.Target, local):
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } byRef when IsLocal(byRef.Value, local):
                    writes += 2;
                    break;
            }
        }

        return writes == 1 ? value : null;
    }

    /// <summary>Follows locals assigned once, up to a few hops: <c>var labels = ids.clone();</c> → <c>ids.clone()</c>.</summary>
    public static IOperation Resolve(IOperation operation, IOperation root, int maxHops = 4)
    {
        operation = OperationFacts.Unwrap(operation);
        for (int hop = 0; hop < maxHops && operation is ILocalReferenceOperation reference; hop++)
        {
            IOperation? value = SingleValue(reference.Local, root);
            if (value is null)
            {
                break;
            }

            operation = OperationFacts.Unwrap(value);
        }

        return operation;
    }

    /// <summary>
    /// Whether <paramref name="symbol"/> is handed to any call or written element-wise anywhere in <paramref name="root"/>
    /// outside <paramref name="except"/>: a buffer that is filled somewhere is not "constant zeros".
    /// </summary>
    public static bool IsWrittenOrShared(ISymbol symbol, IOperation root, IOperation except)
    {
        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            if (IsInside(operation, except))
            {
                continue;
            }

            switch (operation)
            {
                case IArgumentOperation argument when Refers(InitialValueClassifier.StripSpan(argument.Value), symbol):
                    return true;
                case IInvocationOperation call when call.Instance is not null && Refers(InitialValueClassifier.StripSpan(call.Instance), symbol):
                    return true;
                case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } when Refers(element.ArrayReference, symbol):
                    return true;
                case ICompoundAssignmentOperation { Target: IArrayElementReferenceOperation element } when Refers(element.ArrayReference, symbol):
                    return true;
            }
        }

        return false;
    }

    public static bool IsInside(IOperation operation, IOperation container)
    {
        for (IOperation? current = operation; current is not null; current = current.Parent)
        {
            if (ReferenceEquals(current, container))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Refers(IOperation operation, ISymbol symbol)
        => SymbolEqualityComparer.Default.Equals(OperationFacts.ReferencedSymbol(operation), symbol);

    private static bool IsLocal(IOperation target, ILocalSymbol local)
        => OperationFacts.Unwrap(target) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local);
}
