using FineTuneGuard.Kernels;

namespace FineTuneGuard.Tests.Kernels;

/// <summary>Double-precision bottleneck adapter: forward, analytic backward and the activations.</summary>
internal static class AdapterReference
{
    public static double Act(AdapterActivation activation, double x) => activation switch
    {
        AdapterActivation.Relu => Math.Max(x, 0),
        AdapterActivation.Tanh => Math.Tanh(x),
        AdapterActivation.Gelu => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x)))),
        _ => x,
    };

    public static double Derivative(AdapterActivation activation, double x)
    {
        switch (activation)
        {
            case AdapterActivation.Relu:
                return x > 0 ? 1 : 0;
            case AdapterActivation.Tanh:
                return 1 - (Math.Tanh(x) * Math.Tanh(x));
            case AdapterActivation.Gelu:
                double c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (x + (0.044715 * x * x * x)));
                return (0.5 * (1 + t)) + (0.5 * x * (1 - (t * t)) * c * (1 + (3 * 0.044715 * x * x)));
            default:
                return 1;
        }
    }

    /// <summary>h = x·downᵀ + bd, y = x + act(h)·upᵀ + bu (in double), h's magnitudes Σ|x||down| + |bd|.</summary>
    public static (double[] H, double[] HMagnitude, double[] Y) Forward(AdapterActivation activation, int rows, int d, int b, float[] x, float[] down, float[] downBias, float[] up, float[] upBias)
    {
        var h = new double[rows * b];
        var hMag = new double[rows * b];
        var y = new double[rows * d];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < b; j++)
            {
                double sum = downBias.Length > 0 ? downBias[j] : 0, abs = Math.Abs(sum);
                for (int p = 0; p < d; p++)
                {
                    sum += (double)x[(i * d) + p] * down[(j * d) + p];
                    abs += Math.Abs((double)x[(i * d) + p] * down[(j * d) + p]);
                }

                h[(i * b) + j] = sum;
                hMag[(i * b) + j] = abs;
            }

            for (int p = 0; p < d; p++)
            {
                double sum = x[(i * d) + p] + (upBias.Length > 0 ? upBias[p] : 0);
                for (int j = 0; j < b; j++)
                {
                    sum += Act(activation, h[(i * b) + j]) * up[(p * b) + j];
                }

                y[(i * d) + p] = sum;
            }
        }

        return (h, hMag, y);
    }

    /// <summary>Analytic gradients in double given the pre-activation h (double) and dy.</summary>
    public static (double[] DDown, double[] DDownBias, double[] DUp, double[] DUpBias, double[] DX) Backward(AdapterActivation activation, int rows, int d, int b, float[] x, float[] down, float[] up, double[] h, float[] dy)
    {
        var g = new double[rows * b];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < b; j++)
            {
                double sum = 0;
                for (int p = 0; p < d; p++)
                {
                    sum += (double)dy[(i * d) + p] * up[(p * b) + j];
                }

                g[(i * b) + j] = sum * Derivative(activation, h[(i * b) + j]);
            }
        }

        var dDown = new double[b * d];
        var dDownBias = new double[b];
        var dUp = new double[d * b];
        var dUpBias = new double[d];
        var dx = new double[rows * d];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < b; j++)
            {
                dDownBias[j] += g[(i * b) + j];
                for (int p = 0; p < d; p++)
                {
                    dDown[(j * d) + p] += g[(i * b) + j] * x[(i * d) + p];
                    dUp[(p * b) + j] += dy[(i * d) + p] * Act(activation, h[(i * b) + j]);
                    dx[(i * d) + p] += g[(i * b) + j] * down[(j * d) + p];
                }
            }

            for (int p = 0; p < d; p++)
            {
                dUpBias[p] += dy[(i * d) + p];
                dx[(i * d) + p] += dy[(i * d) + p];
            }
        }

        return (dDown, dDownBias, dUp, dUpBias, dx);
    }
}
