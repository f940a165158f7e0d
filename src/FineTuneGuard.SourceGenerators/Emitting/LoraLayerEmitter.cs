using System.Globalization;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the members of a <c>[LoraLayer]</c> class: shape constants, the trainable count, A / B storage with their
/// gradients, the seeded initialisation, and forward / backward / merge entry points that check shapes and call
/// <c>FineTuneGuard.Lora</c> (no math is re-implemented here).
/// </summary>
internal static class LoraLayerEmitter
{
    private const string Lora = "global::FineTuneGuard.Lora";
    private const string Span = "global::System.Span<float>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    public static string Emit(LoraLayerInfo layer)
    {
        string summary = $"LoRA adapter for a frozen {layer.OutFeatures} x {layer.InFeatures} weight W, rank {layer.Rank}: y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.";
        return TypeDeclarationEmitter.Emit(layer.Type, summary, w =>
        {
            WriteConstants(w, layer);
            WriteStorage(w, layer);
            WriteInitialisation(w, layer);
            WriteForward(w);
            WriteBackward(w);
            WriteMerges(w);
            ShapeCheckEmitter.Write(w, layer.Type);
        });
    }

    private static void WriteConstants(IndentedWriter w, LoraLayerInfo layer)
    {
        string rank = layer.Rank.ToString(CultureInfo.InvariantCulture);
        w.WriteLine("/// <summary>Input width of the adapted layer (columns of W and of A).</summary>");
        w.WriteLine("public const int InFeatures = " + Literals.Int(layer.InFeatures) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Output width of the adapted layer (rows of W and of B).</summary>");
        w.WriteLine("public const int OutFeatures = " + Literals.Int(layer.OutFeatures) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Rank r of the update B·A.</summary>");
        w.WriteLine("public const int Rank = " + Literals.Int(layer.Rank) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>LoRA alpha.</summary>");
        w.WriteLine("public const float Alpha = " + Literals.Float(layer.Alpha) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Rank-stabilised LoRA (scaling alpha / sqrt(r)).</summary>");
        w.WriteLine("public const bool UseRsLora = " + Literals.Bool(layer.UseRsLora) + ";");
        w.WriteLine();
        string formula = layer.UseRsLora ? $"alpha / sqrt(r) = {Literals.Float(layer.Alpha)} / sqrt({rank})" : $"alpha / r = {Literals.Float(layer.Alpha)} / {rank}";
        w.WriteLine($"/// <summary>Scaling s = {formula}.</summary>");
        w.WriteLine("public const float Scaling = " + Literals.Float(layer.Scaling) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Declared dropout probability on the adapter input. The generated <see cref=\"Forward\"/> is the deterministic path and does not apply it.</summary>");
        w.WriteLine("public const float Dropout = " + Literals.Float(layer.Dropout) + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>Trainable parameters r·(in + out) = {rank}·({layer.InFeatures} + {layer.OutFeatures}) = {Literals.Grouped(layer.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(layer.TrainableParameterCount) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The shape handed to the runtime kernels.</summary>");
        w.WriteLine("public static global::FineTuneGuard.LoraShape Shape => new global::FineTuneGuard.LoraShape(InFeatures, OutFeatures, Rank);");
        w.WriteLine();
    }

    private static void WriteStorage(IndentedWriter w, LoraLayerInfo layer)
    {
        w.WriteLine($"/// <summary>A, Rank x InFeatures = {layer.Rank} x {layer.InFeatures}, row-major; Kaiming-uniform U(−1/√in, 1/√in) at construction, as PEFT.</summary>");
        w.WriteLine("public float[] A { get; } = new float[Rank * InFeatures];");
        w.WriteLine();
        w.WriteLine($"/// <summary>B, OutFeatures x Rank = {layer.OutFeatures} x {layer.Rank}, row-major; zeros at construction so that B·A = 0 and the tuned layer starts equal to the base layer.</summary>");
        w.WriteLine("public float[] B { get; } = new float[OutFeatures * Rank];");
        w.WriteLine();
        w.WriteLine("/// <summary>dL/dA (Rank x InFeatures), overwritten by <see cref=\"Backward\"/>.</summary>");
        w.WriteLine("public float[] GradA { get; } = new float[Rank * InFeatures];");
        w.WriteLine();
        w.WriteLine("/// <summary>dL/dB (OutFeatures x Rank), overwritten by <see cref=\"Backward\"/>.</summary>");
        w.WriteLine("public float[] GradB { get; } = new float[OutFeatures * Rank];");
        w.WriteLine();
        w.WriteLine("/// <summary>Adapter on (default) or off: when off, <see cref=\"Forward\"/> computes the base layer x·Wᵀ only and <see cref=\"Backward\"/> leaves zero adapter gradients.</summary>");
        w.WriteLine("public bool Enabled { get; set; } = true;");
        w.WriteLine();
    }

    private static void WriteInitialisation(IndentedWriter w, LoraLayerInfo layer)
    {
        if (!layer.Type.DeclaresConstructor)
        {
            w.WriteLine("/// <summary>Creates the adapter with A drawn from a <see cref=\"global::FineTuneGuard.SeededRandom\"/> seeded with <paramref name=\"seed\"/> and B = 0.</summary>");
            w.WriteLine($"public {layer.Type.Name}(ulong seed = 0) => ResetParameters(seed);");
            w.WriteLine();
        }

        w.WriteLine("/// <summary>Re-initialises as PEFT does: A Kaiming-uniform from <paramref name=\"seed\"/> (<c>Lora.InitializeA</c>), B and both gradients zero.</summary>");
        using (w.OpenBlock("public void ResetParameters(ulong seed)"))
        {
            w.WriteLine(Lora + ".InitializeA(Shape, A, new global::FineTuneGuard.SeededRandom(seed));");
            w.WriteLine("global::System.Array.Clear(B, 0, B.Length);");
            w.WriteLine("global::System.Array.Clear(GradA, 0, GradA.Length);");
            w.WriteLine("global::System.Array.Clear(GradB, 0, GradB.Length);");
        }

        w.WriteLine();
    }

    private static void WriteForward(IndentedWriter w)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine("/// y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ for <paramref name=\"rows\"/> input rows (<c>Lora.Forward</c>); x·Wᵀ only when <see cref=\"Enabled\"/> is false.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <param name=\"rows\">Number of input rows (tokens).</param>");
        w.WriteLine("/// <param name=\"x\">Input, rows x InFeatures.</param>");
        w.WriteLine("/// <param name=\"weight\">The frozen base weight W, OutFeatures x InFeatures.</param>");
        w.WriteLine("/// <param name=\"y\">Output, rows x OutFeatures (overwritten).</param>");
        using (w.OpenBlock($"public void Forward(int rows, {ReadOnlySpan} x, {ReadOnlySpan} weight, {Span} y)"))
        {
            w.WriteLine("GuardRows(nameof(Forward), rows);");
            w.WriteLine("GuardShape(nameof(Forward), nameof(x), x.Length, rows, InFeatures, \"rows x InFeatures\");");
            w.WriteLine("GuardShape(nameof(Forward), nameof(weight), weight.Length, OutFeatures, InFeatures, \"OutFeatures x InFeatures\");");
            w.WriteLine("GuardShape(nameof(Forward), nameof(y), y.Length, rows, OutFeatures, \"rows x OutFeatures\");");
            using (w.OpenBlock("if (Enabled)"))
            {
                w.WriteLine(Lora + ".Forward(Shape, Scaling, rows, x, weight, A, B, y);");
            }

            using (w.OpenBlock("else"))
            {
                w.WriteLine("global::FineTuneGuard.Gemm.Multiply(false, true, rows, OutFeatures, InFeatures, 1f, x, weight, 0f, y);");
            }
        }

        w.WriteLine();
    }

    private static void WriteBackward(IndentedWriter w)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine("/// Gradients with W frozen (<c>Lora.Backward</c>): <see cref=\"GradA\"/> = s·(dy·B)ᵀ·x, <see cref=\"GradB\"/> = s·dyᵀ·(x·Aᵀ) and");
        w.WriteLine("/// dx = dy·W + s·(dy·B)·A, all overwritten. When <see cref=\"Enabled\"/> is false: zero adapter gradients and dx = dy·W.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <param name=\"rows\">Number of input rows (tokens).</param>");
        w.WriteLine("/// <param name=\"x\">The forward input, rows x InFeatures.</param>");
        w.WriteLine("/// <param name=\"weight\">The frozen base weight W, OutFeatures x InFeatures.</param>");
        w.WriteLine("/// <param name=\"dy\">dL/dy, rows x OutFeatures.</param>");
        w.WriteLine("/// <param name=\"dx\">dL/dx, rows x InFeatures (overwritten), or empty to skip it.</param>");
        using (w.OpenBlock($"public void Backward(int rows, {ReadOnlySpan} x, {ReadOnlySpan} weight, {ReadOnlySpan} dy, {Span} dx)"))
        {
            w.WriteLine("GuardRows(nameof(Backward), rows);");
            w.WriteLine("GuardShape(nameof(Backward), nameof(x), x.Length, rows, InFeatures, \"rows x InFeatures\");");
            w.WriteLine("GuardShape(nameof(Backward), nameof(weight), weight.Length, OutFeatures, InFeatures, \"OutFeatures x InFeatures\");");
            w.WriteLine("GuardShape(nameof(Backward), nameof(dy), dy.Length, rows, OutFeatures, \"rows x OutFeatures\");");
            using (w.OpenBlock("if (!dx.IsEmpty)"))
            {
                w.WriteLine("GuardShape(nameof(Backward), nameof(dx), dx.Length, rows, InFeatures, \"rows x InFeatures\");");
            }

            using (w.OpenBlock("if (Enabled)"))
            {
                w.WriteLine(Lora + ".Backward(Shape, Scaling, rows, x, weight, A, B, dy, GradA, GradB, dx);");
                w.WriteLine("return;");
            }

            w.WriteLine("global::System.Array.Clear(GradA, 0, GradA.Length);");
            w.WriteLine("global::System.Array.Clear(GradB, 0, GradB.Length);");
            using (w.OpenBlock("if (!dx.IsEmpty)"))
            {
                w.WriteLine("global::FineTuneGuard.Gemm.Multiply(false, false, rows, InFeatures, OutFeatures, 1f, dy, weight, 0f, dx);");
            }
        }

        w.WriteLine();
    }

    private static void WriteMerges(IndentedWriter w)
    {
        WriteMerge(w, "MergeInto", "W += s·B·A: folds the adapter into <paramref name=\"weight\"/> (OutFeatures x InFeatures) for inference (<c>Lora.MergeInto</c>).");
        WriteMerge(w, "UnmergeFrom", "W −= s·B·A: removes a merged adapter from <paramref name=\"weight\"/> (OutFeatures x InFeatures) (<c>Lora.UnmergeFrom</c>).");
        WriteMerge(w, "SafeMergeInto", "W += s·B·A, refusing non-finite values: throws <see cref=\"global::FineTuneGuard.NonFiniteValueException\"/> and leaves <paramref name=\"weight\"/> untouched when A, B or the result has NaN/Inf (<c>Lora.SafeMergeInto</c>).");
    }

    private static void WriteMerge(IndentedWriter w, string method, string summary)
    {
        w.WriteLine("/// <summary>" + summary + "</summary>");
        using (w.OpenBlock($"public void {method}({Span} weight)"))
        {
            w.WriteLine($"GuardShape(nameof({method}), nameof(weight), weight.Length, OutFeatures, InFeatures, \"OutFeatures x InFeatures\");");
            w.WriteLine($"{Lora}.{method}(Shape, Scaling, weight, A, B);");
        }

        w.WriteLine();
    }
}
