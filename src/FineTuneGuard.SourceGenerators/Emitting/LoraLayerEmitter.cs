using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>Emits the members of a <c>[LoraLayer]</c> class.</summary>
internal static class LoraLayerEmitter
{
    public static string Emit(LoraLayerInfo layer)
    {
        string summary = $"LoRA adapter for a {layer.OutFeatures} x {layer.InFeatures} weight, rank {layer.Rank}.";
        return TypeDeclarationEmitter.Emit(layer.Type, summary, w =>
        {
            w.WriteLine("/// <summary>Input width of the adapted layer (columns of W and of A).</summary>");
            w.WriteLine("public const int InFeatures = " + Literals.Int(layer.InFeatures) + ";");
            w.WriteLine();
            w.WriteLine("/// <summary>Output width of the adapted layer (rows of W and of B).</summary>");
            w.WriteLine("public const int OutFeatures = " + Literals.Int(layer.OutFeatures) + ";");
            w.WriteLine();
            w.WriteLine("/// <summary>Rank r of the update B·A.</summary>");
            w.WriteLine("public const int Rank = " + Literals.Int(layer.Rank) + ";");
            w.WriteLine();
            string formula = layer.UseRsLora ? "alpha / sqrt(r)" : "alpha / r";
            w.WriteLine($"/// <summary>Scaling s = {formula} = {Literals.Float(layer.Alpha)} / {(layer.UseRsLora ? "sqrt(" + layer.Rank + ")" : layer.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture))}.</summary>");
            w.WriteLine("public const float Scaling = " + Literals.Float(layer.Scaling) + ";");
            w.WriteLine();
            w.WriteLine($"/// <summary>Trainable parameters r·(in + out) = {layer.Rank}·({layer.InFeatures} + {layer.OutFeatures}) = {Literals.Grouped(layer.TrainableParameterCount)}.</summary>");
            w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(layer.TrainableParameterCount) + ";");
        });
    }
}
