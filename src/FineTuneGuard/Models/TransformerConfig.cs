using FineTuneGuard.Validation;

namespace FineTuneGuard;

/// <summary>
/// The shape of a Llama-style decoder, as <see cref="TransformerModelAttribute"/> declares it: per layer q_proj
/// (hidden → heads·headDim), k_proj and v_proj (hidden → kvHeads·headDim), o_proj, gate/up/down MLP, two RMSNorms;
/// then a final norm, the embeddings and lm_head (absent when tied).
/// </summary>
/// <param name="Layers">Decoder layers.</param>
/// <param name="Hidden">Model (embedding) dimension.</param>
/// <param name="Heads">Attention (query) heads.</param>
/// <param name="Intermediate">MLP hidden dimension.</param>
/// <param name="Vocab">Vocabulary size.</param>
public sealed partial record TransformerConfig(int Layers, int Hidden, int Heads, int Intermediate, int Vocab)
{
    /// <summary>Key/value heads (grouped-query attention); 0 = <see cref="Heads"/>.</summary>
    public int KvHeads { get; init; }

    /// <summary>Dimension per head; 0 = <see cref="Hidden"/> / <see cref="Heads"/>.</summary>
    public int HeadDim { get; init; }

    /// <summary>lm_head shares the embedding matrix.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Biases on q, k and v (Qwen2-style).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>The epsilon of every RMSNorm (<c>rms_norm_eps</c>); 1e-6 as transformers' LlamaConfig and Qwen2Config default.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>The rotary base (<c>rope_theta</c>); 10000 by default.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>The rotary scaling (<c>rope_scaling</c>), or null for none.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>The longest sequence the model is declared for (<c>max_position_embeddings</c>); 2048 as LlamaConfig defaults.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>The Hugging Face <c>model_type</c>: "llama" (default), "qwen2" or "mistral".</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary>The key/value head count in effect.</summary>
    public int EffectiveKvHeads => KvHeads > 0 ? KvHeads : Heads;

    /// <summary>The head dimension in effect.</summary>
    public int EffectiveHeadDim => HeadDim > 0 ? HeadDim : (Heads > 0 ? Hidden / Heads : 0);

    /// <summary>Llama-2-7B (32 layers, hidden 4096, 32 heads, MLP 11008, vocab 32000): 6,738,415,616 parameters.</summary>
    public static TransformerConfig Llama2_7B { get; } = new(32, 4096, 32, 11008, 32000);

    internal void Validate()
    {
        Guard.Positive(Layers);
        Guard.Positive(Hidden);
        Guard.Positive(Heads);
        Guard.Positive(Intermediate);
        Guard.Positive(Vocab);
        Guard.NonNegative(KvHeads);
        Guard.NonNegative(HeadDim);
        Guard.Positive(EffectiveHeadDim);
    }
}
