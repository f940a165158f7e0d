using FineTuneGuard.Kernels;

namespace FineTuneGuard;

/// <summary>
/// What a model tensor is, so that a trainer can build optimizer groups without guessing from names: adapters get their
/// own group (FTG0105 flags adapters and base weights in one group), norms and biases get no weight decay (the usual
/// exclusion), and a freeze audit can report which kinds of tensor are trained.
/// </summary>
public enum ParameterRole
{
    /// <summary>A pretrained weight matrix (projections, MLP): frozen under PEFT, trained under full fine-tuning.</summary>
    Base,

    /// <summary>A parameter-efficient module: LoRA A and B, bottleneck-adapter weights, prefix or soft-prompt vectors.</summary>
    Adapter,

    /// <summary>The token embedding table.</summary>
    Embedding,

    /// <summary>The output projection to the vocabulary (lm_head).</summary>
    Head,

    /// <summary>A normalisation weight (RMSNorm / LayerNorm gain): excluded from weight decay.</summary>
    Norm,

    /// <summary>A bias vector: excluded from weight decay.</summary>
    Bias,
}
