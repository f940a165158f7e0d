namespace FineTuneGuard.Losses;

/// <summary>The preference losses of <see cref="Dpo"/>, named as TRL's <c>DPOConfig.loss_type</c>.</summary>
public enum DpoLossType
{
    /// <summary>Rafailov et al. 2023: −log σ(β·h), with conservative label smoothing ε: −(1 − ε)·log σ(β·h) − ε·log σ(−β·h).</summary>
    Sigmoid,

    /// <summary>Azar et al. 2023 (IPO), as TRL: (h − 1/(2β))².</summary>
    Ipo,

    /// <summary>SLiC-style hinge (Zhao et al. 2023), as TRL: relu(1 − β·h).</summary>
    Hinge,

    /// <summary>Robust DPO (Chowdhury et al. 2024), as TRL: (−(1 − ε)·log σ(β·h) + ε·log σ(−β·h)) / (1 − 2ε).</summary>
    Robust,
}
