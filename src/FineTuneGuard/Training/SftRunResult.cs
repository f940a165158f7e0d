using System.Collections.Generic;

namespace FineTuneGuard;

/// <summary>The outcome of <see cref="SftTrainer.Train"/>.</summary>
/// <param name="Steps">Optimizer steps taken (fewer than MaxSteps when stopped on overfitting or cancelled).</param>
/// <param name="StepLosses">The token-mean training loss of every step.</param>
/// <param name="Evaluations">Every evaluation, in order.</param>
/// <param name="StoppedOnOverfitting">True when <see cref="SftOptions.StopWhenOverfitting"/> ended the run.</param>
public sealed record SftRunResult(int Steps, IReadOnlyList<double> StepLosses, IReadOnlyList<SftEvaluation> Evaluations, bool StoppedOnOverfitting);
