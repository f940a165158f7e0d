using FineTuneGuard.SourceGenerators.Helpers;

namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>Where a generated partial class lives: its namespace (empty for the global one) and its containing types, outermost first.</summary>
/// <param name="Namespace">The namespace, or an empty string for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of the containing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Name">The class name.</param>
/// <param name="Accessibility">"public", "internal", ... as declared.</param>
internal sealed record TypeDeclarationInfo(string Namespace, EquatableArray<string> ContainingTypes, string Name, string Accessibility)
{
    /// <summary>A file-name-safe unique hint: namespace, containing types and name joined by dots.</summary>
    public string HintName => (Namespace.Length == 0 ? "" : Namespace + ".") + string.Concat(ContainingTypesNames()) + Name;

    private System.Collections.Generic.IEnumerable<string> ContainingTypesNames()
    {
        foreach (string declaration in ContainingTypes)
        {
            int space = declaration.LastIndexOf(' ');
            yield return declaration.Substring(space + 1) + ".";
        }
    }
}
