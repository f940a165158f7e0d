using System.Globalization;
using System.Text;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>C# literals for emitted code, culture-invariant and round-trippable.</summary>
internal static class Literals
{
    private static readonly char[] DoubleMarkers = { '.', 'E', 'e' };

    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Double(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(DoubleMarkers) >= 0 ? text : text + ".0";
    }

    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Thousands-separated, for XML docs.</summary>
    public static string Grouped(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A regular C# string literal, quotes included.</summary>
    public static string String(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }
}
