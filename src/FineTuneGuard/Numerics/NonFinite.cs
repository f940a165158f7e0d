using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Numerics;

/// <summary>Vectorized NaN / infinity detection.</summary>
public static class NonFinite
{
    /// <summary>Index of the first NaN or ±infinity, or -1 when every value is finite.</summary>
    public static int IndexOf(ReadOnlySpan<float> values)
    {
        // x - x is 0 for finite x and NaN for NaN or ±inf, so one subtract and a self-compare find both.
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref start, (nuint)i);
                Vector256<float> d = v - v;
                if (!Vector256.EqualsAll(d, d))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when every value is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values) => IndexOf(values) < 0;
}
