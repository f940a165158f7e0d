using System;
using System.Runtime.CompilerServices;

namespace FineTuneGuard.Losses;

/// <summary>
/// The argument checks the losses need beyond <see cref="Validation.Guard"/> (value ranges, class indices, weights),
/// worded the same way: the parameter, what was expected and what was found.
/// </summary>
internal static class LossChecks
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 &lt;= value &lt; upperExclusive.</summary>
    public static void InRange(float value, float upperExclusive, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0 && value < upperExclusive))
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be in [0, {upperExclusive}); got {value}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless a class index is in [0, vocab).</summary>
    public static void ClassIndex(int label, int vocab, int position, string name)
    {
        if ((uint)label >= (uint)vocab)
        {
            throw new ArgumentOutOfRangeException(
                name, label, $"'{name}[{position}]' must be a class index in [0, {vocab}) or the ignore index; got {label}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless a token weight is finite and &gt;= 0.</summary>
    public static void Weight(float weight, int position, string name)
    {
        if (!(weight >= 0) || float.IsInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(name, weight, $"'{name}[{position}]' must be a finite weight >= 0; got {weight}.");
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when no token is selected: the mean over zero tokens is 0/0, and a NaN
    /// loss hours into a run is far harder to trace than this message.
    /// </summary>
    public static void SomethingSelected(double weightSum, string name, string why)
    {
        if (!(weightSum > 0))
        {
            throw new ArgumentException($"'{name}' selects no token ({why}): the mean over zero tokens is undefined.", name);
        }
    }
}
