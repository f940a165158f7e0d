using FineTuneGuard.SourceGenerators.Helpers;

namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>Where a generated partial class lives: its namespace (empty for the global one) and its containing types, outermost first.</summary>
/// <param name="Namespace">The namespace, or an empty string for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of the containing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Name">The class name.</param>
/// <param name="Accessibility">"public", "internal", ... as declared.</param>
/// <param name="DeclaresConstructor">
/// The user wrote an instance constructor: the generator then emits no constructor of its own (which could clash) and
/// the user calls the generated <c>ResetParameters(seed)</c>.
/// </param>
internal sealed record TypeDeclarationInfo(string Namespace, EquatableArray<string> ContainingTypes, string Name, string Accessibility, bool DeclaresConstructor)
{
    /// <summary>A file-name-safe unique hint: namespace, containing types and name joined by dots.</summary>
    public string HintName => (Namespace.Length == 0 ? "" : Namespace + ".") + string.Concat(ContainingTypesNames()) + Name;

    /// <summary>The name used in generated messages: containing types and name, dotted (e.g. "Outer.QProj").</summary>
    public string DisplayName => string.Concat(ContainingTypesNames()) + Name;

    private System.Collections.Generic.IEnumerable<string> ContainingTypesNames()
    {
        foreach (string declaration in ContainingTypes)
        {
            int space = declaration.LastIndexOf(' ');
            yield return declaration.Substring(space + 1) + ".";
        }
    }
}
