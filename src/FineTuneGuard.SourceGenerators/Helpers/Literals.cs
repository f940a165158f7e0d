using System.Globalization;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>C# literals for emitted code, culture-invariant and round-trippable.</summary>
internal static class Literals
{
    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Thousands-separated, for XML docs.</summary>
    public static string Grouped(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
