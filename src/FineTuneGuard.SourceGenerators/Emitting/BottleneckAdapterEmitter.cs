using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the members of a <c>[BottleneckAdapter]</c> class: constants, Down / Up (and bias) storage with gradients,
/// seeded initialisation with Up = 0 (the layer starts as the identity), and forward / backward entry points that
/// check shapes and call <c>FineTuneGuard.BottleneckAdapter</c>.
/// </summary>
internal static class BottleneckAdapterEmitter
{
    private const string Adapter = "global::FineTuneGuard.BottleneckAdapter";
    private const string Span = "global::System.Span<float>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    public static string Emit(BottleneckAdapterInfo adapter)
    {
        string summary = $"Bottleneck adapter {adapter.ModelDim} → {adapter.Bottleneck} → {adapter.ModelDim}{(adapter.Bias ? " with biases" : " without biases")}: y = x + act(x·Downᵀ + bd)·Upᵀ + bu.";
        return TypeDeclarationEmitter.Emit(adapter.Type, summary, w =>
        {
            WriteConstants(w, adapter);
            WriteStorage(w, adapter);
            WriteInitialisation(w, adapter);
            WriteForward(w);
            WriteBackward(w);
            ShapeCheckEmitter.Write(w, adapter.Type);
        });
    }

    private static void WriteConstants(IndentedWriter w, BottleneckAdapterInfo adapter)
    {
        w.WriteLine("/// <summary>Model (residual stream) width d.</summary>");
        w.WriteLine("public const int ModelDim = " + Literals.Int(adapter.ModelDim) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Bottleneck width b.</summary>");
        w.WriteLine("public const int Bottleneck = " + Literals.Int(adapter.Bottleneck) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Whether Down and Up carry biases.</summary>");
        w.WriteLine("public const bool HasBias = " + Literals.Bool(adapter.Bias) + ";");
        w.WriteLine();
        string formula = adapter.Bias
            ? $"2·d·b + b + d = 2·{adapter.ModelDim}·{adapter.Bottleneck} + {adapter.Bottleneck} + {adapter.ModelDim}"
            : $"2·d·b = 2·{adapter.ModelDim}·{adapter.Bottleneck}";
        w.WriteLine($"/// <summary>Trainable parameters {formula} = {Literals.Grouped(adapter.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(adapter.TrainableParameterCount) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The shape handed to the runtime kernels.</summary>");
        w.WriteLine("public static global::FineTuneGuard.AdapterShape Shape => new global::FineTuneGuard.AdapterShape(ModelDim, Bottleneck);");
        w.WriteLine();
    }

    private static void WriteStorage(IndentedWriter w, BottleneckAdapterInfo adapter)
    {
        string bias = adapter.Bias ? "new float[{0}]" : "global::System.Array.Empty<float>()";
        w.WriteLine($"/// <summary>Down projection, Bottleneck x ModelDim = {adapter.Bottleneck} x {adapter.ModelDim}, row-major; random at construction.</summary>");
        w.WriteLine("public float[] Down { get; } = new float[Bottleneck * ModelDim];");
        w.WriteLine();
        w.WriteLine($"/// <summary>Down bias, length Bottleneck{(adapter.Bias ? "" : " (empty: Bias = false)")}; zeros at construction.</summary>");
        w.WriteLine("public float[] DownBias { get; } = " + string.Format(bias, "Bottleneck") + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>Up projection, ModelDim x Bottleneck = {adapter.ModelDim} x {adapter.Bottleneck}, row-major; zeros at construction so that the adapter starts as the identity.</summary>");
        w.WriteLine("public float[] Up { get; } = new float[ModelDim * Bottleneck];");
        w.WriteLine();
        w.WriteLine($"/// <summary>Up bias, length ModelDim{(adapter.Bias ? "" : " (empty: Bias = false)")}; zeros at construction.</summary>");
        w.WriteLine("public float[] UpBias { get; } = " + string.Format(bias, "ModelDim") + ";");
        w.WriteLine();
        var gradients = new[]
        {
            ("Down", "Bottleneck x ModelDim", "new float[Bottleneck * ModelDim]"),
            ("DownBias", "Bottleneck", string.Format(bias, "Bottleneck")),
            ("Up", "ModelDim x Bottleneck", "new float[ModelDim * Bottleneck]"),
            ("UpBias", "ModelDim", string.Format(bias, "ModelDim")),
        };
        foreach (var (name, shape, allocation) in gradients)
        {
            w.WriteLine($"/// <summary>dL/d{name} ({shape}), overwritten by <see cref=\"Backward\"/>.</summary>");
            w.WriteLine($"public float[] Grad{name} {{ get; }} = {allocation};");
            w.WriteLine();
        }

        w.WriteLine("/// <summary>The activation between the projections. Default ReLU.</summary>");
        w.WriteLine("public global::FineTuneGuard.AdapterActivation Activation { get; set; } = global::FineTuneGuard.AdapterActivation.Relu;");
        w.WriteLine();
        w.WriteLine("/// <summary>Adapter on (default) or off: when off the layer is the identity (y = x, dx = dy, zero gradients).</summary>");
        w.WriteLine("public bool Enabled { get; set; } = true;");
        w.WriteLine();
    }

    private static void WriteInitialisation(IndentedWriter w, BottleneckAdapterInfo adapter)
    {
        if (!adapter.Type.DeclaresConstructor)
        {
            w.WriteLine("/// <summary>Creates the adapter with Down drawn from a <see cref=\"global::FineTuneGuard.SeededRandom\"/> seeded with <paramref name=\"seed\"/>, Up and biases zero.</summary>");
            w.WriteLine($"public {adapter.Type.Name}(ulong seed = 0) => ResetParameters(seed);");
            w.WriteLine();
        }

        w.WriteLine("/// <summary>Re-initialises: Down from <paramref name=\"seed\"/> (<c>BottleneckAdapter.InitializeDown</c>), Up, biases and gradients zero.</summary>");
        using (w.OpenBlock("public void ResetParameters(ulong seed)"))
        {
            w.WriteLine(Adapter + ".InitializeDown(Shape, Down, new global::FineTuneGuard.SeededRandom(seed));");
            foreach (string buffer in new[] { "DownBias", "Up", "UpBias", "GradDown", "GradDownBias", "GradUp", "GradUpBias" })
            {
                w.WriteLine($"global::System.Array.Clear({buffer}, 0, {buffer}.Length);");
            }
        }

        w.WriteLine();
    }

    private static void WriteForward(IndentedWriter w)
    {
        w.WriteLine("/// <summary>y = x + act(x·Downᵀ + bd)·Upᵀ + bu for <paramref name=\"rows\"/> rows (<c>BottleneckAdapter.Forward</c>); y = x when <see cref=\"Enabled\"/> is false.</summary>");
        w.WriteLine("/// <param name=\"rows\">Number of rows (tokens).</param>");
        w.WriteLine("/// <param name=\"x\">Input, rows x ModelDim.</param>");
        w.WriteLine("/// <param name=\"preActivation\">rows x Bottleneck, written here and read by <see cref=\"Backward\"/>.</param>");
        w.WriteLine("/// <param name=\"y\">Output, rows x ModelDim (overwritten).</param>");
        using (w.OpenBlock($"public void Forward(int rows, {ReadOnlySpan} x, {Span} preActivation, {Span} y)"))
        {
            w.WriteLine("GuardRows(nameof(Forward), rows);");
            w.WriteLine("GuardShape(nameof(Forward), nameof(x), x.Length, rows, ModelDim, \"rows x ModelDim\");");
            w.WriteLine("GuardShape(nameof(Forward), nameof(preActivation), preActivation.Length, rows, Bottleneck, \"rows x Bottleneck\");");
            w.WriteLine("GuardShape(nameof(Forward), nameof(y), y.Length, rows, ModelDim, \"rows x ModelDim\");");
            using (w.OpenBlock("if (Enabled)"))
            {
                w.WriteLine(Adapter + ".Forward(Shape, Activation, rows, x, Down, DownBias, Up, UpBias, preActivation, y);");
            }

            using (w.OpenBlock("else"))
            {
                w.WriteLine("x.CopyTo(y);");
            }
        }

        w.WriteLine();
    }

    private static void WriteBackward(IndentedWriter w)
    {
        w.WriteLine("/// <summary>Gradients of Down, Up, their biases and the input (<c>BottleneckAdapter.Backward</c>), all overwritten; dx = dy and zero gradients when <see cref=\"Enabled\"/> is false.</summary>");
        w.WriteLine("/// <param name=\"rows\">Number of rows (tokens).</param>");
        w.WriteLine("/// <param name=\"x\">The forward input, rows x ModelDim.</param>");
        w.WriteLine("/// <param name=\"preActivation\">The buffer <see cref=\"Forward\"/> filled, rows x Bottleneck.</param>");
        w.WriteLine("/// <param name=\"dy\">dL/dy, rows x ModelDim.</param>");
        w.WriteLine("/// <param name=\"dx\">dL/dx, rows x ModelDim (overwritten).</param>");
        using (w.OpenBlock($"public void Backward(int rows, {ReadOnlySpan} x, {ReadOnlySpan} preActivation, {ReadOnlySpan} dy, {Span} dx)"))
        {
            w.WriteLine("GuardRows(nameof(Backward), rows);");
            w.WriteLine("GuardShape(nameof(Backward), nameof(x), x.Length, rows, ModelDim, \"rows x ModelDim\");");
            w.WriteLine("GuardShape(nameof(Backward), nameof(preActivation), preActivation.Length, rows, Bottleneck, \"rows x Bottleneck\");");
            w.WriteLine("GuardShape(nameof(Backward), nameof(dy), dy.Length, rows, ModelDim, \"rows x ModelDim\");");
            w.WriteLine("GuardShape(nameof(Backward), nameof(dx), dx.Length, rows, ModelDim, \"rows x ModelDim\");");
            using (w.OpenBlock("if (Enabled)"))
            {
                w.WriteLine(Adapter + ".Backward(Shape, Activation, rows, x, Down, Up, preActivation, dy, GradDown, GradDownBias, GradUp, GradUpBias, dx);");
                w.WriteLine("return;");
            }

            foreach (string buffer in new[] { "GradDown", "GradDownBias", "GradUp", "GradUpBias" })
            {
                w.WriteLine($"global::System.Array.Clear({buffer}, 0, {buffer}.Length);");
            }

            w.WriteLine("dy.CopyTo(dx);");
        }

        w.WriteLine();
    }
}
