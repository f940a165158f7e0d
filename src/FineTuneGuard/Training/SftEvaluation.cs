using System.Collections.Generic;

namespace FineTuneGuard;

/// <summary>
/// An evaluation of an SFT run: train and validation loss with the overfitting signal, task quality, KL(tuned ‖ base),
/// base-task retention, and the combined score — "do not treat fine-tuning quality as one number".
/// </summary>
/// <param name="Step">Optimizer steps completed when evaluated.</param>
/// <param name="TrainLoss">Token-mean training loss of the steps since the previous evaluation (NaN before any step).</param>
/// <param name="ValidationLoss">Mixture-weighted validation loss Σ w_k·L_k / Σ w_k over the validation datasets.</param>
/// <param name="TaskAccuracy">Mixture-weighted answer-token accuracy on the validation datasets (the task quality).</param>
/// <param name="Datasets">Per-dataset metrics.</param>
/// <param name="KlToBase">Mixture-weighted mean KL(tuned ‖ base) over validation target positions; null without a base model.</param>
/// <param name="Retention">Base-task metrics of the tuned model; null without a retention dataset.</param>
/// <param name="BaseRetention">The same metrics of the base model (the reference point); null without base model or retention dataset.</param>
/// <param name="CombinedScore">TaskWeight·TaskAccuracy + (1 − TaskWeight)·Retention.TokenAccuracy; null without a retention dataset.</param>
/// <param name="IsOverfitting">True when the training loss fell and the validation loss rose since the previous evaluation.</param>
public sealed record SftEvaluation(
    int Step,
    double TrainLoss,
    double ValidationLoss,
    double TaskAccuracy,
    IReadOnlyList<SftDatasetMetrics> Datasets,
    double? KlToBase,
    SftDatasetMetrics? Retention,
    SftDatasetMetrics? BaseRetention,
    double? CombinedScore,
    bool IsOverfitting);
