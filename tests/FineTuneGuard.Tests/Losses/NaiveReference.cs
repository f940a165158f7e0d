using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Losses;

/// <summary>Textbook double-precision formulas the vectorized kernels are checked against.</summary>
internal static class NaiveReference
{
    public static double[] LogSoftmax(ReadOnlySpan<float> logits, int row, int vocab)
    {
        ReadOnlySpan<float> z = logits.Slice(row * vocab, vocab);
        double max = double.NegativeInfinity;
        foreach (float v in z)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (float v in z)
        {
            sum += Math.Exp(v - max);
        }

        double lse = max + Math.Log(sum);
        var result = new double[vocab];
        for (int j = 0; j < vocab; j++)
        {
            result[j] = z[j] - lse;
        }

        return result;
    }

    /// <summary>Σ w_i·loss_i / Σ w_i with PyTorch's label smoothing, and its gradient.</summary>
    public static double CrossEntropy(float[] logits, int[] targets, double[] weights, int vocab, double smoothing, out double[] grad)
    {
        int rows = targets.Length;
        double weightSum = weights.Sum();
        double total = 0;
        grad = new double[logits.Length];
        for (int i = 0; i < rows; i++)
        {
            if (weights[i] == 0)
            {
                continue;
            }

            double[] logp = LogSoftmax(logits, i, vocab);
            double nll = -logp[targets[i]];
            double uniform = -logp.Average();
            total += weights[i] * (((1 - smoothing) * nll) + (smoothing * uniform));
            for (int j = 0; j < vocab; j++)
            {
                double q = (j == targets[i] ? 1 - smoothing : 0) + (smoothing / vocab);
                grad[(i * vocab) + j] = weights[i] / weightSum * (Math.Exp(logp[j]) - q);
            }
        }

        return total / weightSum;
    }

    /// <summary>Mean over rows of Σ p_t (log p_t − log p_b), and its gradient with respect to the tuned logits.</summary>
    public static double Kl(float[] tuned, float[] @base, int vocab, out double[] grad)
    {
        int rows = tuned.Length / vocab;
        grad = new double[tuned.Length];
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            double[] lt = LogSoftmax(tuned, i, vocab);
            double[] lb = LogSoftmax(@base, i, vocab);
            double kl = 0;
            for (int j = 0; j < vocab; j++)
            {
                kl += Math.Exp(lt[j]) * (lt[j] - lb[j]);
            }

            total += kl;
            for (int j = 0; j < vocab; j++)
            {
                grad[(i * vocab) + j] = Math.Exp(lt[j]) * ((lt[j] - lb[j]) - kl) / rows;
            }
        }

        return total / rows;
    }

    public static float[] RandomLogits(SeededRandom random, int length, float scale = 3f)
    {
        var values = new float[length];
        random.FillNormal(values, 0, scale);
        return values;
    }

    public static int[] RandomTargets(SeededRandom random, int rows, int vocab)
    {
        var targets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            targets[i] = random.NextInt(vocab);
        }

        return targets;
    }

    /// <summary>Central difference (f(x + h·e_i) − f(x − h·e_i)) / 2h of a float function of x, at coordinate i.</summary>
    public static double CentralDifference(float[] x, int index, float h, Func<float> f)
    {
        float saved = x[index];
        x[index] = saved + h;
        double plus = f();
        x[index] = saved - h;
        double minus = f();
        x[index] = saved;
        return (plus - minus) / (2.0 * h);
    }
}
