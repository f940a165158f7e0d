using FineTuneGuard.Kernels;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>
/// Double-precision LoRA reference: values and, per element, the magnitude Σ|terms| that bounds the float32 rounding
/// error of the kernels (see <see cref="Reference.Close"/>).
/// </summary>
internal static class LoraReference
{
    /// <summary>y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.</summary>
    public static (double[] Value, double[] Magnitude) Forward(LoraShape shape, double s, int rows, float[] x, float[] w, float[] a, float[] b)
    {
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank;
        var (xa, xaMag) = XaT(shape, rows, x, a);
        var y = new double[rows * outF];
        var mag = new double[rows * outF];
        for (int i = 0; i < rows; i++)
        {
            for (int o = 0; o < outF; o++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < inF; p++)
                {
                    sum += (double)x[(i * inF) + p] * w[(o * inF) + p];
                    abs += Math.Abs((double)x[(i * inF) + p] * w[(o * inF) + p]);
                }

                for (int j = 0; j < r; j++)
                {
                    sum += s * xa[(i * r) + j] * b[(o * r) + j];
                    abs += Math.Abs(s * b[(o * r) + j]) * xaMag[(i * r) + j];
                }

                y[(i * outF) + o] = sum;
                mag[(i * outF) + o] = abs;
            }
        }

        return (y, mag);
    }

    /// <summary>dA = s·(dy·B)ᵀ·x, dB = s·dyᵀ·(x·Aᵀ), dx = dy·W + s·(dy·B)·A, with magnitudes.</summary>
    public static Gradients Backward(LoraShape shape, double s, int rows, float[] x, float[] w, float[] a, float[] b, float[] dy)
    {
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank;
        var (xa, xaMag) = XaT(shape, rows, x, a);
        var dyb = new double[rows * r];
        var dybMag = new double[rows * r];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < r; j++)
            {
                for (int o = 0; o < outF; o++)
                {
                    dyb[(i * r) + j] += (double)dy[(i * outF) + o] * b[(o * r) + j];
                    dybMag[(i * r) + j] += Math.Abs((double)dy[(i * outF) + o] * b[(o * r) + j]);
                }
            }
        }

        var g = new Gradients(new double[r * inF], new double[r * inF], new double[outF * r], new double[outF * r], new double[rows * inF], new double[rows * inF]);
        for (int j = 0; j < r; j++)
        {
            for (int p = 0; p < inF; p++)
            {
                for (int i = 0; i < rows; i++)
                {
                    g.DA[(j * inF) + p] += s * dyb[(i * r) + j] * x[(i * inF) + p];
                    g.DAMagnitude[(j * inF) + p] += Math.Abs(s * x[(i * inF) + p]) * dybMag[(i * r) + j];
                }
            }
        }

        for (int o = 0; o < outF; o++)
        {
            for (int j = 0; j < r; j++)
            {
                for (int i = 0; i < rows; i++)
                {
                    g.DB[(o * r) + j] += s * dy[(i * outF) + o] * xa[(i * r) + j];
                    g.DBMagnitude[(o * r) + j] += Math.Abs(s * dy[(i * outF) + o]) * xaMag[(i * r) + j];
                }
            }
        }

        for (int i = 0; i < rows; i++)
        {
            for (int p = 0; p < inF; p++)
            {
                double sum = 0, abs = 0;
                for (int o = 0; o < outF; o++)
                {
                    sum += (double)dy[(i * outF) + o] * w[(o * inF) + p];
                    abs += Math.Abs((double)dy[(i * outF) + o] * w[(o * inF) + p]);
                }

                for (int j = 0; j < r; j++)
                {
                    sum += s * dyb[(i * r) + j] * a[(j * inF) + p];
                    abs += Math.Abs(s * a[(j * inF) + p]) * dybMag[(i * r) + j];
                }

                g.DX[(i * inF) + p] = sum;
                g.DXMagnitude[(i * inF) + p] = abs;
            }
        }

        return g;
    }

    private static (double[] Value, double[] Magnitude) XaT(LoraShape shape, int rows, float[] x, float[] a)
    {
        int inF = shape.InFeatures, r = shape.Rank;
        var xa = new double[rows * r];
        var mag = new double[rows * r];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < r; j++)
            {
                for (int p = 0; p < inF; p++)
                {
                    xa[(i * r) + j] += (double)x[(i * inF) + p] * a[(j * inF) + p];
                    mag[(i * r) + j] += Math.Abs((double)x[(i * inF) + p] * a[(j * inF) + p]);
                }
            }
        }

        return (xa, mag);
    }

    internal sealed record Gradients(double[] DA, double[] DAMagnitude, double[] DB, double[] DBMagnitude, double[] DX, double[] DXMagnitude);
}
