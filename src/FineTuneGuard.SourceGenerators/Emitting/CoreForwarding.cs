using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Writes the one-line members of a thin generated layer: the private runtime core field and members that forward to it
/// with <c>&lt;inheritdoc cref&gt;</c> to the core's documentation. All logic (storage, shape checks, kernels) lives once
/// in the runtime's <c>FineTuneGuard.*Core</c> types, so each generated class costs the compiler a few dozen lines.
/// </summary>
internal static class CoreForwarding
{
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    /// <summary><c>private readonly global::FineTuneGuard.{core} _ftgCore = new(...)</c>.</summary>
    public static void Field(IndentedWriter w, string core, string arguments)
        => w.WriteLine($"private readonly global::FineTuneGuard.{core} _ftgCore = new global::FineTuneGuard.{core}({arguments});");

    /// <summary>A documented read-only array property forwarding to the core.</summary>
    public static void Array(IndentedWriter w, string core, string name)
    {
        w.WriteLine($"/// <inheritdoc cref=\"global::FineTuneGuard.{core}.{name}\"/>");
        w.WriteLine($"public float[] {name} => _ftgCore.{name};");
    }

    /// <summary>A documented read-write property forwarding to the core.</summary>
    public static void Property(IndentedWriter w, string core, string type, string name)
    {
        w.WriteLine($"/// <inheritdoc cref=\"global::FineTuneGuard.{core}.{name}\"/>");
        w.WriteLine($"public {type} {name} {{ get => _ftgCore.{name}; set => _ftgCore.{name} = value; }}");
    }

    /// <summary>A documented method forwarding to the core: <c>public {returns} {name}({parameters}) => _ftgCore.{name}({arguments});</c>.</summary>
    public static void Method(IndentedWriter w, string core, string returns, string name, string parameters, string arguments)
    {
        w.WriteLine($"/// <inheritdoc cref=\"global::FineTuneGuard.{core}.{name}\"/>");
        w.WriteLine($"public {returns} {name}({parameters}) => _ftgCore.{name}({arguments});");
    }

    /// <summary>The seeded constructor (unless the class declares one) and <c>ResetParameters</c>.</summary>
    public static void Initialisation(IndentedWriter w, string core, TypeDeclarationInfo type, string summary)
    {
        if (!type.DeclaresConstructor)
        {
            w.WriteLine("/// <summary>" + summary + "</summary>");
            w.WriteLine($"public {type.Name}(ulong seed = 0) => _ftgCore.ResetParameters(seed);");
        }

        Method(w, core, "void", "ResetParameters", "ulong seed", "seed");
    }
}
