// FTG0101–FTG0105: layer and model declarations the compiler can already judge — invalid arguments, wasted rank,
// shapes that do not fit, adapters and base weights in one optimizer group, a memory budget a run cannot fit in.
using FineTuneGuard;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.CommonMistakes;

// ---- FTG0101: the generator cannot complete these (so it reports why instead of silently emitting nothing) ----

/// <summary>Bug: not partial — the generator cannot add members to it.</summary>
[LoraLayer(64, 64)] // FTG0101
public sealed class SealedShut;

/// <summary>Bug: a zero dimension.</summary>
[LoraLayer(0, 64)] // FTG0101
public sealed partial class ZeroWidth;

/// <summary>Fixed: partial, positive dimensions.</summary>
[LoraLayer(64, 64)]
public sealed partial class WellDeclared;

// ---- FTG0102: rank above min(in, out) ----

/// <summary>Bug: B·A of a 64 x 32 matrix has rank at most 32; rank 48 only wastes parameters.</summary>
[LoraLayer(64, 32, Rank = 48)] // FTG0102
public sealed partial class RankTooHigh;

/// <summary>Fixed: a rank well below min(in, out).</summary>
[LoraLayer(64, 32, Rank = 8)]
public sealed partial class RankThatFits;

// ---- FTG0103: a LoRA layer against the [Shape] of the weight it adapts (OProjLora adapts OProj) ----

/// <summary>LoRA for a 128 → 64 projection.</summary>
[LoraLayer(128, 64, Rank = 4)]
public sealed partial class WideLora;

/// <summary>LoRA for a 64 → 64 projection.</summary>
[LoraLayer(64, 64, Rank = 4)]
public sealed partial class SquareLora;

/// <summary>Bug: OProj is 64 x 64 but its adapter expects a 64 x 128 weight.</summary>
public sealed class MismatchedBlock
{
    [Frozen]
    [Shape(64, 64)]
    public float[] OProj { get; } = new float[64 * 64];

    [Trainable]
    public WideLora OProjLora { get; } = new(); // FTG0103
}

/// <summary>Fixed: the adapter's (out, in) is the weight's (rows, cols).</summary>
public sealed class MatchedBlock
{
    [Frozen]
    [Shape(64, 64)]
    public float[] OProj { get; } = new float[64 * 64];

    [Trainable]
    public SquareLora OProjLora { get; } = new();
}

// ---- FTG0105: adapters and base weights in one optimizer group ----

/// <summary>A block whose base weight is fine-tuned too (full fine-tuning plus an adapter).</summary>
public sealed class JointlyTunedBlock
{
    [Trainable]
    [Shape(64, 64)]
    public float[] OProj { get; } = new float[64 * 64];

    [Trainable]
    public SquareLora OProjLora { get; } = new();
}

/// <summary>The optimizer groups of <see cref="JointlyTunedBlock"/>.</summary>
public static class OptimizerGroups
{
    /// <summary>Bug: one learning rate for both; adapters usually want ~10x the base weights' rate.</summary>
    public static ParameterGroup[] OneGroup(JointlyTunedBlock block)
    {
        var all = new ParameterGroup("all", 1e-4f); // FTG0105
        all.Add(new Parameter("o_proj", block.OProj));
        all.Add(new Parameter("o_proj.lora_A", block.OProjLora.A));
        all.Add(new Parameter("o_proj.lora_B", block.OProjLora.B));
        return [all];
    }

    /// <summary>Fixed: separate groups, separate learning rates (and no weight decay on the adapter).</summary>
    public static ParameterGroup[] SeparateGroups(JointlyTunedBlock block)
    {
        var baseWeights = new ParameterGroup("base", 1e-5f);
        baseWeights.Add(new Parameter("o_proj", block.OProj));
        var adapters = new ParameterGroup("lora", 1e-4f, weightDecay: 0f);
        adapters.Add(new Parameter("o_proj.lora_A", block.OProjLora.A));
        adapters.Add(new Parameter("o_proj.lora_B", block.OProjLora.B));
        return [baseWeights, adapters];
    }
}

// ---- FTG0104: the training memory of a model above its [MemoryBudget] (the seeds' slide: a 2B model, a 24 GB card) ----

/// <summary>
/// Bug: full fine-tuning of a Gemma-2B-shaped model in 24 GiB. fp16 weights (~5 GB) + fp16 gradients (~5 GB) + AdamW
/// states and fp32 master weights (12 bytes per parameter, ~30 GB) + activations: far above the budget.
/// </summary>
[TransformerModel(18, 2048, 8, 16384, 256000, KvHeads = 1, HeadDim = 256, TiedEmbeddings = true)]
[MemoryBudget(24)] // FTG0104
public sealed partial class TwoBillionFullFineTune;

/// <summary>Fixed: LoRA on q_proj and v_proj — optimizer states and gradients only for the adapters.</summary>
[TransformerModel(18, 2048, 8, 16384, 256000, KvHeads = 1, HeadDim = 256, TiedEmbeddings = true)]
[LoraTargets("q_proj", "v_proj", Rank = 8)]
[MemoryBudget(24)]
public sealed partial class TwoBillionLora;
