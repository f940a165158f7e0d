using System;
using System.Diagnostics;
using System.Globalization;

namespace FineTuneGuard.Cli;

/// <summary>
/// A progress display on standard error: a bar redrawn in place on a terminal, and a line every tenth of the work when
/// standard error is a file or a pipe, so that logs stay readable. Never writes to standard output.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly CliOutput _output;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastDecile = -1;
    private long _lastDrawTicks;

    public ProgressBar(CliOutput output, string label, long total)
    {
        _output = output;
        _label = label;
        _total = Math.Max(total, 1);
    }

    /// <summary>Reports that <paramref name="done"/> of the total units are complete; <paramref name="item"/> says which.</summary>
    public void Report(long done, string item)
    {
        double fraction = Math.Clamp((double)done / _total, 0, 1);
        if (_output.Interactive)
        {
            // Redraw at most ~20 times a second: a model has hundreds of tensors and a terminal is slow.
            if (done < _total && _clock.ElapsedTicks - _lastDrawTicks < Stopwatch.Frequency / 20)
            {
                return;
            }

            _lastDrawTicks = _clock.ElapsedTicks;
            int filled = (int)(fraction * Width);
            string name = item.Length > 48 ? "…" + item[^47..] : item;
            _output.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction * 100,5:0.0}% {name,-48}"));
            return;
        }

        int decile = (int)(fraction * 10);
        if (decile != _lastDecile)
        {
            _lastDecile = decile;
            _output.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_label}: {fraction * 100:0}% ({item})"));
        }
    }

    /// <summary>Ends the bar's line on a terminal so that what follows starts on a new one.</summary>
    public void Finish()
    {
        if (_output.Interactive)
        {
            _output.Error.WriteLine();
        }
    }
}
