using System.Collections.Generic;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the members of a <c>[PrefixTuning]</c> class: constants, the trainable count, the key/value prefix storage
/// (and the reparameterisation MLP when <c>ProjectionHidden &gt; 0</c>) with gradients, seeded initialisation and
/// per-layer key/value views. Forward/backward through attention are not generated here: the storage layout and the
/// <c>Keys</c>/<c>Values</c> views are the extension point the attention kernels consume.
/// </summary>
internal static class PrefixTuningEmitter
{
    public static string Emit(PrefixTuningInfo prefix)
    {
        string summary = $"Prefix tuning: {prefix.PrefixLength} learned key and value vectors per layer ({prefix.Layers}) and head ({prefix.Heads} x {prefix.HeadDim}).";
        return TypeDeclarationEmitter.Emit(prefix.Type, summary, w =>
        {
            WriteConstants(w, prefix);
            WriteStorage(w, prefix);
            WriteInitialisation(w, prefix);
            WriteViews(w);
        });
    }

    private static void WriteConstants(IndentedWriter w, PrefixTuningInfo p)
    {
        w.WriteLine("/// <summary>Transformer layers that receive a prefix.</summary>");
        w.WriteLine("public const int Layers = " + Literals.Int(p.Layers) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Prefix slots per layer and head.</summary>");
        w.WriteLine("public const int PrefixLength = " + Literals.Int(p.PrefixLength) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Attention heads per layer.</summary>");
        w.WriteLine("public const int Heads = " + Literals.Int(p.Heads) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Width of one head.</summary>");
        w.WriteLine("public const int HeadDim = " + Literals.Int(p.HeadDim) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>Hidden width of the reparameterisation MLP; 0 = none (the prefix itself is trained).</summary>");
        w.WriteLine("public const int ProjectionHidden = " + Literals.Int(p.ProjectionHidden) + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>Width of one prefix key (or value) row over all heads: Heads·HeadDim = {p.Heads}·{p.HeadDim} = {Literals.Grouped(p.KeyValueWidth)}.</summary>");
        w.WriteLine("public const int KeyValueWidth = " + Literals.Int(p.KeyValueWidth) + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>Elements of <see cref=\"KeyValues\"/>: Layers·2·PrefixLength·Heads·HeadDim = {Literals.Grouped(p.KeyValueStorageLength)}.</summary>");
        w.WriteLine("public const int KeyValueStorageLength = " + Literals.Int(p.KeyValueStorageLength) + ";");
        w.WriteLine();
        string formula = p.ProjectionHidden == 0
            ? $"layers·prefixLength·heads·headDim·2 = {p.Layers}·{p.PrefixLength}·{p.Heads}·{p.HeadDim}·2"
            : $"prefixLength·kv + (kv + 1)·h + (h + 1)·layers·2·kv with kv = heads·headDim = {p.KeyValueWidth}, h = {p.ProjectionHidden}";
        w.WriteLine($"/// <summary>Trainable parameters {formula} = {Literals.Grouped(p.TrainableParameterCount)}.</summary>");
        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(p.TrainableParameterCount) + ";");
        w.WriteLine();
    }

    private static void WriteStorage(IndentedWriter w, PrefixTuningInfo p)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine("/// The key/value prefix, row-major (Layers, 2, PrefixLength, Heads, HeadDim): for layer l, index 0 holds the keys and");
        w.WriteLine("/// 1 the values, each PrefixLength x (Heads·HeadDim). " + (p.ProjectionHidden == 0
            ? "Trained directly; N(0, 1) at construction (PEFT's embedding init)."
            : "With the reparameterisation MLP this is its folded output (not trained directly; zeros until folded)."));
        w.WriteLine("/// </summary>");
        w.WriteLine("public float[] KeyValues { get; } = new float[KeyValueStorageLength];");
        w.WriteLine();
        foreach (var (name, shape, length) in TrainableBuffers(p))
        {
            if (name != "KeyValues")
            {
                w.WriteLine($"/// <summary>{name}, {shape}, row-major.</summary>");
                w.WriteLine($"public float[] {name} {{ get; }} = new float[{length}];");
                w.WriteLine();
            }

            w.WriteLine($"/// <summary>dL/d{name} ({shape}), written by the prefix backward.</summary>");
            w.WriteLine($"public float[] Grad{name} {{ get; }} = new float[{length}];");
            w.WriteLine();
        }
    }

    private static IEnumerable<(string Name, string Shape, string Length)> TrainableBuffers(PrefixTuningInfo p)
    {
        if (p.ProjectionHidden == 0)
        {
            yield return ("KeyValues", "Layers·2·PrefixLength·Heads·HeadDim", "KeyValueStorageLength");
            yield break;
        }

        yield return ("PrefixEmbedding", "PrefixLength x KeyValueWidth", "PrefixLength * KeyValueWidth");
        yield return ("ProjectionDown", "ProjectionHidden x KeyValueWidth", "ProjectionHidden * KeyValueWidth");
        yield return ("ProjectionDownBias", "ProjectionHidden", "ProjectionHidden");
        yield return ("ProjectionUp", "(Layers·2·KeyValueWidth) x ProjectionHidden", "Layers * 2 * KeyValueWidth * ProjectionHidden");
        yield return ("ProjectionUpBias", "Layers·2·KeyValueWidth", "Layers * 2 * KeyValueWidth");
    }

    private static void WriteInitialisation(IndentedWriter w, PrefixTuningInfo p)
    {
        if (!p.Type.DeclaresConstructor)
        {
            w.WriteLine("/// <summary>Creates the prefix initialised from a <see cref=\"global::FineTuneGuard.SeededRandom\"/> seeded with <paramref name=\"seed\"/>.</summary>");
            w.WriteLine($"public {p.Type.Name}(ulong seed = 0) => ResetParameters(seed);");
            w.WriteLine();
        }

        w.WriteLine(p.ProjectionHidden == 0
            ? "/// <summary>Re-initialises as PEFT's PrefixEncoder: the prefix N(0, 1) (an embedding), gradients zero.</summary>"
            : "/// <summary>Re-initialises as PEFT's PrefixEncoder with projection: the embedding N(0, 1), each linear and its bias U(−1/√fan_in, 1/√fan_in), the folded prefix and gradients zero.</summary>");
        using (w.OpenBlock("public void ResetParameters(ulong seed)"))
        {
            w.WriteLine("var random = new global::FineTuneGuard.SeededRandom(seed);");
            if (p.ProjectionHidden == 0)
            {
                w.WriteLine("random.FillNormal(KeyValues, 0f, 1f);");
            }
            else
            {
                w.WriteLine("random.FillNormal(PrefixEmbedding, 0f, 1f);");
                w.WriteLine("float downBound = 1f / (float)global::System.Math.Sqrt(KeyValueWidth);");
                w.WriteLine("random.FillUniform(ProjectionDown, -downBound, downBound);");
                w.WriteLine("random.FillUniform(ProjectionDownBias, -downBound, downBound);");
                w.WriteLine("float upBound = 1f / (float)global::System.Math.Sqrt(ProjectionHidden);");
                w.WriteLine("random.FillUniform(ProjectionUp, -upBound, upBound);");
                w.WriteLine("random.FillUniform(ProjectionUpBias, -upBound, upBound);");
                w.WriteLine("global::System.Array.Clear(KeyValues, 0, KeyValues.Length);");
            }

            foreach (var (name, _, _) in TrainableBuffers(p))
            {
                w.WriteLine($"global::System.Array.Clear(Grad{name}, 0, Grad{name}.Length);");
            }
        }

        w.WriteLine();
    }

    private static void WriteViews(IndentedWriter w)
    {
        foreach (var (name, slot) in new[] { ("Keys", "0"), ("Values", "1") })
        {
            w.WriteLine($"/// <summary>The {name.ToLowerInvariant()} prefix of <paramref name=\"layer\"/>: PrefixLength x (Heads·HeadDim), row-major, a view into <see cref=\"KeyValues\"/>.</summary>");
            using (w.OpenBlock($"public global::System.Span<float> {name}(int layer)"))
            {
                using (w.OpenBlock("if ((uint)layer >= (uint)Layers)"))
                {
                    w.WriteLine("throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"layer must be in [0, \" + Layers + \").\");");
                }

                w.WriteLine($"return new global::System.Span<float>(KeyValues, ((layer * 2) + {slot}) * PrefixLength * KeyValueWidth, PrefixLength * KeyValueWidth);");
            }

            w.WriteLine();
        }
    }
}
