using System.Diagnostics;
using System.Globalization;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// The progress display of one training phase: a line every fifth of the run (and at the last step) with the step,
/// the loss averaged since the previous line, the throughput in tokens per second and a bar. Plain lines rather
/// than a redrawn bar, so the output reads the same in a terminal, a CI log or a README.
/// </summary>
public sealed class PhaseProgress
{
    private const int Lines = 5;
    private const int BarWidth = 20;

    private readonly TextWriter _output;
    private readonly string _phase;
    private readonly int _steps;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lossSum;
    private int _lossCount;
    private long _tokens;

    /// <summary>Starts timing a phase of <paramref name="steps"/> steps.</summary>
    public PhaseProgress(TextWriter output, string phase, int steps)
    {
        _output = output;
        _phase = phase;
        _steps = steps;
    }

    /// <summary>Total tokens (predicted positions) processed so far.</summary>
    public long Tokens => _tokens;

    /// <summary>Wall time of the phase so far.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Records step <paramref name="step"/> (0-based) and prints a line when a fifth of the run is done.</summary>
    public void Report(int step, double loss, int tokens) => Report(step, loss, tokens, tokensPerSecond: null);

    /// <summary>
    /// Records step <paramref name="step"/> (0-based) with the throughput measured by a runtime trainer (null: measured
    /// here from <paramref name="tokens"/>) and prints a line when a fifth of the run is done.
    /// </summary>
    public void Report(int step, double loss, int tokens, double? tokensPerSecond)
    {
        _lossSum += loss;
        _lossCount++;
        _tokens += tokens;
        int done = step + 1;
        bool print = done == _steps || (done * Lines / _steps) != (step * Lines / _steps);
        if (!print)
        {
            return;
        }

        int filled = done * BarWidth / _steps;
        double throughput = tokensPerSecond ?? _tokens / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"   {_phase,-14} [{new string('#', filled)}{new string('.', BarWidth - filled)}] step {done,4}/{_steps,-4}  loss {_lossSum / _lossCount,7:F4}  {throughput,9:N0} tok/s"));
        _lossSum = 0;
        _lossCount = 0;
    }
}
