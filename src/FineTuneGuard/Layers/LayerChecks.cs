using System;

namespace FineTuneGuard;

/// <summary>
/// The argument checks of the generated layer entry points (in the layer base classes): a wrong buffer fails with a
/// message naming the layer, the method, the parameter, the expected shape and the actual length, before any kernel runs.
/// </summary>
internal static class LayerChecks
{
    /// <summary>Throws <see cref="ArgumentException"/> (parameter name <paramref name="parameter"/>) unless <paramref name="actualLength"/> = rows·cols.</summary>
    public static void Shape(string layer, string method, string parameter, int actualLength, long rows, long cols, string shape)
    {
        if (actualLength != rows * cols)
        {
            throw new ArgumentException(
                layer + "." + method + ": '" + parameter + "' must be " + shape + " = " + rows + " x " + cols + " = " + (rows * cols) + " elements; got " + actualLength + ".",
                parameter);
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="rows"/> &gt; 0.</summary>
    public static void Rows(string layer, string method, int rows)
    {
        if (rows <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, layer + "." + method + ": 'rows' must be > 0; got " + rows + ".");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="value"/> &lt; <paramref name="count"/>.</summary>
    public static void Index(string parameter, int value, int count)
    {
        if ((uint)value >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(parameter, value, parameter + " must be in [0, " + count + ").");
        }
    }

    /// <summary>The layer name for messages; throws on null.</summary>
    public static string Name(string layerName)
    {
        ArgumentNullException.ThrowIfNull(layerName);
        return layerName;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    public static float Probability(float value, string parameter)
    {
        if (!(value >= 0f && value < 1f))
        {
            throw new ArgumentOutOfRangeException(parameter, value, "'" + parameter + "' must be in [0, 1).");
        }

        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> ≥ 0.</summary>
    public static int NonNegative(int value, string parameter)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(parameter, value, "'" + parameter + "' must be >= 0.");
        }

        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> &gt; 0.</summary>
    public static int Positive(int value, string parameter)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(parameter, value, "'" + parameter + "' must be > 0.");
        }

        return value;
    }
}
