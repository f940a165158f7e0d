using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Attention;

/// <summary>
/// e^x in float for the softmax, where x = s − max ≤ 0 (forward) or s − L ≤ 0 (backward). The general-purpose vector
/// exponentials round-trip through double and cost several times more; the softmax needs neither that accuracy nor
/// positive arguments. Cephes' expf: n = ⌊x·log₂e + ½⌋, r = x − n·ln2 (split in two constants so r is exact),
/// e^r by its degree-6 minimax polynomial, then 2ⁿ through the exponent bits — about 1 ulp on [-87.3, 88]. Arguments
/// below -87.3 (where 2ⁿ would be subnormal) and -∞ give exactly 0, so a masked key contributes exactly nothing;
/// arguments are clamped at 88 above (never reached by the softmax); NaN stays NaN so bad inputs still show.
/// </summary>
internal static class SoftmaxExp
{
    private const float Lowest = -87.3f;
    private const float Highest = 88f;
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>e^x lane-wise (512-bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> underflow = Vector512.LessThan(x, Vector512.Create(Lowest));
        Vector512<float> notANumber = ~Vector512.Equals(x, x);
        Vector512<float> input = x;
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(Lowest)), Vector512.Create(Highest));
        Vector512<float> n = Vector512.Floor(Lanes512.MultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(0.5f)));
        Vector512<float> r = Lanes512.MultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Lanes512.MultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        Vector512<float> p = Lanes512.MultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Lanes512.MultiplyAdd(p, r, Vector512.Create(P2));
        p = Lanes512.MultiplyAdd(p, r, Vector512.Create(P3));
        p = Lanes512.MultiplyAdd(p, r, Vector512.Create(P4));
        p = Lanes512.MultiplyAdd(p, r, Vector512.Create(P5));
        p = Lanes512.MultiplyAdd(p, r * r, r + Vector512.Create(1f));
        Vector512<int> exponent = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23);
        Vector512<float> result = p * exponent.AsSingle();
        return Vector512.ConditionalSelect(notANumber, input, Vector512.AndNot(result, underflow));
    }

    /// <summary>e^x lane-wise (256-bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        Vector256<float> underflow = Vector256.LessThan(x, Vector256.Create(Lowest));
        Vector256<float> notANumber = ~Vector256.Equals(x, x);
        Vector256<float> input = x;
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(Lowest)), Vector256.Create(Highest));
        Vector256<float> n = Vector256.Floor(Lanes256.MultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(0.5f)));
        Vector256<float> r = Lanes256.MultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Lanes256.MultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        Vector256<float> p = Lanes256.MultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Lanes256.MultiplyAdd(p, r, Vector256.Create(P2));
        p = Lanes256.MultiplyAdd(p, r, Vector256.Create(P3));
        p = Lanes256.MultiplyAdd(p, r, Vector256.Create(P4));
        p = Lanes256.MultiplyAdd(p, r, Vector256.Create(P5));
        p = Lanes256.MultiplyAdd(p, r * r, r + Vector256.Create(1f));
        Vector256<int> exponent = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23);
        Vector256<float> result = p * exponent.AsSingle();
        return Vector256.ConditionalSelect(notANumber, input, Vector256.AndNot(result, underflow));
    }
}
