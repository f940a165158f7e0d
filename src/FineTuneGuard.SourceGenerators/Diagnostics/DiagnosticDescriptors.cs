using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Diagnostics;

/// <summary>Every diagnostic FineTuneGuard reports. IDs are a public contract; each has a page under docs/rules.</summary>
internal static class DiagnosticDescriptors
{
    private const string HelpLinkBase = "https://github.com/finetuneguard/finetuneguard/blob/main/docs/rules/";

    public const string LayersCategory = "FineTuneGuard.Layers";

    /// <summary>FTG0101: a layer attribute on a non-partial type, or an invalid argument.</summary>
    public static readonly DiagnosticDescriptor InvalidLayerDeclaration = Create(
        "FTG0101",
        "Invalid fine-tuning layer declaration",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Error,
        "A layer attribute must sit on a partial class with positive dimensions, alpha > 0, dropout in [0, 1) and parameter counts that fit in a long; otherwise nothing is generated.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description)
        => new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");
}
