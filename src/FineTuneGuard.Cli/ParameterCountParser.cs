using System;
using System.Globalization;

namespace FineTuneGuard.Cli;

/// <summary>Parses parameter counts as people write them: <c>2B</c>, <c>6.74B</c>, <c>350M</c>, <c>7e9</c>, <c>6,738,415,616</c>.</summary>
internal static class ParameterCountParser
{
    public static long Parse(string text, string option)
    {
        string s = text.Trim().Replace(",", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        double multiplier = 1;
        if (s.Length > 0)
        {
            switch (char.ToUpperInvariant(s[^1]))
            {
                case 'K': multiplier = 1e3; break;
                case 'M': multiplier = 1e6; break;
                case 'B':
                case 'G': multiplier = 1e9; break;
                case 'T': multiplier = 1e12; break;
            }

            if (multiplier != 1)
            {
                s = s[..^1];
            }
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= 0) || value * multiplier > long.MaxValue)
        {
            throw new ArgumentException($"{option} '{text}' is not a parameter count (e.g. 2B, 350M, 7e9, 6738415616).");
        }

        return (long)Math.Round(value * multiplier);
    }
}
