using FineTuneGuard.Losses;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Phases;
using FineTuneGuard.Quickstart.Training;

namespace FineTuneGuard.Quickstart;

/// <summary>Everything a quickstart run measured: what the console shows, for tests and tools to check.</summary>
public sealed record QuickstartReport(
    PhaseCurve Pretraining,
    AuditPhase.Result Audit,
    SftPhase.Result Sft,
    MergeAblationPhase.Result Merge,
    EvaluationPhase.Result Evaluation,
    UpdateAnalysisPhase.Result UpdateAnalysis,
    DpoPhase.Result Dpo,
    IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<string> Charts,
    TimeSpan Elapsed);
