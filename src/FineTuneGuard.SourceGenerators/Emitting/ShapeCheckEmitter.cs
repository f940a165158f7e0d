using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the private argument checks every generated entry point calls first, so that a wrong buffer fails with a
/// message naming the layer, the method, the parameter, the expected shape and the actual length, before any kernel
/// runs.
/// </summary>
internal static class ShapeCheckEmitter
{
    public static void Write(IndentedWriter w, TypeDeclarationInfo type)
    {
        string layer = type.DisplayName;
        w.WriteLine("/// <summary>Throws <see cref=\"global::System.ArgumentException\"/> unless <paramref name=\"actualLength\"/> = rows·cols.</summary>");
        using (w.OpenBlock("private static void GuardShape(string method, string parameter, int actualLength, long rows, long cols, string shape)"))
        {
            using (w.OpenBlock("if (actualLength != rows * cols)"))
            {
                w.WriteLine("throw new global::System.ArgumentException(");
                w.WriteLine("    \"" + layer + ".\" + method + \": '\" + parameter + \"' must be \" + shape + \" = \" + rows + \" x \" + cols + \" = \" + (rows * cols) + \" elements; got \" + actualLength + \".\",");
                w.WriteLine("    parameter);");
            }
        }

        w.WriteLine();
        w.WriteLine("/// <summary>Throws <see cref=\"global::System.ArgumentOutOfRangeException\"/> unless <paramref name=\"rows\"/> &gt; 0.</summary>");
        using (w.OpenBlock("private static void GuardRows(string method, int rows)"))
        {
            using (w.OpenBlock("if (rows <= 0)"))
            {
                w.WriteLine("throw new global::System.ArgumentOutOfRangeException(nameof(rows), rows, \"" + layer + ".\" + method + \": 'rows' must be > 0; got \" + rows + \".\");");
            }
        }
    }
}
