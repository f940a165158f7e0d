using System.Collections.Generic;

namespace FineTuneGuard;

/// <summary>The outcome of <see cref="DpoTrainer.Train"/>: the metrics of every step, in order.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="History">Each step's metrics (computed before its update).</param>
public sealed record DpoRunResult(int Steps, IReadOnlyList<DpoMetrics> History);
