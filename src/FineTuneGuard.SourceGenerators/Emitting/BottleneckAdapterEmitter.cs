using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a <c>[BottleneckAdapter]</c> class deriving from <c>FineTuneGuard.BottleneckAdapterBase</c>: the constants
/// with their formulas, the seeded constructor and the definition handed to the base, which holds Down / Up and the
/// biases with their gradients, the initialisation (Up = 0, so the layer starts as the identity), the shape checks and
/// the calls into <c>FineTuneGuard.BottleneckAdapter</c>. No logic is generated.
/// </summary>
internal static class BottleneckAdapterEmitter
{
    public static string Emit(BottleneckAdapterInfo adapter)
    {
        string summary = $"Bottleneck adapter {adapter.ModelDim} → {adapter.Bottleneck} → {adapter.ModelDim}{(adapter.Bias ? " with biases" : " without biases")}: y = x + act(x·Downᵀ + bd)·Upᵀ + bu.";
        return TypeDeclarationEmitter.Emit(adapter.Type, summary, BottleneckAdapterParser.BaseType, w =>
        {
            WriteConstants(w, adapter);
            LayerBaseMembers.Constructor(w, adapter.Type, "Creates the adapter with Down drawn from <paramref name=\"seed\"/>, Up and biases zero (the identity).");
            LayerBaseMembers.Definition(w, "BottleneckAdapterDefinition", Literals.String(adapter.Type.DisplayName) + ", ModelDim, Bottleneck, HasBias");
        });
    }

    private static void WriteConstants(IndentedWriter w, BottleneckAdapterInfo adapter)
    {
        w.WriteLine("/// <summary>Model (residual stream) width d.</summary>");
        w.WriteLine("public const int ModelDim = " + Literals.Int(adapter.ModelDim) + ";");
        w.WriteLine("/// <summary>Bottleneck width b.</summary>");
        w.WriteLine("public const int Bottleneck = " + Literals.Int(adapter.Bottleneck) + ";");
        w.WriteLine("/// <summary>Whether Down and Up carry biases (otherwise DownBias and UpBias are empty).</summary>");
        w.WriteLine("public const bool HasBias = " + Literals.Bool(adapter.Bias) + ";");
        string formula = adapter.Bias
            ? $"2·d·b + b + d = 2·{adapter.ModelDim}·{adapter.Bottleneck} + {adapter.Bottleneck} + {adapter.ModelDim}"
            : $"2·d·b = 2·{adapter.ModelDim}·{adapter.Bottleneck}";
        w.WriteLine($"/// <summary>Trainable parameters {formula} = {Literals.Grouped(adapter.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(adapter.TrainableParameterCount) + ";");
    }
}
