using System.Collections.Generic;
using System.Globalization;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>
/// The shape a generated method requires of one buffer parameter: <c>RowFactor·Width</c> elements (rows x width) when
/// it depends on the <c>rows</c> argument, or exactly <c>FixedRows x Width</c> (a weight).
/// </summary>
internal sealed record BufferRule(string Parameter, string ShapeName, int Width, int? FixedRows, bool EmptyAllowed)
{
    /// <summary>The rules of a generated <c>[LoraLayer]</c> method, or null for a method that takes no checked buffer.</summary>
    public static IReadOnlyList<BufferRule>? ForLora(LoraLayerInfo lora, string method)
    {
        var weight = new BufferRule("weight", "OutFeatures x InFeatures", lora.InFeatures, lora.OutFeatures, false);
        return method switch
        {
            "MergeInto" or "UnmergeFrom" or "SafeMergeInto" => new[] { weight },
            "Forward" => new[]
            {
                new BufferRule("x", "rows x InFeatures", lora.InFeatures, null, false),
                weight,
                new BufferRule("y", "rows x OutFeatures", lora.OutFeatures, null, false),
            },
            "Backward" => new[]
            {
                new BufferRule("x", "rows x InFeatures", lora.InFeatures, null, false),
                weight,
                new BufferRule("dy", "rows x OutFeatures", lora.OutFeatures, null, false),
                new BufferRule("dx", "rows x InFeatures", lora.InFeatures, null, true),
            },
            _ => null,
        };
    }

    /// <summary>The rules of a generated <c>[BottleneckAdapter]</c> method, or null.</summary>
    public static IReadOnlyList<BufferRule>? ForAdapter(BottleneckAdapterInfo adapter, string method)
    {
        var x = new BufferRule("x", "rows x ModelDim", adapter.ModelDim, null, false);
        var pre = new BufferRule("preActivation", "rows x Bottleneck", adapter.Bottleneck, null, false);
        return method switch
        {
            "Forward" => new[] { x, pre, new BufferRule("y", "rows x ModelDim", adapter.ModelDim, null, false) },
            "Backward" => new[] { x, pre, new BufferRule("dy", "rows x ModelDim", adapter.ModelDim, null, false), new BufferRule("dx", "rows x ModelDim", adapter.ModelDim, null, false) },
            _ => null,
        };
    }

    /// <summary>The FTG0103 message when <paramref name="buffer"/> cannot fit, or null when it fits (or cannot be judged).</summary>
    public string? Check(string method, KnownBuffer buffer, int? rows)
    {
        if (EmptyAllowed && buffer.Length == 0)
        {
            return null;
        }

        if (FixedRows is int fixedRows)
        {
            if (buffer.Rows is int r && buffer.Cols is int c)
            {
                if (r == fixedRows && c == Width)
                {
                    return null;
                }

                string hint = r == Width && c == fixedRows ? " (transposed: a linear weight is rows = out, cols = in)" : "";
                return Format("'{0}' expects '{1}' of {2} = {3} x {4}; {5} is {6} x {7}{8}", method, Parameter, ShapeName, fixedRows, Width, buffer.Description, r, c, hint);
            }

            long expected = (long)fixedRows * Width;
            return buffer.Length == expected
                ? null
                : Format("'{0}' expects '{1}' of {2} = {3} x {4} = {5} elements; {6} has {7}", method, Parameter, ShapeName, fixedRows, Width, expected, buffer.Description, buffer.Length);
        }

        if (rows is int knownRows)
        {
            long expected = (long)knownRows * Width;
            return buffer.Length == expected
                ? null
                : Format("'{0}' expects '{1}' of {2} = {3} x {4} = {5} elements; {6} has {7}", method, Parameter, ShapeName, knownRows, Width, expected, buffer.Description, buffer.Length);
        }

        return buffer.Length % Width == 0
            ? null
            : Format("'{0}' expects '{1}' of {2}, a multiple of {3} elements; {4} has {5}", method, Parameter, ShapeName, Width, buffer.Description, buffer.Length);
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
