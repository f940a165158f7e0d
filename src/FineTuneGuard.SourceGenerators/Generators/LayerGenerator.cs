using FineTuneGuard.SourceGenerators.Emitting;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Generators;

/// <summary>
/// Completes partial classes annotated with FineTuneGuard's layer attributes. It reports no diagnostics itself
/// (the analyzers do, from the same parser) and emits nothing for an invalid declaration.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LayerGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names for the caching tests.</summary>
    public static class TrackingNames
    {
        public const string LoraLayers = nameof(LoraLayers);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<LoraLayerInfo> lora = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LoraLayerParser.AttributeMetadataName,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, _) => ctx.TargetSymbol is INamedTypeSymbol type && ctx.Attributes.Length > 0
                    ? LoraLayerParser.Parse(type, ctx.Attributes[0]).Info
                    : null)
            .Where(static info => info is not null)
            .Select(static (info, _) => info!)
            .WithTrackingName(TrackingNames.LoraLayers);

        context.RegisterSourceOutput(lora, static (spc, layer) =>
            spc.AddSource(layer.Type.HintName + ".LoraLayer.g.cs", LoraLayerEmitter.Emit(layer)));
    }
}
