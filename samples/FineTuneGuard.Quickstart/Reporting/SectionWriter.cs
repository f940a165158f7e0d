using System.Globalization;

namespace FineTuneGuard.Quickstart.Reporting;

/// <summary>Headings and aligned lines for the quickstart's console report.</summary>
public static class SectionWriter
{
    /// <summary>A numbered section heading and a one-line statement of what the section shows.</summary>
    public static void Heading(TextWriter output, int number, string title, string what)
    {
        output.WriteLine();
        output.WriteLine($"{number}. {title}");
        output.WriteLine(new string('─', Math.Min(100, title.Length + 4)));
        output.WriteLine($"   {what}");
    }

    /// <summary>✓ or ✗.</summary>
    public static string Mark(bool passed) => passed ? "✓" : "✗";

    /// <summary>Invariant-culture formatting, so the output is the same on every machine.</summary>
    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
