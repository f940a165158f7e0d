using System.Collections.Concurrent;
using System.Collections.Generic;
using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>
/// Answers "is this a model that carries adapters?" (the precondition of the freeze audit: full fine-tuning, with no
/// adapter anywhere, is a legitimate choice) and "is this member a weight?", cached per type for one compilation.
/// </summary>
internal sealed class AdapterModels
{
    private const int MaxDepth = 4;

    private readonly TrainingSymbols _symbols;
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _carriesAdapters = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _carriesTorchLora = new(SymbolEqualityComparer.Default);

    public AdapterModels(TrainingSymbols symbols) => _symbols = symbols;

    /// <summary>A type with a layer attribute or <c>[LoraTargets]</c>, or one holding such a layer (directly, in an array or a list).</summary>
    public bool CarriesAdapters(INamedTypeSymbol type)
        => _carriesAdapters.GetOrAdd(type, t =>
        {
            if (_symbols.IsAdapterLayer(t) || TrainingSymbols.HasAttribute(t, _symbols.LoraTargets))
            {
                return true;
            }

            foreach (ITypeSymbol memberType in InstanceMemberTypes(t))
            {
                if (IsAdapterLayerOrCollectionOfThem(memberType))
                {
                    return true;
                }
            }

            return false;
        });

    public bool IsAdapterLayerOrCollectionOfThem(ITypeSymbol type)
    {
        foreach (ITypeSymbol element in ElementTypes(type))
        {
            if (_symbols.IsAdapterLayer(element))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A TorchSharp module that holds LoRA factors (<c>lora_A</c>/<c>lora_B</c>, ...) or a module whose type name says
    /// LoRA, itself or in a sub-module reachable through its fields.
    /// </summary>
    public bool CarriesTorchLora(INamedTypeSymbol type) => _carriesTorchLora.GetOrAdd(type, t => CarriesTorchLora(t, 0, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default)));

    /// <summary>Float storage a weight lives in: arrays, <c>Memory&lt;float&gt;</c>, tensors, our <c>Parameter</c>, TorchSharp tensors.</summary>
    public bool IsWeightType(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return array.ElementType.SpecialType is SpecialType.System_Single or SpecialType.System_Double
                       || array.ElementType.Name == "Half";
            case INamedTypeSymbol named:
                if (_symbols.IsTensor(named) || TrainingSymbols.Is(named, _symbols.Parameter))
                {
                    return true;
                }

                if (named.IsGenericType && named.TypeArguments.Length == 1
                    && named.TypeArguments[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double)
                {
                    string ns = named.ContainingNamespace?.ToDisplayString() ?? string.Empty;
                    return (named.Name is "Memory" && ns == "System") || (named.Name is "Tensor" && ns == "System.Numerics.Tensors");
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Names of working buffers that share a weight's type but are not weights.</summary>
    public static bool IsBufferName(string name)
    {
        string n = OperationFacts.Normalize(name);
        foreach (string exact in BufferNames)
        {
            if (n == exact)
            {
                return true;
            }
        }

        foreach (string word in BufferWords)
        {
            if (n.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whole names of activation buffers (a word like "output" inside <c>OutputProjection</c> is a weight).</summary>
    private static readonly string[] BufferNames = { "x", "y", "dx", "dy", "input", "inputs", "output", "outputs", "result", "results", "temp", "tmp", "hidden", "hiddenstates" };

    private static readonly string[] BufferWords =
    {
        "grad", "scratch", "buffer", "cache", "workspace", "mask", "moment", "velocity", "logit", "label", "activation", "state",
    };

    private bool CarriesTorchLora(INamedTypeSymbol type, int depth, HashSet<INamedTypeSymbol> seen)
    {
        if (depth > MaxDepth || !seen.Add(type))
        {
            return false;
        }

        if (OperationFacts.NameContains(type.Name, "lora"))
        {
            return true;
        }

        foreach (ISymbol member in InstanceMembers(type))
        {
            if (LoraMatrixRole.Of(member, typeIsLoraLayer: false) != LoraMatrix.None)
            {
                return true;
            }

            ITypeSymbol? memberType = member is IFieldSymbol f ? f.Type : (member as IPropertySymbol)?.Type;
            if (memberType is null)
            {
                continue;
            }

            foreach (ITypeSymbol element in ElementTypes(memberType))
            {
                if (element is INamedTypeSymbol named && _symbols.IsTorchModule(named) && named.Locations.Length > 0 && named.Locations[0].IsInSource
                    && CarriesTorchLora(named, depth + 1, seen))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<ISymbol> InstanceMembers(INamedTypeSymbol type)
    {
        foreach (ISymbol member in type.GetMembers())
        {
            if (!member.IsStatic && !member.IsImplicitlyDeclared && member is IFieldSymbol or IPropertySymbol)
            {
                yield return member;
            }
        }
    }

    private static IEnumerable<ITypeSymbol> InstanceMemberTypes(INamedTypeSymbol type)
    {
        foreach (ISymbol member in InstanceMembers(type))
        {
            ITypeSymbol? memberType = member is IFieldSymbol f ? f.Type : (member as IPropertySymbol)?.Type;
            if (memberType is not null)
            {
                yield return memberType;
            }
        }
    }

    /// <summary>The type itself, an array's element type, and a generic collection's type arguments.</summary>
    private static IEnumerable<ITypeSymbol> ElementTypes(ITypeSymbol type)
    {
        yield return type;
        if (type is IArrayTypeSymbol array)
        {
            yield return array.ElementType;
        }
        else if (type is INamedTypeSymbol { IsGenericType: true } generic)
        {
            foreach (ITypeSymbol argument in generic.TypeArguments)
            {
                yield return argument;
            }
        }
    }
}
