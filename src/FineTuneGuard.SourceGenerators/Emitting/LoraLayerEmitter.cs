using System.Globalization;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a <c>[LoraLayer]</c> class deriving from <c>FineTuneGuard.LoraLayerBase</c>: the shape constants with their
/// formulas, the seeded constructor and the definition handed to the base, which holds A / B with their gradients, the
/// PEFT initialisation (A Kaiming-uniform, B = 0), the shape checks and the calls into <c>FineTuneGuard.Lora</c>
/// (forward, backward, merge, unmerge, safe merge). No logic is generated.
/// </summary>
internal static class LoraLayerEmitter
{
    public static string Emit(LoraLayerInfo layer)
    {
        string summary = $"LoRA adapter for a frozen {layer.OutFeatures} x {layer.InFeatures} weight W, rank {layer.Rank}: y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.";
        return TypeDeclarationEmitter.Emit(layer.Type, summary, LoraLayerParser.BaseType, w =>
        {
            WriteConstants(w, layer);
            LayerBaseMembers.Constructor(w, layer.Type, "Creates the adapter with A Kaiming-uniform from <paramref name=\"seed\"/> and B = 0 (the layer starts equal to W).");
            LayerBaseMembers.Definition(w, "LoraLayerDefinition", Literals.String(layer.Type.DisplayName) + ", InFeatures, OutFeatures, Rank, Alpha, UseRsLora, Dropout");
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
        w.WriteLine("/// <summary>Dropout probability on the adapter input, in [0, 1): applied by <c>Forward</c> when <c>Training</c> is on (PEFT's lora_dropout).</summary>");
        w.WriteLine("public const float Dropout = " + Literals.Float(layer.Dropout) + ";");
        w.WriteLine($"/// <summary>Trainable parameters r·(in + out) = {rank}·({layer.InFeatures} + {layer.OutFeatures}) = {Literals.Grouped(layer.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(layer.TrainableParameterCount) + ";");
    }
}
