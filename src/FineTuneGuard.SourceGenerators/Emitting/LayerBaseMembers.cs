using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Writes what a generated layer adds to its runtime base class (<c>FineTuneGuard.LoraLayerBase</c>, ...): the seeded
/// constructor and the <c>CreateDefinition</c> override that hands the attribute's constants to the base. Storage, shape
/// checks and the kernel calls live once in the base class, so each generated class costs the compiler a few constants
/// and two one-line members.
/// </summary>
internal static class LayerBaseMembers
{
    /// <summary>The seeded constructor, unless the class declares one (a user-written constructor chains to the base implicitly).</summary>
    public static void Constructor(IndentedWriter w, TypeDeclarationInfo type, string summary)
    {
        if (type.DeclaresConstructor)
        {
            return;
        }

        w.WriteLine("/// <summary>" + summary + "</summary>");
        w.WriteLine("/// <param name=\"seed\">Seed of the initialisation (the same seed gives the same parameters).</param>");
        w.WriteLine($"public {type.Name}(ulong seed = 0) : base(seed) {{ }}");
    }

    /// <summary><c>protected override global::FineTuneGuard.{definition} CreateDefinition() => new(...)</c>, from constants only.</summary>
    public static void Definition(IndentedWriter w, string definition, string arguments)
    {
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"protected override global::FineTuneGuard.{definition} CreateDefinition() => new global::FineTuneGuard.{definition}({arguments});");
    }
}
