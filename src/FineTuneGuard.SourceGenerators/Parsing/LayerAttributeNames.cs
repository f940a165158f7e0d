using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>The attributes that make a class a generated layer (or model); at most one of them per class.</summary>
internal static class LayerAttributeNames
{
    /// <summary>Short name (as written in messages) and metadata name of every completing attribute.</summary>
    public static readonly (string Name, string MetadataName)[] All =
    {
        (LoraLayerParser.Name, LoraLayerParser.AttributeMetadataName),
        (BottleneckAdapterParser.Name, BottleneckAdapterParser.AttributeMetadataName),
        (PrefixTuningParser.Name, PrefixTuningParser.AttributeMetadataName),
        (PromptTuningParser.Name, PromptTuningParser.AttributeMetadataName),
        (TransformerModelParser.Name, TransformerModelParser.AttributeMetadataName),
    };

    /// <summary>The short name of a completing attribute class, or null for any other attribute.</summary>
    public static string? NameOf(INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null || !attributeClass.Name.EndsWith("Attribute", System.StringComparison.Ordinal))
        {
            return null;
        }

        string metadataName = attributeClass.ToDisplayString();
        foreach (var (name, known) in All)
        {
            if (metadataName == known)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>False (with the other attribute's name) when <paramref name="type"/> carries a second completing attribute.</summary>
    public static bool IsOnlyLayerAttribute(INamedTypeSymbol type, string attributeName, out string? other)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = NameOf(attribute.AttributeClass);
            if (name is not null && name != attributeName)
            {
                other = name;
                return false;
            }
        }

        other = null;
        return true;
    }
}
