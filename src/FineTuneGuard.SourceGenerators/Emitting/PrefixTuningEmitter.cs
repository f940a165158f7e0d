using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a thin <c>[PrefixTuning]</c> class: the constants with their formulas, one private
/// <c>FineTuneGuard.PrefixTuningCore</c> (the key/value prefix storage, and the reparameterisation MLP when
/// <c>ProjectionHidden &gt; 0</c>, with gradients, seeded initialisation and the per-layer key/value views) and one-line
/// members forwarding to it: attention of one layer with its prefix (<c>AttentionForward</c> / <c>AttentionBackward</c>
/// through <c>FineTuneGuard.Attention.LayerPrefixes</c>, storage <c>[Layers x 2 x Heads x PrefixLength x HeadDim]</c>,
/// Heads = kv heads) and, with the MLP, <c>EncoderForward</c> / <c>EncoderBackward</c> / <c>Fold</c>
/// (<c>FineTuneGuard.Attention.PrefixEncoder</c>).
/// </summary>
internal static class PrefixTuningEmitter
{
    private const string Core = "PrefixTuningCore";
    private const string AttentionShape = "global::FineTuneGuard.Attention.AttentionShape";
    private const string AttentionMask = "global::FineTuneGuard.Attention.AttentionMask";
    private static readonly string[] Direct = { "KeyValues", "GradKeyValues" };
    private static readonly string[] Projection =
    {
        "KeyValues", "GradKeyValues", "PrefixEmbedding", "GradPrefixEmbedding", "ProjectionDown", "GradProjectionDown", "ProjectionDownBias",
        "GradProjectionDownBias", "ProjectionUp", "GradProjectionUp", "ProjectionUpBias", "GradProjectionUpBias",
    };

    private static readonly string[] Encoder = { "EncoderForward", "EncoderBackward", "Fold" };

    public static string Emit(PrefixTuningInfo prefix)
    {
        string summary = $"Prefix tuning: {prefix.PrefixLength} learned key and value vectors per layer ({prefix.Layers}) and head ({prefix.Heads} x {prefix.HeadDim}).";
        return TypeDeclarationEmitter.Emit(prefix.Type, summary, w =>
        {
            WriteConstants(w, prefix);
            CoreForwarding.Field(w, Core, "Layers, PrefixLength, Heads, HeadDim, ProjectionHidden");
            w.WriteLine("/// <summary>The prefix shape of the attention kernels: (Layers, PrefixLength, Heads, HeadDim).</summary>");
            w.WriteLine("public static global::FineTuneGuard.Attention.PrefixShape Shape => new global::FineTuneGuard.Attention.PrefixShape(Layers, PrefixLength, Heads, HeadDim);");
            foreach (string array in prefix.ProjectionHidden == 0 ? Direct : Projection)
            {
                CoreForwarding.Array(w, Core, array);
            }

            CoreForwarding.Initialisation(w, Core, prefix.Type, "Creates the prefix initialised as PEFT's PrefixEncoder from <paramref name=\"seed\"/>.");
            CoreForwarding.Method(w, Core, "global::System.Span<float>", "Keys", "int layer", "layer");
            CoreForwarding.Method(w, Core, "global::System.Span<float>", "Values", "int layer", "layer");
            string span = CoreForwarding.Span, read = CoreForwarding.ReadOnlySpan;
            CoreForwarding.Method(
                w, Core, "void", "AttentionForward",
                $"int layer, {AttentionShape} attention, {read} q, {read} k, {read} v, {span} output, {span} logSumExp, {AttentionMask} mask = default",
                "layer, attention, q, k, v, output, logSumExp, mask");
            CoreForwarding.Method(
                w, Core, "void", "AttentionBackward",
                $"int layer, {AttentionShape} attention, {read} q, {read} k, {read} v, {read} output, {read} logSumExp, {read} dOutput, {span} dq, {span} dk, {span} dv, {AttentionMask} mask = default",
                "layer, attention, q, k, v, output, logSumExp, dOutput, dq, dk, dv, mask");
            if (prefix.ProjectionHidden > 0)
            {
                foreach (string encoder in Encoder)
                {
                    CoreForwarding.Method(w, Core, "void", encoder, string.Empty, string.Empty);
                }
            }
        });
    }

    private static void WriteConstants(IndentedWriter w, PrefixTuningInfo p)
    {
        w.WriteLine("/// <summary>Transformer layers that receive a prefix.</summary>");
        w.WriteLine("public const int Layers = " + Literals.Int(p.Layers) + ";");
        w.WriteLine("/// <summary>Prefix slots per layer and head.</summary>");
        w.WriteLine("public const int PrefixLength = " + Literals.Int(p.PrefixLength) + ";");
        w.WriteLine("/// <summary>Key/value heads per layer: the attention heads, or the kv heads of a grouped-query model.</summary>");
        w.WriteLine("public const int Heads = " + Literals.Int(p.Heads) + ";");
        w.WriteLine("/// <summary>Width of one head.</summary>");
        w.WriteLine("public const int HeadDim = " + Literals.Int(p.HeadDim) + ";");
        w.WriteLine("/// <summary>Hidden width of the reparameterisation MLP; 0 = none (the prefix itself is trained).</summary>");
        w.WriteLine("public const int ProjectionHidden = " + Literals.Int(p.ProjectionHidden) + ";");
        w.WriteLine($"/// <summary>Width of one prefix slot over all kv heads: Heads·HeadDim = {p.Heads}·{p.HeadDim} = {Literals.Grouped(p.KeyValueWidth)}.</summary>");
        w.WriteLine("public const int KeyValueWidth = " + Literals.Int(p.KeyValueWidth) + ";");
        w.WriteLine($"/// <summary>Elements of <see cref=\"KeyValues\"/>, [Layers x 2 x Heads x PrefixLength x HeadDim] = {Literals.Grouped(p.KeyValueStorageLength)}.</summary>");
        w.WriteLine("public const int KeyValueStorageLength = " + Literals.Int(p.KeyValueStorageLength) + ";");
        string formula = p.ProjectionHidden == 0
            ? $"layers·prefixLength·heads·headDim·2 = {p.Layers}·{p.PrefixLength}·{p.Heads}·{p.HeadDim}·2"
            : $"prefixLength·kv + (kv + 1)·h + (h + 1)·layers·2·kv with kv = heads·headDim = {p.KeyValueWidth}, h = {p.ProjectionHidden}";
        w.WriteLine($"/// <summary>Trainable parameters {formula} = {Literals.Grouped(p.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(p.TrainableParameterCount) + ";");
    }
}
