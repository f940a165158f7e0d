using System.Linq;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the compile-time accounting of a <c>[TransformerModel]</c> (with optional <c>[LoraTargets]</c>): the
/// architecture constants, the base, trainable and total parameter counts PEFT's <c>print_trainable_parameters()</c>
/// prints, the per-target LoRA shapes and the summary line itself.
/// </summary>
internal static class TransformerModelEmitter
{
    public static string Emit(TransformerModelInfo m)
    {
        string summary = m.HasLoraTargets
            ? $"Llama-style decoder ({m.Layers} layers, hidden {m.Hidden}) with LoRA r = {m.Rank} on {string.Join(", ", m.Targets.Select(t => t.Module))}: {m.Summary}."
            : $"Llama-style decoder ({m.Layers} layers, hidden {m.Hidden}), fully fine-tuned: {m.Summary}.";
        return TypeDeclarationEmitter.Emit(m.Type, summary, null, w =>
        {
            WriteArchitecture(w, m);
            WriteCounts(w, m);
            if (m.HasLoraTargets)
            {
                WriteTargets(w, m);
            }
        });
    }

    private static void WriteArchitecture(IndentedWriter w, TransformerModelInfo m)
    {
        WriteInt(w, "Layers", m.Layers, "Decoder layers.");
        WriteInt(w, "Hidden", m.Hidden, "Hidden (model) width.");
        WriteInt(w, "Heads", m.Heads, "Query heads.");
        WriteInt(w, "KvHeads", m.KvHeads, m.KvHeads == m.Heads ? "Key/value heads (= Heads: multi-head attention)." : $"Key/value heads (grouped-query attention: {m.Heads / m.KvHeads} query heads per key/value head).");
        WriteInt(w, "HeadDim", m.HeadDim, "Width of one head.");
        WriteInt(w, "Intermediate", m.Intermediate, "MLP intermediate width.");
        WriteInt(w, "Vocab", m.Vocab, "Vocabulary size.");
        w.WriteLine("/// <summary>lm_head shares the embedding matrix (counted once).</summary>");
        w.WriteLine("public const bool TiedEmbeddings = " + Literals.Bool(m.TiedEmbeddings) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>q, k and v projections carry a bias.</summary>");
        w.WriteLine("public const bool AttentionBias = " + Literals.Bool(m.AttentionBias) + ";");
        w.WriteLine();
    }

    private static void WriteCounts(IndentedWriter w, TransformerModelInfo m)
    {
        long q = (long)m.Heads * m.HeadDim;
        long kv = (long)m.KvHeads * m.HeadDim;
        w.WriteLine("/// <summary>");
        w.WriteLine("/// All parameters of the base model: Layers·(attention + mlp + norms) + final norm + embeddings" + (m.TiedEmbeddings ? " (lm_head tied)" : " + lm_head") + ", with");
        w.WriteLine($"/// attention = hidden·q + 2·hidden·kv + q·hidden{(m.AttentionBias ? " + q + 2·kv" : "")} (q = Heads·HeadDim = {q}, kv = KvHeads·HeadDim = {kv}),");
        w.WriteLine($"/// mlp = 3·hidden·intermediate, norms = 2·hidden, embeddings = vocab·hidden: {Literals.Grouped(m.BaseParameterCount)}.");
        w.WriteLine("/// </summary>");
        w.WriteLine("public const long BaseParameterCount = " + Literals.Long(m.BaseParameterCount) + ";");
        w.WriteLine();
        if (m.HasLoraTargets)
        {
            w.WriteLine($"/// <summary>LoRA parameters, Layers·Σ r·(in + out) over the targets = {Literals.Grouped(m.TrainableParameterCount)} (PEFT's \"trainable params\").</summary>");
        }
        else
        {
            w.WriteLine($"/// <summary>Full fine-tuning (no [LoraTargets]): every base parameter is trainable = {Literals.Grouped(m.TrainableParameterCount)}.</summary>");
        }

        w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(m.TrainableParameterCount) + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>Base + LoRA parameters = {Literals.Grouped(m.TotalParameterCount)} (PEFT's \"all params\").</summary>");
        w.WriteLine("public const long TotalParameterCount = " + Literals.Long(m.TotalParameterCount) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>100·TrainableParameterCount / TotalParameterCount (PEFT's \"trainable%\").</summary>");
        w.WriteLine("public const double TrainablePercent = " + Literals.Double(m.TrainablePercent) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The line PEFT's <c>print_trainable_parameters()</c> prints for this model.</summary>");
        w.WriteLine("public const string Summary = " + Literals.String(m.Summary) + ";");
        w.WriteLine();
    }

    private static void WriteTargets(IndentedWriter w, TransformerModelInfo m)
    {
        WriteInt(w, "LoraRank", m.Rank, "LoRA rank r of every target.");
        w.WriteLine("/// <summary>LoRA alpha.</summary>");
        w.WriteLine("public const float LoraAlpha = " + Literals.Float(m.Alpha) + ";");
        w.WriteLine();
        w.WriteLine($"/// <summary>LoRA scaling s = {(m.UseRsLora ? "alpha / sqrt(r)" : "alpha / r")}.</summary>");
        w.WriteLine("public const float LoraScaling = " + Literals.Float(m.Scaling) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The targeted modules, in PEFT's spelling.</summary>");
        w.WriteLine("public const string LoraTargetModules = " + Literals.String(string.Join(", ", m.Targets.Select(t => t.Module))) + ";");
        w.WriteLine();
        foreach (LoraTargetInfo t in m.Targets)
        {
            WriteInt(w, t.MemberPrefix + "InFeatures", t.InFeatures, $"Input width of {t.Module}.");
            WriteInt(w, t.MemberPrefix + "OutFeatures", t.OutFeatures, $"Output width of {t.Module} (its weight is {t.OutFeatures} x {t.InFeatures}).");
            w.WriteLine($"/// <summary>LoRA parameters of {t.Module} in one layer: r·(in + out) = {m.Rank}·({t.InFeatures} + {t.OutFeatures}) = {Literals.Grouped(t.ParametersPerLayer)}.</summary>");
            w.WriteLine($"public const long {t.MemberPrefix}LoraParametersPerLayer = " + Literals.Long(t.ParametersPerLayer) + ";");
            w.WriteLine();
        }
    }

    private static void WriteInt(IndentedWriter w, string name, int value, string doc)
    {
        w.WriteLine("/// <summary>" + doc + "</summary>");
        w.WriteLine($"public const int {name} = " + Literals.Int(value) + ";");
        w.WriteLine();
    }
}
