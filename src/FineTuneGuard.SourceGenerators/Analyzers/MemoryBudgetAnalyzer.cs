using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0104: the training memory of a <c>[TransformerModel]</c> (with or without <c>[LoraTargets]</c>) estimated with the
/// shared <see cref="MemoryArithmetic"/> exceeds its <c>[MemoryBudget]</c>. The estimate uses the runtime's defaults
/// (<c>MemoryEstimate.FullFineTuning</c> / <c>MemoryEstimate.Peft</c>): weights at <c>WeightBytes</c>, AdamW with fp32 mean
/// and variance plus an fp32 master copy per trainable parameter (12 bytes),
/// gradients at the weight precision (full) or fp16 (adapters), activations <c>ActivationFactor</c> x the base weights.
/// An invalid budget is FTG0101.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MemoryBudgetAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Bytes of one fp32 value (optimizer states and master weights).</summary>
    private const double Float32 = 4;

    /// <summary>Bytes of one fp16 / bf16 value (adapter gradients).</summary>
    private const double Float16 = 2;

    /// <summary>AdamW keeps two states (mean and variance) per trainable parameter.</summary>
    private const int AdamStates = 2;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.MemoryBudgetExceeded, DiagnosticDescriptors.InvalidLayerDeclaration);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            LayerSymbols symbols = LayerSymbols.Create(start.Compilation);
            if (!symbols.IsReferenced || symbols.MemoryBudget is null || symbols.TransformerModel is null)
            {
                return;
            }

            start.RegisterSymbolAction(ctx => AnalyzeType(ctx, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, LayerSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (LayerSymbols.Find(type, symbols.MemoryBudget) is not { } budget || LayerSymbols.Find(type, symbols.TransformerModel) is not { } modelAttribute)
        {
            return;
        }

        Location location = budget.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
            ?? (type.Locations.Length > 0 ? type.Locations[0] : Location.None);
        var args = new AttributeArguments(budget);
        if (budget.ConstructorArguments.Length != 1 || budget.ConstructorArguments[0].Value is not double gib)
        {
            return;
        }

        if (!args.TryGetNamed("WeightBytes", 2.0, out double weightBytes) || !args.TryGetNamed("ActivationFactor", MemoryArithmetic.DefaultActivationFactor, out double activationFactor))
        {
            return;
        }

        string? invalid = !(gib > 0) || double.IsInfinity(gib) ? Format("[MemoryBudget] argument 'gib' must be a finite number > 0; got {0}", gib)
            : !(weightBytes > 0) || double.IsInfinity(weightBytes) ? Format("[MemoryBudget] WeightBytes must be a finite number > 0; got {0}", weightBytes)
            : !(activationFactor >= 0) || double.IsInfinity(activationFactor) ? Format("[MemoryBudget] ActivationFactor must be a finite number >= 0; got {0}", activationFactor)
            : null;
        if (invalid is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidLayerDeclaration, location, invalid));
            return;
        }

        if (TransformerModelParser.Parse(type, modelAttribute, LayerSymbols.Find(type, symbols.LoraTargets)).Info is not { } model)
        {
            return;
        }

        MemoryBreakdown memory = Estimate(model, weightBytes, activationFactor);
        double budgetBytes = gib * MemoryArithmetic.BytesPerGiB;
        if (memory.TotalBytes <= budgetBytes)
        {
            return;
        }

        string setup = model.HasLoraTargets
            ? Format("LoRA r = {0} on {1}: {2:N0} trainable of {3:N0} parameters", model.Rank, string.Join(", ", model.Targets.Select(t => t.Module)), model.TrainableParameterCount, model.TotalParameterCount)
            : Format("full fine-tuning of {0:N0} parameters", model.TotalParameterCount);
        string message = Format(
            "Estimated training memory of '{0}' ({1}; {2} bytes per weight, AdamW with fp32 states and master weights, activations {3}x the weights) is {4}, above the [MemoryBudget] of {5} GiB",
            type.Name, setup, weightBytes, activationFactor, MemoryArithmetic.Describe(memory), gib);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MemoryBudgetExceeded, location, message));
    }

    /// <summary>
    /// The runtime's <c>MemoryEstimate.FullFineTuning</c> (everything trainable, gradients at the weight precision) or
    /// <c>MemoryEstimate.Peft</c> (adapters trainable with fp16 gradients), through the same shared arithmetic: activations
    /// are <c>activationFactor</c> x every weight held in memory, the adapters included.
    /// </summary>
    private static MemoryBreakdown Estimate(TransformerModelInfo model, double weightBytes, double activationFactor)
        => model.HasLoraTargets
            ? MemoryArithmetic.Estimate(model.TotalParameterCount, model.TrainableParameterCount, weightBytes, Float16, AdamStates, Float32, Float32, activationFactor)
            : MemoryArithmetic.Estimate(model.TotalParameterCount, model.TotalParameterCount, weightBytes, weightBytes, AdamStates, Float32, Float32, activationFactor);

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
