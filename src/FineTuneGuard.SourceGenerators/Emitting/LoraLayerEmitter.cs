using System.Globalization;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a thin <c>[LoraLayer]</c> class: the shape constants with their formulas, one private
/// <c>FineTuneGuard.LoraLayerCore</c> (A / B storage with gradients, the seeded initialisation, shape checks and the calls
/// into <c>FineTuneGuard.Lora</c>), and one-line members forwarding to it. No logic is generated.
/// </summary>
internal static class LoraLayerEmitter
{
    private const string Core = "LoraLayerCore";
    private const string Span = CoreForwarding.Span;
    private const string ReadOnlySpan = CoreForwarding.ReadOnlySpan;
    private static readonly string[] Arrays = { "A", "B", "GradA", "GradB" };
    private static readonly string[] Merges = { "MergeInto", "UnmergeFrom", "SafeMergeInto" };

    public static string Emit(LoraLayerInfo layer)
    {
        string summary = $"LoRA adapter for a frozen {layer.OutFeatures} x {layer.InFeatures} weight W, rank {layer.Rank}: y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.";
        return TypeDeclarationEmitter.Emit(layer.Type, summary, w =>
        {
            WriteConstants(w, layer);
            CoreForwarding.Field(w, Core, Literals.String(layer.Type.DisplayName) + ", InFeatures, OutFeatures, Rank, Scaling");
            foreach (string array in Arrays)
            {
                CoreForwarding.Array(w, Core, array);
            }

            CoreForwarding.Property(w, Core, "bool", "Enabled");
            CoreForwarding.Initialisation(w, Core, layer.Type, "Creates the adapter with A Kaiming-uniform from <paramref name=\"seed\"/> and B = 0.");
            CoreForwarding.Method(w, Core, "void", "Forward", $"int rows, {ReadOnlySpan} x, {ReadOnlySpan} weight, {Span} y", "rows, x, weight, y");
            CoreForwarding.Method(w, Core, "void", "Backward", $"int rows, {ReadOnlySpan} x, {ReadOnlySpan} weight, {ReadOnlySpan} dy, {Span} dx", "rows, x, weight, dy, dx");
            foreach (string merge in Merges)
            {
                CoreForwarding.Method(w, Core, "void", merge, Span + " weight", "weight");
            }
        });
    }

    private static void WriteConstants(IndentedWriter w, LoraLayerInfo layer)
    {
        string rank = layer.Rank.ToString(CultureInfo.InvariantCulture);
        w.WriteLine("/// <summary>Input width of the adapted layer (columns of W and of A).</summary>");
        w.WriteLine("public const int InFeatures = " + Literals.Int(layer.InFeatures) + ";");
        w.WriteLine("/// <summary>Output width of the adapted layer (rows of W and of B).</summary>");
        w.WriteLine("public const int OutFeatures = " + Literals.Int(layer.OutFeatures) + ";");
        w.WriteLine("/// <summary>Rank r of the update B·A.</summary>");
        w.WriteLine("public const int Rank = " + Literals.Int(layer.Rank) + ";");
        w.WriteLine("/// <summary>LoRA alpha.</summary>");
        w.WriteLine("public const float Alpha = " + Literals.Float(layer.Alpha) + ";");
        w.WriteLine("/// <summary>Rank-stabilised LoRA (scaling alpha / sqrt(r)).</summary>");
        w.WriteLine("public const bool UseRsLora = " + Literals.Bool(layer.UseRsLora) + ";");
        string formula = layer.UseRsLora ? $"alpha / sqrt(r) = {Literals.Float(layer.Alpha)} / sqrt({rank})" : $"alpha / r = {Literals.Float(layer.Alpha)} / {rank}";
        w.WriteLine($"/// <summary>Scaling s = {formula}.</summary>");
        w.WriteLine("public const float Scaling = " + Literals.Float(layer.Scaling) + ";");
        w.WriteLine("/// <summary>Declared dropout probability on the adapter input (not applied by the deterministic <see cref=\"Forward\"/>).</summary>");
        w.WriteLine("public const float Dropout = " + Literals.Float(layer.Dropout) + ";");
        w.WriteLine($"/// <summary>Trainable parameters r·(in + out) = {rank}·({layer.InFeatures} + {layer.OutFeatures}) = {Literals.Grouped(layer.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(layer.TrainableParameterCount) + ";");
        w.WriteLine("/// <summary>The shape handed to the runtime kernels.</summary>");
        w.WriteLine("public static global::FineTuneGuard.LoraShape Shape => new global::FineTuneGuard.LoraShape(InFeatures, OutFeatures, Rank);");
    }
}
