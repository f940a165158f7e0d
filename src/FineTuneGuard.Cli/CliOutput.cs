using System;
using System.Globalization;
using System.IO;

namespace FineTuneGuard.Cli;

/// <summary>Where a command writes: results to <see cref="Out"/>, progress and errors to <see cref="Error"/>.</summary>
/// <param name="Out">Standard output: the command's results.</param>
/// <param name="Error">Standard error: progress and the one-line error.</param>
/// <param name="Interactive">True when standard error is a terminal, so that a redrawn progress bar is readable.</param>
public sealed record CliOutput(TextWriter Out, TextWriter Error, bool Interactive)
{
    /// <summary>An integer with thousands separators, as PEFT prints counts: 6,742,609,920.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Bytes as GB (10^9) with two decimals, the unit model cards and the seeds use.</summary>
    public static string Gigabytes(double bytes) => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB";

    /// <summary>A number for humans: invariant culture, shortest round-trip form.</summary>
    public static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Collapses a message to one line (errors must be one line on stderr).</summary>
    public static string OneLine(string message)
        => message.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Trim();
}
