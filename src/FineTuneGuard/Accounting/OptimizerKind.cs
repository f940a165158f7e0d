using FineTuneGuard.Optimization;

namespace FineTuneGuard.Accounting;

/// <summary>Optimizers by the number of state tensors they keep per trainable parameter.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW: mean and variance (two states).</summary>
    AdamW,

    /// <summary>Adam: mean and variance (two states).</summary>
    Adam,

    /// <summary>SGD with momentum: one state.</summary>
    SgdMomentum,

    /// <summary>Plain SGD: no state.</summary>
    Sgd,
}
