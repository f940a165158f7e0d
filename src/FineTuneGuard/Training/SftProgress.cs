namespace FineTuneGuard;

/// <summary>What <see cref="SftTrainer.Train"/> reports through <see cref="System.IProgress{T}"/> after every optimizer step.</summary>
/// <param name="Step">Optimizer steps completed (1-based).</param>
/// <param name="MaxSteps">Steps of the run.</param>
/// <param name="Loss">The step's token-mean training loss.</param>
/// <param name="LearningRate">The step's learning rate.</param>
/// <param name="TokensPerSecond">Non-padding input tokens per second of wall time since the run started (the only non-deterministic number).</param>
/// <param name="Evaluation">The evaluation made at this step, or null.</param>
public sealed record SftProgress(int Step, int MaxSteps, double Loss, float LearningRate, double TokensPerSecond, SftEvaluation? Evaluation);
