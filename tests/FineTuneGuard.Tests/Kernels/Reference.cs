using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>Naive double-precision references and the float32 error bounds the kernels are held to.</summary>
internal static class Reference
{
    /// <summary>Unit roundoff of float32 (2^-24).</summary>
    public const double U = 1.0 / (1 << 24);

    public static float[] Random(SeededRandom random, int length, float scale = 1f)
    {
        var values = new float[length];
        random.FillUniform(values, -scale, scale);
        return values;
    }

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C in double, plus the magnitude |alpha|·Σ|a||b| + |beta·c| of every element that
    /// bounds its rounding error.
    /// </summary>
    public static (double[] Value, double[] Magnitude) Gemm(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var value = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[(p * m) + i] : a[(i * k) + p];
                    double y = tb ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }

                double old = beta == 0 ? 0 : (double)beta * c[(i * n) + j];
                value[(i * n) + j] = (alpha * sum) + old;
                magnitude[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(old);
            }
        }

        return (value, magnitude);
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ (terms + 4)·u·magnitude for every element. A float32 sum of `terms` products
    /// accumulated one by one (fma or not) has |error| ≤ γ_terms·Σ|a||b| with γ_n = n·u/(1 − n·u) (Higham, §3.1); the + 4
    /// covers the alpha/beta epilogue and a scale folded into a packed operand. The bound is rigorous, so the test cannot
    /// fail spuriously, yet dropping or repeating a single product (an error of about magnitude / terms) exceeds it
    /// whenever terms² · u ≪ 1, i.e. for every shape tested here.
    /// </summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude, ReadOnlySpan<float> actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double gamma = (terms + 4) * U / (1 - ((terms + 4) * U));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double bound = (gamma * magnitude[i]) + 1e-30;
            if (!(error <= bound))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E3} > bound {bound:E3}).");
            }
        }
    }
}
