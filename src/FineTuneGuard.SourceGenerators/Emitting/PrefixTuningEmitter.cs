using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using FineTuneGuard.SourceGenerators.Parsing;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits a <c>[PrefixTuning]</c> class deriving from <c>FineTuneGuard.PrefixTuningBase</c>: the constants with their
/// formulas, the seeded constructor and the definition handed to the base, which holds the key/value prefix
/// <c>[Layers x 2 x Heads x PrefixLength x HeadDim]</c> (and the reparameterisation MLP when <c>ProjectionHidden &gt; 0</c>)
/// with gradients, PEFT's initialisation, the per-layer views, attention with the prefix
/// (<c>FineTuneGuard.Attention.LayerPrefixes</c>) and the MLP's forward, backward and fold
/// (<c>FineTuneGuard.Attention.PrefixEncoder</c>). No logic is generated.
/// </summary>
internal static class PrefixTuningEmitter
{
    public static string Emit(PrefixTuningInfo prefix)
    {
        string summary = $"Prefix tuning: {prefix.PrefixLength} learned key and value vectors per layer ({prefix.Layers}) and head ({prefix.Heads} x {prefix.HeadDim}).";
        return TypeDeclarationEmitter.Emit(prefix.Type, summary, PrefixTuningParser.BaseType, w =>
        {
            WriteConstants(w, prefix);
            LayerBaseMembers.Constructor(w, prefix.Type, "Creates the prefix initialised as PEFT's PrefixEncoder from <paramref name=\"seed\"/>.");
            LayerBaseMembers.Definition(w, "PrefixTuningDefinition", Literals.String(prefix.Type.DisplayName) + ", Layers, PrefixLength, Heads, HeadDim, ProjectionHidden");
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
