using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0103: shape mismatches known at compile time, through three links.
/// <list type="number">
/// <item>Declaration: in one class, a member whose type is a <c>[LoraLayer]</c> class and is named after a
/// <c>[Shape(rows, cols)]</c> weight member plus the suffix <c>Lora</c> (<c>QProj</c> and <c>QProjLora</c>) adapts
/// that weight: (OutFeatures, InFeatures) must be (rows, cols).</item>
/// <item>Model: in a <c>[TransformerModel]</c> class, members whose type (or array element type) is a
/// <c>[BottleneckAdapter]</c>, <c>[PromptTuning]</c> or <c>[PrefixTuning]</c> class must fit the model: adapter modelDim
/// and prompt embeddingDim = hidden; prefix heads·headDim = the model's key/value or attention width, prefix layers &lt;= layers.</item>
/// <item>Call: a generated LoRA / adapter method called with a <c>[Shape]</c> weight member or a buffer of constant
/// length (<c>new float[n]</c>, <c>stackalloc float[n]</c>, an array initializer, or a local initialised so and never
/// reassigned) of the wrong size.</item>
/// </list>
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerShapeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The suffix that links a LoRA member to the weight it adapts: <c>QProjLora</c> adapts <c>QProj</c>.</summary>
    public const string LoraMemberSuffix = "Lora";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ShapeMismatch);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            LayerSymbols symbols = LayerSymbols.Create(start.Compilation);
            if (!symbols.IsReferenced)
            {
                return;
            }

            var layers = new LayerCache(symbols);
            start.RegisterSymbolAction(ctx => AnalyzeType(ctx, symbols, layers), SymbolKind.NamedType);
            start.RegisterOperationAction(ctx => AnalyzeInvocation(ctx, symbols, layers), OperationKind.Invocation);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, LayerSymbols symbols, LayerCache layers)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return;
        }

        var shapes = new Dictionary<string, (int Rows, int Cols)>(System.StringComparer.Ordinal);
        var members = new List<(ISymbol Member, ITypeSymbol Type)>();
        foreach (ISymbol member in type.GetMembers())
        {
            ITypeSymbol? memberType = member switch
            {
                IFieldSymbol { IsImplicitlyDeclared: false } f => f.Type,
                IPropertySymbol { IsImplicitlyDeclared: false } p => p.Type,
                _ => null,
            };
            if (memberType is null)
            {
                continue;
            }

            if (ShapeOf(member, symbols) is { } shape)
            {
                shapes[member.Name] = shape;
            }

            if (LayerSymbols.ElementOrSelf(memberType) is ITypeSymbol element && symbols.LayerAttribute(element) is not null)
            {
                members.Add((member, element));
            }
        }

        if (members.Count == 0)
        {
            return;
        }

        TransformerModelInfo? model = null;
        if (LayerSymbols.Find(type, symbols.TransformerModel) is { } modelAttribute)
        {
            model = TransformerModelParser.Parse(type, modelAttribute, LayerSymbols.Find(type, symbols.LoraTargets)).Info;
        }

        foreach (var (member, layerType) in members)
        {
            object? info = layers.Info(layerType);
            string? problem = info switch
            {
                LoraLayerInfo lora when member.Name.Length > LoraMemberSuffix.Length
                                        && member.Name.EndsWith(LoraMemberSuffix, System.StringComparison.Ordinal)
                                        && shapes.TryGetValue(member.Name.Substring(0, member.Name.Length - LoraMemberSuffix.Length), out var shape)
                    => LoraAgainstWeight(member, lora, member.Name.Substring(0, member.Name.Length - LoraMemberSuffix.Length), shape),
                BottleneckAdapterInfo adapter when model is not null => AdapterAgainstModel(member, adapter, model),
                PromptTuningInfo prompt when model is not null => PromptAgainstModel(member, prompt, model),
                PrefixTuningInfo prefix when model is not null => PrefixAgainstModel(member, prefix, model),
                _ => null,
            };
            if (problem is not null && member.Locations.Length > 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ShapeMismatch, member.Locations[0], problem));
            }
        }
    }

    private static string? LoraAgainstWeight(ISymbol member, LoraLayerInfo lora, string weight, (int Rows, int Cols) shape)
    {
        if (lora.OutFeatures == shape.Rows && lora.InFeatures == shape.Cols)
        {
            return null;
        }

        string hint = lora.OutFeatures == shape.Cols && lora.InFeatures == shape.Rows ? " (transposed: [LoraLayer] takes (inFeatures, outFeatures), [Shape] is (rows = out, cols = in))" : "";
        return Format(
            "'{0}' ([LoraLayer] {1}) adapts an OutFeatures x InFeatures = {2} x {3} weight, but the weight '{4}' it is named after is [Shape({5}, {6})]{7}",
            member.Name, lora.Type.DisplayName, lora.OutFeatures, lora.InFeatures, weight, shape.Rows, shape.Cols, hint);
    }

    private static string? AdapterAgainstModel(ISymbol member, BottleneckAdapterInfo adapter, TransformerModelInfo model)
        => adapter.ModelDim == model.Hidden
            ? null
            : Format("'{0}' ([BottleneckAdapter] {1}) has modelDim {2}, but the [TransformerModel] '{3}' has hidden {4}", member.Name, adapter.Type.DisplayName, adapter.ModelDim, model.Type.DisplayName, model.Hidden);

    private static string? PromptAgainstModel(ISymbol member, PromptTuningInfo prompt, TransformerModelInfo model)
        => prompt.EmbeddingDim == model.Hidden
            ? null
            : Format("'{0}' ([PromptTuning] {1}) has embeddingDim {2}, but the [TransformerModel] '{3}' has hidden {4}", member.Name, prompt.Type.DisplayName, prompt.EmbeddingDim, model.Type.DisplayName, model.Hidden);

    private static string? PrefixAgainstModel(ISymbol member, PrefixTuningInfo prefix, TransformerModelInfo model)
    {
        long width = prefix.KeyValueWidth;
        long attention = (long)model.Heads * model.HeadDim;
        long keyValue = (long)model.KvHeads * model.HeadDim;
        if (width != model.Hidden && width != attention && width != keyValue)
        {
            return Format(
                "'{0}' ([PrefixTuning] {1}) has heads·headDim = {2}·{3} = {4}, but the [TransformerModel] '{5}' has hidden {6} (attention heads·headDim = {7}, key/value kvHeads·headDim = {8})",
                member.Name, prefix.Type.DisplayName, prefix.Heads, prefix.HeadDim, width, model.Type.DisplayName, model.Hidden, attention, keyValue);
        }

        return prefix.Layers > model.Layers
            ? Format("'{0}' ([PrefixTuning] {1}) has a prefix for {2} layers, but the [TransformerModel] '{3}' has {4}", member.Name, prefix.Type.DisplayName, prefix.Layers, model.Type.DisplayName, model.Layers)
            : null;
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, LayerSymbols symbols, LayerCache layers)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        // The entry points are inherited from the runtime base class; the layer is the type of the receiver.
        if (method.IsStatic || invocation.Instance?.Type is not INamedTypeSymbol layerType || symbols.LayerAttribute(layerType) is null)
        {
            return;
        }

        IReadOnlyList<BufferRule>? rules = layers.Info(layerType) switch
        {
            LoraLayerInfo lora => BufferRule.ForLora(lora, method.Name),
            BottleneckAdapterInfo adapter => BufferRule.ForAdapter(adapter, method.Name),
            _ => null,
        };
        if (rules is null)
        {
            return;
        }

        int? rows = null;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == "rows" && argument.Value.ConstantValue is { HasValue: true, Value: int r })
            {
                rows = r;
            }
        }

        string layerName = layerType.Name + "." + method.Name;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null)
            {
                continue;
            }

            foreach (BufferRule rule in rules)
            {
                if (rule.Parameter == argument.Parameter.Name && BufferFacts.Describe(argument.Value, symbols, context.CancellationToken) is { } buffer
                    && rule.Check(layerName, buffer, rows) is { } problem)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ShapeMismatch, argument.Syntax.GetLocation(), problem));
                }
            }
        }
    }

    /// <summary>The (rows, cols) of a member's <c>[Shape]</c>, or null.</summary>
    internal static (int Rows, int Cols)? ShapeOf(ISymbol member, LayerSymbols symbols)
    {
        if (LayerSymbols.Find(member, symbols.Shape) is { } shape && shape.ConstructorArguments.Length == 2
            && shape.ConstructorArguments[0].Value is int rows && shape.ConstructorArguments[1].Value is int cols)
        {
            return (rows, cols);
        }

        return null;
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>Parsed layer models per class, computed once per compilation.</summary>
    private sealed class LayerCache
    {
        private readonly LayerSymbols _symbols;
        private readonly ConcurrentDictionary<ITypeSymbol, object?> _infos = new(SymbolEqualityComparer.Default);

        public LayerCache(LayerSymbols symbols) => _symbols = symbols;

        public object? Info(ITypeSymbol type) => _infos.GetOrAdd(type, t =>
        {
            if (t is not INamedTypeSymbol named || _symbols.LayerAttribute(named) is not { } attribute)
            {
                return null;
            }

            INamedTypeSymbol? c = attribute.AttributeClass;
            if (SymbolEqualityComparer.Default.Equals(c, _symbols.LoraLayer))
            {
                return LoraLayerParser.Parse(named, attribute).Info;
            }

            if (SymbolEqualityComparer.Default.Equals(c, _symbols.BottleneckAdapter))
            {
                return BottleneckAdapterParser.Parse(named, attribute).Info;
            }

            if (SymbolEqualityComparer.Default.Equals(c, _symbols.PrefixTuning))
            {
                return PrefixTuningParser.Parse(named, attribute).Info;
            }

            return PromptTuningParser.Parse(named, attribute).Info;
        });
    }
}
