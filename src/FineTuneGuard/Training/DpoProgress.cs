namespace FineTuneGuard;

/// <summary>What <see cref="DpoTrainer.Train"/> reports through <see cref="System.IProgress{T}"/> after every optimizer step.</summary>
/// <param name="Step">Optimizer steps completed (1-based).</param>
/// <param name="MaxSteps">Steps of the run.</param>
/// <param name="LearningRate">The step's learning rate.</param>
/// <param name="Metrics">The step's loss and TRL metrics (computed before the update).</param>
public sealed record DpoProgress(int Step, int MaxSteps, float LearningRate, DpoMetrics Metrics);
