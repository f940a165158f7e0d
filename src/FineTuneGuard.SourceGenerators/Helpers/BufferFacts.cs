using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>
/// Finds the compile-time length (and <c>[Shape]</c>) of an argument, where it is visible: <c>new float[n]</c>,
/// <c>new float[] { ... }</c>, <c>stackalloc float[n]</c>, a <c>[Shape]</c> field or property, or a local initialised with
/// one of those and never written again. Anything else is unknown (null): no guessing, no false positives.
/// </summary>
internal static class BufferFacts
{
    public static KnownBuffer? Describe(IOperation value, LayerSymbols symbols, CancellationToken cancellationToken, int depth = 0)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        switch (value)
        {
            case IArrayCreationOperation { DimensionSizes.Length: 1 } array
                when array.DimensionSizes[0].ConstantValue is { HasValue: true, Value: int length }:
                return new KnownBuffer(array.Syntax.ToString().Length <= 40 ? array.Syntax.ToString() : $"an array of {length} elements", length, null, null);
            case IFieldReferenceOperation field:
                return FromMember(field.Field, symbols);
            case IPropertyReferenceOperation property:
                return FromMember(property.Property, symbols);
            case ILocalReferenceOperation local when depth == 0:
                return FromLocal(local, symbols, cancellationToken);
        }

        if (value.Syntax is StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax arrayType } stackAlloc
            && arrayType.RankSpecifiers.Count == 1 && arrayType.RankSpecifiers[0].Sizes.Count == 1
            && value.SemanticModel?.GetConstantValue(arrayType.RankSpecifiers[0].Sizes[0], cancellationToken) is { HasValue: true, Value: int stackLength })
        {
            return new KnownBuffer(stackAlloc.ToString(), stackLength, null, null);
        }

        return null;
    }

    private static KnownBuffer? FromMember(ISymbol member, LayerSymbols symbols)
    {
        if (LayerSymbols.Find(member, symbols.Shape) is { ConstructorArguments.Length: 2 } shape
            && shape.ConstructorArguments[0].Value is int rows && shape.ConstructorArguments[1].Value is int cols)
        {
            return new KnownBuffer($"the [Shape({rows}, {cols})] member '{member.Name}'", (long)rows * cols, rows, cols);
        }

        return null;
    }

    private static KnownBuffer? FromLocal(ILocalReferenceOperation reference, LayerSymbols symbols, CancellationToken cancellationToken)
        => LocalInitializer.Find(reference, cancellationToken) is { } operation
           && Describe(operation, symbols, cancellationToken, depth: 1) is { } buffer
            ? buffer with { Description = $"'{reference.Local.Name}' ({buffer.Description})" }
            : null;
}
