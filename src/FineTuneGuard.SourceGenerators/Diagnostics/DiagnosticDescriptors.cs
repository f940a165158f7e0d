using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Diagnostics;

/// <summary>
/// Every diagnostic FineTuneGuard reports, in one place. IDs are a public contract; each has a page under
/// docs/rules/ that its help link points to, and an entry in AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/finetuneguard/finetuneguard/blob/main/docs/rules/";

    public const string TrainingCategory = "FineTuneGuard.Training";
    public const string PreferenceCategory = "FineTuneGuard.Preference";
    public const string LayersCategory = "FineTuneGuard.Layers";

    /// <summary>FTG0001: an SFT token loss averaged over every position.</summary>
    public static readonly DiagnosticDescriptor UnmaskedSftLoss = Create(
        "FTG0001",
        "SFT loss is not masked to the answer tokens",
        "{0}",
        TrainingCategory,
        DiagnosticSeverity.Warning,
        "Supervised fine-tuning should average the token loss over the response tokens only; averaging over prompt and padding positions dilutes the signal (with token losses [0.2, 0.3, 1.2, 0.8, 0.0] and an answer mask over the middle two, the answer-only loss is 1.0 and the mean over every position 0.5).");

    /// <summary>FTG0002: a weight member with no freeze decision.</summary>
    public static readonly DiagnosticDescriptor MissingFreezeDecision = Create(
        "FTG0002",
        "Weight has no freeze decision",
        "{0}",
        TrainingCategory,
        DiagnosticSeverity.Warning,
        "In a model that carries adapters, every base weight must be explicitly frozen or trainable; otherwise the optimizer silently trains (and the trainable-parameter audit miscounts) the base model.");

    /// <summary>FTG0003: a frozen member handed to an optimizer or written by an update.</summary>
    public static readonly DiagnosticDescriptor FrozenMemberTrained = Create(
        "FTG0003",
        "Frozen weight is trained",
        "{0}",
        TrainingCategory,
        DiagnosticSeverity.Error,
        "A member marked [Frozen] must never reach an optimizer or be written by an update.");

    /// <summary>FTG0004: LoRA B initialised non-zero.</summary>
    public static readonly DiagnosticDescriptor LoraBNotZero = Create(
        "FTG0004",
        "LoRA B is not initialised to zero",
        "{0}",
        TrainingCategory,
        DiagnosticSeverity.Warning,
        "With A random and B = 0 the tuned model starts exactly equal to the base model (B·A = 0). A non-zero product at initialisation perturbs the base model before any training.");

    /// <summary>FTG0005: LoRA A and B both zero.</summary>
    public static readonly DiagnosticDescriptor LoraBothZero = Create(
        "FTG0005",
        "LoRA A and B are both zero",
        "{0}",
        TrainingCategory,
        DiagnosticSeverity.Warning,
        "dL/dB = s·dyᵀ·(x·Aᵀ) is zero when A = 0 and dL/dA = s·Bᵀ·dyᵀ·x is zero when B = 0: with both zero no gradient ever flows.");

    /// <summary>FTG0006: a preference loss without reference log-probabilities.</summary>
    public static readonly DiagnosticDescriptor PreferenceLossWithoutReference = Create(
        "FTG0006",
        "Preference loss has no reference model",
        "{0}",
        PreferenceCategory,
        DiagnosticSeverity.Error,
        "DPO and its variants measure the policy against a frozen reference: margin = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)). Without reference log-probabilities the loss is a different objective.");

    /// <summary>FTG0007: the reference model is the policy.</summary>
    public static readonly DiagnosticDescriptor ReferenceIsPolicy = Create(
        "FTG0007",
        "Reference model is the policy itself",
        "{0}",
        PreferenceCategory,
        DiagnosticSeverity.Error,
        "When the reference is the same instance as the policy, the reference log-probabilities move with the policy, the margin is always 0 and the loss stays at ln 2.");

    /// <summary>FTG0008: the reference model is not frozen.</summary>
    public static readonly DiagnosticDescriptor ReferenceNotFrozen = Create(
        "FTG0008",
        "Reference model is not frozen",
        "{0}",
        PreferenceCategory,
        DiagnosticSeverity.Warning,
        "The DPO reference must be a frozen copy of the starting policy; a trainable reference drifts and the KL anchor disappears.");

    /// <summary>FTG0009: beta &lt;= 0.</summary>
    public static readonly DiagnosticDescriptor NonPositiveBeta = Create(
        "FTG0009",
        "Preference loss with beta <= 0",
        "{0}",
        PreferenceCategory,
        DiagnosticSeverity.Error,
        "With beta = 0 the DPO loss is −log σ(0) = ln 2 for every pair and its gradient is zero; a negative beta optimises the wrong direction.");

    /// <summary>FTG0101: a layer attribute on a non-partial type, or an invalid argument.</summary>
    public static readonly DiagnosticDescriptor InvalidLayerDeclaration = Create(
        "FTG0101",
        "Invalid fine-tuning layer declaration",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Error,
        "A layer attribute must sit on a partial class with positive dimensions, alpha > 0, dropout in [0, 1) and parameter counts that fit in a long; otherwise nothing is generated.");

    /// <summary>FTG0102: LoRA rank above min(in, out).</summary>
    public static readonly DiagnosticDescriptor RankAboveFullRank = Create(
        "FTG0102",
        "LoRA rank exceeds the matrix rank",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Warning,
        "rank(B·A) <= min(in, out): a rank above that adds parameters that cannot add expressiveness.");

    /// <summary>FTG0103: a shape mismatch known at compile time.</summary>
    public static readonly DiagnosticDescriptor ShapeMismatch = Create(
        "FTG0103",
        "Shape mismatch",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Error,
        "A layer's shape must match the weight it adapts and the model it belongs to; the mismatch is known at compile time and would throw at run time.");

    /// <summary>FTG0104: estimated training memory above the budget.</summary>
    public static readonly DiagnosticDescriptor MemoryBudgetExceeded = Create(
        "FTG0104",
        "Training memory exceeds the budget",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Warning,
        "Weights, gradients, optimizer states and activations must fit the [MemoryBudget]; the estimate counts the weights, their gradients, 12 bytes of AdamW state per trainable parameter and the activations.");

    /// <summary>FTG0105: adapters and base weights trained in one optimizer group.</summary>
    public static readonly DiagnosticDescriptor AdaptersAndBaseInOneGroup = Create(
        "FTG0105",
        "Adapters and base weights share one optimizer group",
        "{0}",
        LayersCategory,
        DiagnosticSeverity.Info,
        "Adapters usually want a 10-100x higher learning rate than base weights; one group gives both the same rate.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description)
        => new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");
}
