using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>
/// The FineTuneGuard types the layer rules (FTG0101–FTG0105) look at, resolved once per compilation by metadata name.
/// <see cref="IsReferenced"/> is false when the compilation does not reference FineTuneGuard: the analyzers then
/// register nothing. Also caches, per compilation, which attribute (if any) makes a class a generated layer.
/// </summary>
internal sealed class LayerSymbols
{
    private static readonly string[] RuntimeNamespaces = { "FineTuneGuard", "FineTuneGuard.Optimization", "FineTuneGuard.Kernels" };

    private readonly ConcurrentDictionary<INamedTypeSymbol, AttributeData?> _layerAttributes = new(SymbolEqualityComparer.Default);

    private LayerSymbols(Compilation compilation)
    {
        LoraLayer = compilation.GetTypeByMetadataName("FineTuneGuard.LoraLayerAttribute");
        BottleneckAdapter = compilation.GetTypeByMetadataName("FineTuneGuard.BottleneckAdapterAttribute");
        PrefixTuning = compilation.GetTypeByMetadataName("FineTuneGuard.PrefixTuningAttribute");
        PromptTuning = compilation.GetTypeByMetadataName("FineTuneGuard.PromptTuningAttribute");
        TransformerModel = compilation.GetTypeByMetadataName("FineTuneGuard.TransformerModelAttribute");
        LoraTargets = compilation.GetTypeByMetadataName("FineTuneGuard.LoraTargetsAttribute");
        Shape = compilation.GetTypeByMetadataName("FineTuneGuard.ShapeAttribute");
        Frozen = compilation.GetTypeByMetadataName("FineTuneGuard.FrozenAttribute");
        Trainable = compilation.GetTypeByMetadataName("FineTuneGuard.TrainableAttribute");
        MemoryBudget = compilation.GetTypeByMetadataName("FineTuneGuard.MemoryBudgetAttribute");
        LayerBases = new[]
        {
            compilation.GetTypeByMetadataName("FineTuneGuard.LoraLayerBase"),
            compilation.GetTypeByMetadataName("FineTuneGuard.BottleneckAdapterBase"),
            compilation.GetTypeByMetadataName("FineTuneGuard.PrefixTuningBase"),
            compilation.GetTypeByMetadataName("FineTuneGuard.PromptTuningBase"),
        };
        Parameter = Runtime(compilation, "Parameter");
        ParameterGroup = Runtime(compilation, "ParameterGroup");
    }

    public INamedTypeSymbol? LoraLayer { get; }

    public INamedTypeSymbol? BottleneckAdapter { get; }

    public INamedTypeSymbol? PrefixTuning { get; }

    public INamedTypeSymbol? PromptTuning { get; }

    public INamedTypeSymbol? TransformerModel { get; }

    public INamedTypeSymbol? LoraTargets { get; }

    public INamedTypeSymbol? Shape { get; }

    public INamedTypeSymbol? Frozen { get; }

    public INamedTypeSymbol? Trainable { get; }

    public INamedTypeSymbol? MemoryBudget { get; }

    public INamedTypeSymbol? Parameter { get; }

    public INamedTypeSymbol? ParameterGroup { get; }

    /// <summary>The compilation references FineTuneGuard (its attributes are visible).</summary>
    public bool IsReferenced => LoraLayer is not null;

    public static LayerSymbols Create(Compilation compilation) => new(compilation);

    /// <summary>The attribute of <paramref name="attributeType"/> on <paramref name="symbol"/>, or null.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attributeType)
    {
        if (attributeType is null)
        {
            return null;
        }

        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>The runtime base classes of the generated layers (LoraLayerBase, ...), null where the runtime is not referenced.</summary>
    public INamedTypeSymbol?[] LayerBases { get; }

    /// <summary>
    /// True for a class whose members are adapter storage: a generated layer (it carries a layer attribute) or one of the
    /// runtime base classes, which declare the inherited storage (A, B, Down, ...).
    /// </summary>
    public bool IsLayerStorage(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        foreach (INamedTypeSymbol? layerBase in LayerBases)
        {
            if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, layerBase))
            {
                return true;
            }
        }

        return LayerAttribute(type) is not null;
    }

    /// <summary>The layer attribute ([LoraLayer], [BottleneckAdapter], [PrefixTuning], [PromptTuning]) of a class, or null.</summary>
    public AttributeData? LayerAttribute(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.TypeKind != TypeKind.Class)
        {
            return null;
        }

        return _layerAttributes.GetOrAdd(named.OriginalDefinition, t =>
        {
            foreach (AttributeData attribute in t.GetAttributes())
            {
                INamedTypeSymbol? c = attribute.AttributeClass;
                if (SymbolEqualityComparer.Default.Equals(c, LoraLayer) || SymbolEqualityComparer.Default.Equals(c, BottleneckAdapter)
                    || SymbolEqualityComparer.Default.Equals(c, PrefixTuning) || SymbolEqualityComparer.Default.Equals(c, PromptTuning))
                {
                    return attribute;
                }
            }

            return null;
        });
    }

    /// <summary>The element type of an array, or the type itself: a member <c>Adapter[] Adapters</c> holds adapters.</summary>
    public static ITypeSymbol? ElementOrSelf(ITypeSymbol? type) => type is IArrayTypeSymbol array ? array.ElementType : type;

    private static INamedTypeSymbol? Runtime(Compilation compilation, string name)
    {
        foreach (string ns in RuntimeNamespaces)
        {
            if (compilation.GetTypeByMetadataName(ns + "." + name) is { } type)
            {
                return type;
            }
        }

        return null;
    }
}
