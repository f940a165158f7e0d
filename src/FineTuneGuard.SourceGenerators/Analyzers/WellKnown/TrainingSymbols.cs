using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Analyzers.WellKnown;

/// <summary>
/// The FineTuneGuard and TorchSharp types the training rules (FTG0001–FTG0009) look at, resolved once per compilation
/// by metadata name so that no TorchSharp reference is needed to build or load the analyzers. A type that the
/// compilation does not reference is <c>null</c>; <see cref="IsEmpty"/> lets an analyzer return at once when neither
/// library is referenced.
/// </summary>
internal sealed class TrainingSymbols
{
    private static readonly string[] RuntimeNamespaces = { "FineTuneGuard", "FineTuneGuard.Losses", "FineTuneGuard.Optimization", "FineTuneGuard.Kernels", "FineTuneGuard.Numerics" };

    private TrainingSymbols(Compilation compilation)
    {
        Frozen = compilation.GetTypeByMetadataName("FineTuneGuard.FrozenAttribute");
        Trainable = compilation.GetTypeByMetadataName("FineTuneGuard.TrainableAttribute");
        ReferenceModel = compilation.GetTypeByMetadataName("FineTuneGuard.ReferenceModelAttribute");
        LoraLayer = compilation.GetTypeByMetadataName("FineTuneGuard.LoraLayerAttribute");
        BottleneckAdapter = compilation.GetTypeByMetadataName("FineTuneGuard.BottleneckAdapterAttribute");
        PrefixTuning = compilation.GetTypeByMetadataName("FineTuneGuard.PrefixTuningAttribute");
        PromptTuning = compilation.GetTypeByMetadataName("FineTuneGuard.PromptTuningAttribute");
        LoraTargets = compilation.GetTypeByMetadataName("FineTuneGuard.LoraTargetsAttribute");
        LoraLayerBase = compilation.GetTypeByMetadataName("FineTuneGuard.LoraLayerBase");
        BottleneckAdapterBase = compilation.GetTypeByMetadataName("FineTuneGuard.BottleneckAdapterBase");
        PrefixTuningBase = compilation.GetTypeByMetadataName("FineTuneGuard.PrefixTuningBase");
        PromptTuningBase = compilation.GetTypeByMetadataName("FineTuneGuard.PromptTuningBase");

        CrossEntropy = Runtime(compilation, "CrossEntropy");
        TokenLoss = Runtime(compilation, "TokenLoss");
        SftLabels = Runtime(compilation, "SftLabels");
        Dpo = Runtime(compilation, "Dpo");
        ReferenceFree = Runtime(compilation, "ReferenceFree");
        Parameter = Runtime(compilation, "Parameter");
        ParameterGroup = Runtime(compilation, "ParameterGroup");
        AdamW = Runtime(compilation, "AdamW");
        Lora = Runtime(compilation, "Lora");
        BottleneckAdapterKernel = Runtime(compilation, "Adapter");
        SeededRandom = Runtime(compilation, "SeededRandom");
        SftOptions = Runtime(compilation, "SftOptions");
        SftBatch = Runtime(compilation, "SftBatch");
        LossScope = Runtime(compilation, "LossScope");
        DpoTrainer = Runtime(compilation, "DpoTrainer");
        DpoOptions = Runtime(compilation, "DpoOptions");
        PreferencePair = Runtime(compilation, "PreferencePair");

        Torch = compilation.GetTypeByMetadataName("TorchSharp.torch");
        if (Torch is not null)
        {
            TorchNn = compilation.GetTypeByMetadataName("TorchSharp.torch+nn");
            TorchFunctional = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+functional");
            TorchInit = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+init");
            TorchOptim = compilation.GetTypeByMetadataName("TorchSharp.torch+optim");
            Tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            TorchModule = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module");
            TorchParameter = compilation.GetTypeByMetadataName("TorchSharp.Modules.Parameter");
            TorchCrossEntropyLoss = compilation.GetTypeByMetadataName("TorchSharp.Modules.CrossEntropyLoss");
        }
    }

    public INamedTypeSymbol? Frozen { get; }
    public INamedTypeSymbol? Trainable { get; }
    public INamedTypeSymbol? ReferenceModel { get; }
    public INamedTypeSymbol? LoraLayer { get; }
    public INamedTypeSymbol? BottleneckAdapter { get; }
    public INamedTypeSymbol? PrefixTuning { get; }
    public INamedTypeSymbol? PromptTuning { get; }
    public INamedTypeSymbol? LoraTargets { get; }

    /// <summary>The runtime base class of generated LoRA layers; it declares A and B.</summary>
    public INamedTypeSymbol? LoraLayerBase { get; }

    public INamedTypeSymbol? BottleneckAdapterBase { get; }

    public INamedTypeSymbol? PrefixTuningBase { get; }

    public INamedTypeSymbol? PromptTuningBase { get; }

    public INamedTypeSymbol? CrossEntropy { get; }
    public INamedTypeSymbol? TokenLoss { get; }
    public INamedTypeSymbol? SftLabels { get; }
    public INamedTypeSymbol? Dpo { get; }
    public INamedTypeSymbol? ReferenceFree { get; }
    public INamedTypeSymbol? Parameter { get; }
    public INamedTypeSymbol? ParameterGroup { get; }
    public INamedTypeSymbol? AdamW { get; }
    public INamedTypeSymbol? Lora { get; }
    public INamedTypeSymbol? BottleneckAdapterKernel { get; }
    public INamedTypeSymbol? SeededRandom { get; }

    // The runtime's trainers: SftOptions.LossScope / SftBatch.Collate (FTG0001), DpoTrainer / DpoOptions /
    // PreferencePair (FTG0006–FTG0009).
    public INamedTypeSymbol? SftOptions { get; }
    public INamedTypeSymbol? SftBatch { get; }
    public INamedTypeSymbol? LossScope { get; }
    public INamedTypeSymbol? DpoTrainer { get; }
    public INamedTypeSymbol? DpoOptions { get; }
    public INamedTypeSymbol? PreferencePair { get; }

    public INamedTypeSymbol? Torch { get; }
    public INamedTypeSymbol? TorchNn { get; }
    public INamedTypeSymbol? TorchFunctional { get; }
    public INamedTypeSymbol? TorchInit { get; }
    public INamedTypeSymbol? TorchOptim { get; }
    public INamedTypeSymbol? Tensor { get; }
    public INamedTypeSymbol? TorchModule { get; }
    public INamedTypeSymbol? TorchParameter { get; }
    public INamedTypeSymbol? TorchCrossEntropyLoss { get; }

    /// <summary>Neither FineTuneGuard's attributes nor TorchSharp are referenced: nothing to analyze.</summary>
    public bool IsEmpty => Frozen is null && Torch is null;

    public bool HasTorch => Torch is not null;

    public static TrainingSymbols Create(Compilation compilation) => new(compilation);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        => expected is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, expected);

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return false;
        }

        foreach (AttributeData data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A type with one of the layer attributes, or one of the runtime layer base classes: its instances are adapters.</summary>
    public bool IsAdapterLayer(ITypeSymbol? type)
        => type is INamedTypeSymbol named
           && (HasAttribute(named, LoraLayer) || HasAttribute(named, BottleneckAdapter) || HasAttribute(named, PrefixTuning) || HasAttribute(named, PromptTuning)
               || InheritsFrom(named, LoraLayerBase) || InheritsFrom(named, BottleneckAdapterBase) || InheritsFrom(named, PrefixTuningBase)
               || InheritsFrom(named, PromptTuningBase));

    /// <summary>TorchSharp's tensor or anything derived from it (Parameter).</summary>
    public bool IsTensor(ITypeSymbol? type) => InheritsFrom(type, Tensor);

    public bool IsTorchModule(ITypeSymbol? type) => InheritsFrom(type, TorchModule);

    public static bool InheritsFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static INamedTypeSymbol? Runtime(Compilation compilation, string name)
    {
        foreach (string ns in RuntimeNamespaces)
        {
            INamedTypeSymbol? type = compilation.GetTypeByMetadataName(ns + "." + name);
            if (type is not null)
            {
                return type;
            }
        }

        return null;
    }
}
