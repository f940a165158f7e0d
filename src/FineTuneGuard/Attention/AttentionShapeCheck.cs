using System;

namespace FineTuneGuard.Attention;

/// <summary>
/// Buffer checks of the attention, prefix and soft-prompt entry points. A message names the parameter, the expected shape
/// with its named axes, the shape of the call it was checked against and the length that arrived, so that a wrong layout
/// is fixable from the message alone ("'k' must have shape [batch=4, kvHeads=2, t=256, headDim=64] (131072 elements) for
/// shape [batch=4, heads=8, kvHeads=2, ...]; got 524288 elements"). The expected shape is described by a static delegate
/// and only formatted on failure, so that a passing check allocates nothing.
/// </summary>
internal static class AttentionShapeCheck
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="actualLength"/> equals <paramref name="expectedLength"/>.</summary>
    public static void Exactly<TContext>(int actualLength, int expectedLength, string parameter, TContext context, Func<TContext, string> expectedShape)
    {
        if (actualLength != expectedLength)
        {
            throw new ArgumentException(
                $"'{parameter}' must have shape {expectedShape(context)} ({expectedLength} elements) for shape {context}; got {actualLength} elements.",
                parameter);
        }
    }

    /// <summary>Like <see cref="Exactly"/>, but an empty buffer is also accepted (an optional output or input).</summary>
    public static void EmptyOr<TContext>(int actualLength, int expectedLength, string parameter, TContext context, Func<TContext, string> expectedShape)
    {
        if (actualLength != 0)
        {
            Exactly(actualLength, expectedLength, parameter, context, expectedShape);
        }
    }

    /// <summary>An <see cref="ArgumentException"/> for <paramref name="parameter"/> (kept here so messages are worded alike).</summary>
    public static ArgumentException Mismatch(string parameter, string message) => new(message, parameter);
}
