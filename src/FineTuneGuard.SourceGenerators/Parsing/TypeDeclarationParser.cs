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
    /// carries a second completing attribute, derives from a class other than the runtime base the generator gives it
    /// (<paramref name="baseTypeName"/>, in namespace FineTuneGuard), or is named like / declares one of the members the
    /// generator would add.
    /// </summary>
    public static TypeDeclarationInfo? Parse(INamedTypeSymbol type, string attributeName, List<string> errors, string[] generatedMembers, string? baseTypeName = null)
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

        if (baseTypeName is not null && type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && !IsRuntimeType(baseType, baseTypeName))
        {
            errors.Add($"[{attributeName}] makes '{type.Name}' derive from FineTuneGuard.{baseTypeName}, so it cannot also derive from '{baseType.Name}'; remove the base class (hold that object in a field instead)");
            return null;
        }

        foreach (string member in generatedMembers)
        {
            if (DeclaresMember(type, member))
            {
                errors.Add($"[{attributeName}] generates the member '{member}' of '{type.Name}', which the class already declares; rename or remove the class's '{member}'");
                return null;
            }
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

    private static bool IsRuntimeType(INamedTypeSymbol type, string name)
        => type.Name == name && type.ContainingType is null && type.ContainingNamespace is { Name: "FineTuneGuard", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>
    /// True when the class itself declares a member named <paramref name="name"/> in source it owns. The generator sees the
    /// user's code only; the analyzers see our generated part as well, whose files start with the header the emitter
    /// writes (<see cref="Emitting.TypeDeclarationEmitter.Header"/>).
    /// </summary>
    public static bool DeclaresMember(INamedTypeSymbol type, string name)
    {
        foreach (ISymbol member in type.GetMembers(name))
        {
            foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
            {
                if (!IsOurGeneratedFile(reference.SyntaxTree))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Looks for the header in the first lines only (tooling may put a pragma or a comment above it).</summary>
    private static bool IsOurGeneratedFile(SyntaxTree tree)
    {
        Microsoft.CodeAnalysis.Text.SourceText text = tree.GetText();
        string start = text.ToString(new Microsoft.CodeAnalysis.Text.TextSpan(0, System.Math.Min(text.Length, 512)));
        return start.IndexOf(Emitting.TypeDeclarationEmitter.Header, System.StringComparison.Ordinal) >= 0;
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
