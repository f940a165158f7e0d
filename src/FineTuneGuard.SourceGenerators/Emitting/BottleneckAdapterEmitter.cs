using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a thin <c>[BottleneckAdapter]</c> class: the constants with their formulas, one private
/// <c>FineTuneGuard.BottleneckAdapterCore</c> (Down / Up and bias storage with gradients, seeded initialisation with
/// Up = 0 so that the layer starts as the identity, shape checks and the calls into <c>FineTuneGuard.BottleneckAdapter</c>),
/// and one-line members forwarding to it. No logic is generated.
/// </summary>
internal static class BottleneckAdapterEmitter
{
    private const string Core = "BottleneckAdapterCore";
    private const string Span = CoreForwarding.Span;
    private const string ReadOnlySpan = CoreForwarding.ReadOnlySpan;
    private static readonly string[] Arrays = { "Down", "DownBias", "Up", "UpBias", "GradDown", "GradDownBias", "GradUp", "GradUpBias" };

    public static string Emit(BottleneckAdapterInfo adapter)
    {
        string summary = $"Bottleneck adapter {adapter.ModelDim} → {adapter.Bottleneck} → {adapter.ModelDim}{(adapter.Bias ? " with biases" : " without biases")}: y = x + act(x·Downᵀ + bd)·Upᵀ + bu.";
        return TypeDeclarationEmitter.Emit(adapter.Type, summary, w =>
        {
            WriteConstants(w, adapter);
            CoreForwarding.Field(w, Core, Literals.String(adapter.Type.DisplayName) + ", ModelDim, Bottleneck, HasBias");
            foreach (string array in Arrays)
            {
                CoreForwarding.Array(w, Core, array);
            }

            CoreForwarding.Property(w, Core, "global::FineTuneGuard.AdapterActivation", "Activation");
            CoreForwarding.Property(w, Core, "bool", "Enabled");
            CoreForwarding.Initialisation(w, Core, adapter.Type, "Creates the adapter with Down drawn from <paramref name=\"seed\"/>, Up and biases zero (the identity).");
            CoreForwarding.Method(w, Core, "void", "Forward", $"int rows, {ReadOnlySpan} x, {Span} preActivation, {Span} y", "rows, x, preActivation, y");
            CoreForwarding.Method(w, Core, "void", "Backward", $"int rows, {ReadOnlySpan} x, {ReadOnlySpan} preActivation, {ReadOnlySpan} dy, {Span} dx", "rows, x, preActivation, dy, dx");
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
        w.WriteLine("/// <summary>The shape handed to the runtime kernels.</summary>");
        w.WriteLine("public static global::FineTuneGuard.AdapterShape Shape => new global::FineTuneGuard.AdapterShape(ModelDim, Bottleneck);");
    }
}
