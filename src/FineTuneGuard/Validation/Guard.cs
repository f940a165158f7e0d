using System;
using System.Runtime.CompilerServices;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Validation;

/// <summary>
/// Argument checks for every public entry point of the runtime. Messages name the parameter and both the expected and
/// the actual shape, because a wrong shape found hours into a training run must be fixable from the message alone.
/// Kept in one place so that every kernel words its errors the same way.
/// </summary>
internal static class Guard
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> &gt; 0.</summary>
    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be > 0; got {value}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> &gt;= 0.</summary>
    public static void NonNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be >= 0; got {value}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is finite and &gt; 0.</summary>
    public static void PositiveFinite(float value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > 0) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be a finite value > 0; got {value}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is finite.</summary>
    public static void Finite(float value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be finite; got {value}.");
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless a row-major buffer holds exactly rows x cols elements:
    /// "'weight' must have shape [4096 x 4096] (16777216 elements); got 4194304 elements."
    /// </summary>
    public static void Shape(int actualLength, int rows, int cols, [CallerArgumentExpression(nameof(actualLength))] string? name = null)
    {
        long expected = (long)rows * cols;
        if (actualLength != expected)
        {
            string parameter = Trim(name);
            throw new ArgumentException(
                $"'{parameter}' must have shape [{rows} x {cols}] ({expected} elements); got {actualLength} elements{Describe(actualLength, rows, cols)}.",
                parameter);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless a vector has exactly <paramref name="length"/> elements.</summary>
    public static void Length(int actualLength, int length, [CallerArgumentExpression(nameof(actualLength))] string? name = null)
    {
        if (actualLength != length)
        {
            string parameter = Trim(name);
            throw new ArgumentException($"'{parameter}' must have shape [{length}]; got [{actualLength}].", parameter);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless a buffer has at least <paramref name="length"/> elements (scratch space).</summary>
    public static void AtLeast(int actualLength, long length, [CallerArgumentExpression(nameof(actualLength))] string? name = null)
    {
        if (actualLength < length)
        {
            string parameter = Trim(name);
            throw new ArgumentException($"'{parameter}' must hold at least {length} elements; got {actualLength}.", parameter);
        }
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN or infinity in <paramref name="values"/>.</summary>
    public static void AllFinite(ReadOnlySpan<float> values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        int index = NonFinite.IndexOf(values);
        if (index >= 0)
        {
            throw new NonFiniteValueException(Trim(name), index, values[index]);
        }
    }

    // "x.Length" -> "x": the caller passes span.Length, the message should name the span.
    private static string Trim(string? expression)
    {
        if (string.IsNullOrEmpty(expression))
        {
            return "value";
        }

        return expression!.EndsWith(".Length", StringComparison.Ordinal) ? expression[..^".Length".Length] : expression;
    }

    private static string Describe(int actualLength, int rows, int cols)
    {
        if (cols > 0 && actualLength % cols == 0)
        {
            return $" (as [{actualLength / cols} x {cols}])";
        }

        if (rows > 0 && actualLength % rows == 0)
        {
            return $" (as [{rows} x {actualLength / rows}])";
        }

        return string.Empty;
    }
}
