using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>Shared helpers of the decoder kernel tests: random inputs and a central finite difference in double.</summary>
internal static class DecoderKernelChecks
{
    public static float[] Random(int length, ulong seed, float low = -2f, float high = 2f)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, low, high);
        return values;
    }

    public static void AssertNear(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double absolute, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + (relative * Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"index {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
        }
    }

    /// <summary>
    /// d loss / d input[i] by central difference with step h, where loss(input) is evaluated in double from the float
    /// kernel's output.
    /// </summary>
    public static double Derivative(float[] input, int i, float h, Func<double> loss)
    {
        float saved = input[i];
        input[i] = saved + h;
        double plus = loss();
        input[i] = saved - h;
        double minus = loss();
        input[i] = saved;
        return (plus - minus) / ((double)(saved + h) - (saved - h));
    }

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
