namespace FineTuneGuard.Quickstart.Training;

/// <summary>The loss at every step of one training phase, for the loss-curve chart.</summary>
/// <param name="Name">Legend label of the phase.</param>
/// <param name="Losses">Loss per step.</param>
/// <param name="TokensPerSecond">Throughput of the whole phase.</param>
/// <param name="Evaluations">(step, loss) of a held-out evaluation during the phase, if one was run.</param>
public sealed record PhaseCurve(string Name, IReadOnlyList<float> Losses, double TokensPerSecond, IReadOnlyList<(int Step, float Loss)> Evaluations)
{
    /// <summary>Loss at the first step.</summary>
    public float First => Losses[0];

    /// <summary>Mean loss over the last tenth of the steps (less noisy than the very last step).</summary>
    public float Final => Losses.Skip(Losses.Count - Math.Max(1, Losses.Count / 10)).Average();
}
