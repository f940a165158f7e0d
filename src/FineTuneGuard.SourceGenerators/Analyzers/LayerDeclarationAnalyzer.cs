using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.SourceGenerators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>FTG0101: reports what the generator silently skips, using the generator's own parser.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerDeclarationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidLayerDeclaration);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? loraAttribute = start.Compilation.GetTypeByMetadataName(LoraLayerParser.AttributeMetadataName);
            if (loraAttribute is null)
            {
                return;
            }

            start.RegisterSymbolAction(ctx => AnalyzeType(ctx, loraAttribute), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol loraAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, loraAttribute))
            {
                continue;
            }

            var result = LoraLayerParser.Parse(type, attribute);
            Location location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? (type.Locations.Length > 0 ? type.Locations[0] : Location.None);
            foreach (string error in result.Errors)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidLayerDeclaration, location, error));
            }
        }
    }
}
