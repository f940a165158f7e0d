using System;

namespace FineTuneGuard;

/// <summary>
/// Declares a Llama-style decoder so that its parameter counts are computed at compile time: per layer q_proj
/// (hidden → heads·headDim), k_proj and v_proj (hidden → kvHeads·headDim), o_proj (heads·headDim → hidden), gate_proj
/// and up_proj (hidden → intermediate), down_proj (intermediate → hidden), two RMSNorm weight vectors; a final norm,
/// the token embeddings and lm_head (absent when tied).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TransformerModelAttribute(int layers, int hidden, int heads, int intermediate, int vocab) : Attribute
{
    /// <summary>Number of decoder layers.</summary>
    public int Layers { get; } = layers;

    /// <summary>Hidden (model) width.</summary>
    public int Hidden { get; } = hidden;

    /// <summary>Query heads.</summary>
    public int Heads { get; } = heads;

    /// <summary>MLP intermediate width.</summary>
    public int Intermediate { get; } = intermediate;

    /// <summary>Vocabulary size.</summary>
    public int Vocab { get; } = vocab;

    /// <summary>Key/value heads (grouped-query attention); 0 (default) means equal to <see cref="Heads"/>.</summary>
    public int KvHeads { get; set; }

    /// <summary>Width of one head; 0 (default) means <see cref="Hidden"/> / <see cref="Heads"/>.</summary>
    public int HeadDim { get; set; }

    /// <summary>lm_head shares the embedding matrix (not counted twice). Default false.</summary>
    public bool TiedEmbeddings { get; set; }

    /// <summary>q, k and v projections carry a bias (Qwen2 style). Default false.</summary>
    public bool AttentionBias { get; set; }
}
