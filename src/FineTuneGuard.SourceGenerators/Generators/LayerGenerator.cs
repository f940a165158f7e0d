using FineTuneGuard.SourceGenerators.Emitting;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FineTuneGuard.SourceGenerators.Generators;

/// <summary>
/// Completes partial classes annotated with FineTuneGuard's layer attributes. It reports no diagnostics itself
/// (the analyzers do, from the same parsers) and emits nothing for an invalid declaration. Each pipeline step is
/// value-equatable (models hold no symbols, syntax or locations), so an unrelated edit regenerates nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LayerGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names for the caching tests.</summary>
    public static class TrackingNames
    {
        public const string LoraLayers = nameof(LoraLayers);
        public const string BottleneckAdapters = nameof(BottleneckAdapters);
        public const string PrefixTunings = nameof(PrefixTunings);
        public const string PromptTunings = nameof(PromptTunings);
        public const string TransformerModels = nameof(TransformerModels);

        /// <summary>Every tracked step.</summary>
        public static readonly string[] All = { LoraLayers, BottleneckAdapters, PrefixTunings, PromptTunings, TransformerModels };
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<LoraLayerInfo> lora = Layers(
            context, LoraLayerParser.AttributeMetadataName, TrackingNames.LoraLayers, static (type, attribute) => LoraLayerParser.Parse(type, attribute).Info);
        context.RegisterSourceOutput(lora, static (spc, layer) =>
            spc.AddSource(layer.Type.HintName + ".LoraLayer.g.cs", LoraLayerEmitter.Emit(layer)));

        IncrementalValuesProvider<BottleneckAdapterInfo> adapters = Layers(
            context, BottleneckAdapterParser.AttributeMetadataName, TrackingNames.BottleneckAdapters, static (type, attribute) => BottleneckAdapterParser.Parse(type, attribute).Info);
        context.RegisterSourceOutput(adapters, static (spc, adapter) =>
            spc.AddSource(adapter.Type.HintName + ".BottleneckAdapter.g.cs", BottleneckAdapterEmitter.Emit(adapter)));

        IncrementalValuesProvider<PrefixTuningInfo> prefixes = Layers(
            context, PrefixTuningParser.AttributeMetadataName, TrackingNames.PrefixTunings, static (type, attribute) => PrefixTuningParser.Parse(type, attribute).Info);
        context.RegisterSourceOutput(prefixes, static (spc, prefix) =>
            spc.AddSource(prefix.Type.HintName + ".PrefixTuning.g.cs", PrefixTuningEmitter.Emit(prefix)));

        IncrementalValuesProvider<PromptTuningInfo> prompts = Layers(
            context, PromptTuningParser.AttributeMetadataName, TrackingNames.PromptTunings, static (type, attribute) => PromptTuningParser.Parse(type, attribute).Info);
        context.RegisterSourceOutput(prompts, static (spc, prompt) =>
            spc.AddSource(prompt.Type.HintName + ".PromptTuning.g.cs", PromptTuningEmitter.Emit(prompt)));

        IncrementalValuesProvider<TransformerModelInfo> models = Layers(
            context, TransformerModelParser.AttributeMetadataName, TrackingNames.TransformerModels,
            static (type, attribute) => TransformerModelParser.Parse(type, attribute, TransformerModelParser.FindTargets(type)).Info);
        context.RegisterSourceOutput(models, static (spc, model) =>
            spc.AddSource(model.Type.HintName + ".TransformerModel.g.cs", TransformerModelEmitter.Emit(model)));
    }

    /// <summary>One pipeline: the classes carrying <paramref name="metadataName"/>, parsed to a model, invalid ones dropped.</summary>
    private static IncrementalValuesProvider<T> Layers<T>(
        IncrementalGeneratorInitializationContext context, string metadataName, string trackingName, System.Func<INamedTypeSymbol, AttributeData, T?> parse)
        where T : class
        => context.SyntaxProvider
            .ForAttributeWithMetadataName(
                metadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                (ctx, _) => ctx.TargetSymbol is INamedTypeSymbol type && ctx.Attributes.Length > 0 && IsFirstApplication(type, ctx.Attributes[0], ctx.TargetNode)
                    ? SafeParse(parse, type, ctx.Attributes[0])
                    : null)
            .Where(static info => info is not null)
            .Select(static (info, _) => info!)
            .WithTrackingName(trackingName);

    /// <summary>
    /// True when <paramref name="targetNode"/> (one part of the class) holds the first application of the attribute. Two parts of one partial class that both carry the
    /// attribute (CS0579 for the user) reach the transform once per part; completing the class once keeps the hint names
    /// unique (a second AddSource with the same hint name throws, CS8785).
    /// </summary>
    private static bool IsFirstApplication(INamedTypeSymbol type, AttributeData attribute, SyntaxNode targetNode)
    {
        foreach (AttributeData candidate in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.AttributeClass, attribute.AttributeClass))
            {
                SyntaxReference? first = candidate.ApplicationSyntaxReference;
                return first is null || (first.SyntaxTree == targetNode.SyntaxTree && targetNode.Span.Contains(first.Span));
            }
        }

        return true;
    }

    /// <summary>The generator never throws: a parser failure on code it did not foresee means "emit nothing" (the analyzer reports).</summary>
    private static T? SafeParse<T>(System.Func<INamedTypeSymbol, AttributeData, T?> parse, INamedTypeSymbol type, AttributeData attribute)
        where T : class
    {
        try
        {
            return parse(type, attribute);
        }
        catch (System.Exception ex) when (ex is not System.OperationCanceledException)
        {
            return null;
        }
    }
}
