using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0101 (what the generator silently skips: not partial, invalid arguments, overflowing counts) and FTG0102 (LoRA
/// rank above min(in, out)), for every layer attribute, using the generator's own parsers.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerDeclarationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidLayerDeclaration, DiagnosticDescriptors.RankAboveFullRank);

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

            start.RegisterSymbolAction(ctx => AnalyzeType(ctx, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, LayerSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        AttributeData? targets = null;
        bool hasModel = false;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            INamedTypeSymbol? c = attribute.AttributeClass;
            if (c is null)
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(c, symbols.LoraLayer))
            {
                ParseResult<LoraLayerInfo> result = LoraLayerParser.Parse(type, attribute);
                Report(context, attribute, type, result.Errors);
                if (result.Info is { } lora)
                {
                    ReportRank(context, attribute, type, lora);
                }
            }
            else if (SymbolEqualityComparer.Default.Equals(c, symbols.BottleneckAdapter))
            {
                Report(context, attribute, type, BottleneckAdapterParser.Parse(type, attribute).Errors);
            }
            else if (SymbolEqualityComparer.Default.Equals(c, symbols.PrefixTuning))
            {
                Report(context, attribute, type, PrefixTuningParser.Parse(type, attribute).Errors);
            }
            else if (SymbolEqualityComparer.Default.Equals(c, symbols.PromptTuning))
            {
                Report(context, attribute, type, PromptTuningParser.Parse(type, attribute).Errors);
            }
            else if (SymbolEqualityComparer.Default.Equals(c, symbols.TransformerModel))
            {
                hasModel = true;
            }
            else if (SymbolEqualityComparer.Default.Equals(c, symbols.LoraTargets))
            {
                targets = attribute;
            }
        }

        if (hasModel)
        {
            AttributeData model = LayerSymbols.Find(type, symbols.TransformerModel)!;
            ParseResult<TransformerModelInfo> result = TransformerModelParser.Parse(type, model, targets);
            Report(context, model, type, result.Errors.Where(e => !e.StartsWith("[" + TransformerModelParser.TargetsName + "]", System.StringComparison.Ordinal)));
            if (targets is not null)
            {
                Report(context, targets, type, result.Errors.Where(e => e.StartsWith("[" + TransformerModelParser.TargetsName + "]", System.StringComparison.Ordinal)));
            }

            if (result.Info is { HasLoraTargets: true } info && targets is not null)
            {
                ReportTargetRank(context, targets, type, info);
            }
        }
        else if (targets is not null)
        {
            var errors = new List<string> { $"[{TransformerModelParser.TargetsName}] on '{type.Name}' needs [TransformerModel] on the same class: the targeted modules are those of its layers" };
            TransformerModelParser.ParseTargets(targets, errors, out _, out _, out _, out _);
            Report(context, targets, type, errors);
        }
    }

    private static void ReportRank(SymbolAnalysisContext context, AttributeData attribute, INamedTypeSymbol type, LoraLayerInfo lora)
    {
        int full = System.Math.Min(lora.InFeatures, lora.OutFeatures);
        if (lora.Rank <= full)
        {
            return;
        }

        long wasted = (long)(lora.Rank - full) * ((long)lora.InFeatures + lora.OutFeatures);
        string message = string.Format(
            CultureInfo.InvariantCulture,
            "[LoraLayer] on '{0}': Rank {1} exceeds min(inFeatures, outFeatures) = min({2}, {3}) = {4}; rank(B·A) <= {4}, so {5:N0} of the {6:N0} trainable parameters add nothing. Use Rank = {4} or less.",
            type.Name, lora.Rank, lora.InFeatures, lora.OutFeatures, full, wasted, lora.TrainableParameterCount);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RankAboveFullRank, LocationOf(attribute, type, context), message));
    }

    private static void ReportTargetRank(SymbolAnalysisContext context, AttributeData targets, INamedTypeSymbol type, TransformerModelInfo model)
    {
        var over = model.Targets.Where(t => model.Rank > System.Math.Min(t.InFeatures, t.OutFeatures)).ToList();
        if (over.Count == 0)
        {
            return;
        }

        string modules = string.Join(", ", over.Select(t => string.Format(CultureInfo.InvariantCulture, "{0} (min({1}, {2}) = {3})", t.Module, t.InFeatures, t.OutFeatures, System.Math.Min(t.InFeatures, t.OutFeatures))));
        string message = string.Format(
            CultureInfo.InvariantCulture,
            "[LoraTargets] on '{0}': Rank {1} exceeds the full rank of {2}; rank(B·A) <= min(in, out), the extra parameters add nothing",
            type.Name, model.Rank, modules);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RankAboveFullRank, LocationOf(targets, type, context), message));
    }

    private static void Report(SymbolAnalysisContext context, AttributeData attribute, INamedTypeSymbol type, IEnumerable<string> errors)
    {
        Location? location = null;
        foreach (string error in errors)
        {
            location ??= LocationOf(attribute, type, context);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidLayerDeclaration, location, error));
        }
    }

    private static Location LocationOf(AttributeData attribute, INamedTypeSymbol type, SymbolAnalysisContext context)
        => attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
           ?? (type.Locations.Length > 0 ? type.Locations[0] : Location.None);
}
