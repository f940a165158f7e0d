using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>Small, allocation-light questions about <see cref="IOperation"/> trees shared by the training rules.</summary>
internal static class OperationFacts
{
    /// <summary>Strips implicit and explicit conversions and parentheses.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IArgumentOperation argument:
                    operation = argument.Value;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The symbol a reference operation names (local, parameter, field or property), if any.</summary>
    public static ISymbol? ReferencedSymbol(IOperation operation) => Unwrap(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    /// <summary>A numeric constant value of the operation (after conversions), if the compiler knows it.</summary>
    public static double? ConstantNumber(IOperation? operation)
    {
        if (operation is null)
        {
            return null;
        }

        Optional<object?> constant = operation.ConstantValue;
        if (!constant.HasValue)
        {
            IOperation unwrapped = Unwrap(operation);
            if (ReferenceEquals(unwrapped, operation))
            {
                return null;
            }

            constant = unwrapped.ConstantValue;
            if (!constant.HasValue)
            {
                return null;
            }
        }

        return constant.Value switch
        {
            int i => i,
            long l => l,
            float f => f,
            double d => d,
            short s => s,
            byte b => b,
            uint u => u,
            ulong ul => ul,
            decimal m => (double)m,
            _ => null,
        };
    }

    /// <summary>The argument bound to the parameter called <paramref name="name"/>, or null when absent (default used).</summary>
    public static IArgumentOperation? Argument(ImmutableArray<IArgumentOperation> arguments, string name)
    {
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter is not null && argument.Parameter.Name == name && argument.ArgumentKind != ArgumentKind.DefaultValue)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The argument bound to parameter position <paramref name="ordinal"/> (explicitly written), or null.</summary>
    public static IArgumentOperation? ArgumentAt(ImmutableArray<IArgumentOperation> arguments, int ordinal)
    {
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter is not null && argument.Parameter.Ordinal == ordinal && argument.ArgumentKind != ArgumentKind.DefaultValue)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>Every operation below <paramref name="root"/> (root included), depth first.</summary>
    public static IEnumerable<IOperation> DescendantsAndSelf(IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            IOperation current = stack.Pop();
            yield return current;
            foreach (IOperation child in current.ChildOperations)
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>The outermost operation of the executable block (method body, initializer, ...) that holds <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        IOperation current = operation;
        while (current.Parent is not null)
        {
            current = current.Parent;
        }

        return current;
    }

    /// <summary>Case-insensitive "contains" on a symbol's name, with underscores ignored (lora_B == loraB).</summary>
    public static bool NameContains(string? name, string fragment)
        => name is not null && Normalize(name).IndexOf(fragment, StringComparison.Ordinal) >= 0;

    /// <summary>Lower-case name with underscores removed: <c>_lora_B</c> → <c>lorab</c>.</summary>
    public static string Normalize(string name)
    {
        var chars = new char[name.Length];
        int n = 0;
        foreach (char c in name)
        {
            if (c != '_')
            {
                chars[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(chars, 0, n);
    }
}
