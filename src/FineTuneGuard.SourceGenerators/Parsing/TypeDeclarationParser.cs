using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Turns the symbol of an annotated class into a <see cref="TypeDeclarationInfo"/> or explains why it cannot be completed.</summary>
internal static class TypeDeclarationParser
{
    /// <summary>
    /// Returns null (and adds an error) when the type is not a non-generic partial class nested only in partial classes,
    /// carries a second completing attribute, or is named like one of the members the generator would add.
    /// </summary>
    public static TypeDeclarationInfo? Parse(INamedTypeSymbol type, string attributeName, List<string> errors, string[] generatedMembers)
    {
        if (type.TypeKind != TypeKind.Class || type.IsRecord)
        {
            errors.Add($"[{attributeName}] must be placed on a partial class; '{type.Name}' is a {Describe(type)}");
            return null;
        }

        if (type.IsGenericType)
        {
            errors.Add($"[{attributeName}] cannot complete the generic class '{type.Name}'; declare a non-generic partial class");
            return null;
        }

        if (type.IsStatic)
        {
            errors.Add($"[{attributeName}] cannot complete the static class '{type.Name}'; it generates instance storage");
            return null;
        }

        if (!LayerAttributeNames.IsOnlyLayerAttribute(type, attributeName, out string? other))
        {
            errors.Add($"[{attributeName}] and [{other}] cannot both complete '{type.Name}': one class is one layer (both would generate TrainableParameterCount)");
            return null;
        }

        if (System.Array.IndexOf(generatedMembers, type.Name) >= 0)
        {
            errors.Add($"[{attributeName}] cannot complete a class named '{type.Name}': it generates a member '{type.Name}' and a member cannot be named like its class; rename the class (e.g. '{type.Name}Layer')");
            return null;
        }

        var containing = new List<string>();
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (!IsPartial(current))
            {
                errors.Add(current.Equals(type, SymbolEqualityComparer.Default)
                    ? $"[{attributeName}] requires class '{type.Name}' to be declared partial so that its members can be generated"
                    : $"[{attributeName}] on '{type.Name}' requires its containing type '{current.Name}' to be declared partial");
                return null;
            }

            if (!current.Equals(type, SymbolEqualityComparer.Default))
            {
                if (current.IsGenericType)
                {
                    errors.Add($"[{attributeName}] on '{type.Name}' cannot be completed inside the generic type '{current.Name}'");
                    return null;
                }

                containing.Add(DeclarationKeyword(current) + " " + current.Name);
            }
        }

        containing.Reverse();
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        bool declaresConstructor = type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared);
        return new TypeDeclarationInfo(ns, containing.ToEquatableArray(), type.Name, Accessibility(type), declaresConstructor);
    }

    private static bool IsPartial(INamedTypeSymbol type)
        => type.DeclaringSyntaxReferences.Length > 0
           && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string DeclarationKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "partial record struct",
        { IsRecord: true } => "partial record",
        { TypeKind: TypeKind.Struct } => "partial struct",
        { TypeKind: TypeKind.Interface } => "partial interface",
        { IsStatic: true } => "static partial class",
        _ => "partial class",
    };

    private static string Describe(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        { TypeKind: TypeKind.Enum } => "enum",
        _ => type.TypeKind.ToString().ToLowerInvariant(),
    };

    private static string Accessibility(INamedTypeSymbol type) => type.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };
}
