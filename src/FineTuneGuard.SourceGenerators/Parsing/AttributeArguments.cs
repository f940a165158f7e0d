using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// Reads constructor and named arguments of an attribute without ever throwing: an argument that is missing, of
/// the wrong type or in error yields false, so malformed code as typed in the IDE is reported, not crashed on.
/// </summary>
internal readonly struct AttributeArguments
{
    private readonly AttributeData _attribute;

    public AttributeArguments(AttributeData attribute) => _attribute = attribute;

    public bool TryGetConstructorInt(int index, out int value)
    {
        value = 0;
        ImmutableArray<TypedConstant> args = _attribute.ConstructorArguments;
        if (index >= args.Length || args[index].Kind == TypedConstantKind.Error || args[index].Value is not int v)
        {
            return false;
        }

        value = v;
        return true;
    }

    /// <summary>A <c>params string[]</c> (or <c>string[]</c>) constructor argument; false when missing, null or holding a non-string.</summary>
    public bool TryGetConstructorStrings(int index, out string[] values)
    {
        values = System.Array.Empty<string>();
        ImmutableArray<TypedConstant> args = _attribute.ConstructorArguments;
        if (index >= args.Length || args[index].Kind != TypedConstantKind.Array || args[index].IsNull)
        {
            return false;
        }

        ImmutableArray<TypedConstant> items = args[index].Values;
        var result = new string[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i].Kind == TypedConstantKind.Error || items[i].Value is not string s)
            {
                return false;
            }

            result[i] = s;
        }

        values = result;
        return true;
    }

    /// <summary>A named argument; absent means the default. Returns false only when present with a wrong value.</summary>
    public bool TryGetNamed<T>(string name, T defaultValue, out T value)
    {
        value = defaultValue;
        foreach (var pair in _attribute.NamedArguments)
        {
            if (pair.Key != name)
            {
                continue;
            }

            if (pair.Value.Kind == TypedConstantKind.Error || pair.Value.Value is not T v)
            {
                return false;
            }

            value = v;
        }

        return true;
    }

    /// <summary>
    /// The source text of named argument <paramref name="name"/> as the user wrote it (e.g. <c>"x"</c> or <c>1.5</c>), or
    /// null. Messages quote it when the bound value is an error or was converted (<c>Rank = 1.5</c> binds as 1, CS0266).
    /// </summary>
    public string? Written(string name)
    {
        if (_attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax { ArgumentList: { } list })
        {
            return null;
        }

        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument.Expression.ToString();
            }
        }

        return null;
    }
}
