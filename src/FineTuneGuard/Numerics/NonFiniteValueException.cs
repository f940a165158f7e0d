using System;

namespace FineTuneGuard.Numerics;

/// <summary>A NaN or infinity where the runtime refuses one (safe merge, the optimizer's opt-in NaN check).</summary>
public sealed class NonFiniteValueException : ArithmeticException
{
    /// <summary>Creates the exception for element <paramref name="index"/> of <paramref name="parameterName"/>.</summary>
    public NonFiniteValueException(string parameterName, int index, float value)
        : base($"'{parameterName}' contains a non-finite value ({value}) at element {index}; nothing was written.")
    {
        ParameterName = parameterName;
        Index = index;
        Value = value;
    }

    /// <summary>Creates the exception with a custom message.</summary>
    public NonFiniteValueException(string message)
        : base(message)
    {
        ParameterName = string.Empty;
    }

    /// <summary>The buffer that held the value.</summary>
    public string ParameterName { get; }

    /// <summary>Element index of the first non-finite value.</summary>
    public int Index { get; }

    /// <summary>The offending value.</summary>
    public float Value { get; }
}
