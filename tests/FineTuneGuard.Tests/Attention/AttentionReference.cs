using FineTuneGuard.Attention;

namespace FineTuneGuard.Tests.Attention;

/// <summary>
/// The textbook attention the streaming kernel must agree with: the full (t x (p + t)) score matrix per head, an explicit
/// max-subtracted softmax and explicit products, all in double. Its backward is the chain rule written out on the full
/// matrices; both are checked against finite differences on small shapes.
/// </summary>
internal static class AttentionReference
{
    public sealed record Result(double[] Output, double[] LogSumExp);

    public sealed record Gradients(double[] Dq, double[] Dk, double[] Dv, double[] DPrefixKeys, double[] DPrefixValues);

    public static Result Forward(
        AttentionShape s, double[] q, double[] k, double[] v, double[] pk, double[] pv, double[]? additive = null, bool[]? allowed = null)
    {
        var output = new double[s.QueryLength];
        var lse = new double[s.LogSumExpLength];
        ForEachRow(s, (b, h, i, g) =>
        {
            double[] scores = RowScores(s, q, k, pk, additive, allowed, b, h, i, g);
            double max = scores.Max();
            long row = RowIndex(s, b, h, i);
            if (double.IsNegativeInfinity(max))
            {
                lse[row] = double.NegativeInfinity;
                return;
            }

            double sum = scores.Sum(x => Math.Exp(x - max));
            lse[row] = max + Math.Log(sum);
            for (int c = 0; c < s.KeyCount; c++)
            {
                double weight = Math.Exp(scores[c] - max) / sum;
                if (weight == 0)
                {
                    continue;
                }

                for (int x = 0; x < s.HeadDim; x++)
                {
                    output[(row * s.HeadDim) + x] += weight * ValueAt(s, v, pv, b, g, c, x);
                }
            }
        });
        return new Result(output, lse);
    }

    public static Gradients Backward(
        AttentionShape s, double[] q, double[] k, double[] v, double[] pk, double[] pv, double[] dOutput, double[]? additive = null, bool[]? allowed = null)
    {
        var dq = new double[s.QueryLength];
        var dk = new double[s.KeyValueLength];
        var dv = new double[s.KeyValueLength];
        var dpk = new double[s.PrefixKeyValueLength];
        var dpv = new double[s.PrefixKeyValueLength];
        double scale = 1.0 / Math.Sqrt(s.HeadDim);
        ForEachRow(s, (b, h, i, g) =>
        {
            double[] scores = RowScores(s, q, k, pk, additive, allowed, b, h, i, g);
            double max = scores.Max();
            if (double.IsNegativeInfinity(max))
            {
                return;
            }

            double sum = scores.Sum(x => Math.Exp(x - max));
            long row = RowIndex(s, b, h, i);
            var p = scores.Select(x => Math.Exp(x - max) / sum).ToArray();
            var dp = new double[s.KeyCount];
            for (int c = 0; c < s.KeyCount; c++)
            {
                for (int x = 0; x < s.HeadDim; x++)
                {
                    dp[c] += dOutput[(row * s.HeadDim) + x] * ValueAt(s, v, pv, b, g, c, x);
                }
            }

            double rowDot = p.Zip(dp, (a, c) => a * c).Sum();
            for (int c = 0; c < s.KeyCount; c++)
            {
                double ds = p[c] * (dp[c] - rowDot) * scale;
                for (int x = 0; x < s.HeadDim; x++)
                {
                    long keyIndex = KeyIndex(s, b, g, c, x, out bool isPrefix);
                    double grad = dOutput[(row * s.HeadDim) + x];
                    dq[(row * s.HeadDim) + x] += ds * (isPrefix ? pk[keyIndex] : k[keyIndex]);
                    if (isPrefix)
                    {
                        dpk[keyIndex] += ds * q[(row * s.HeadDim) + x];
                        dpv[keyIndex] += p[c] * grad;
                    }
                    else
                    {
                        dk[keyIndex] += ds * q[(row * s.HeadDim) + x];
                        dv[keyIndex] += p[c] * grad;
                    }
                }
            }
        });
        return new Gradients(dq, dk, dv, dpk, dpv);
    }

    private static void ForEachRow(AttentionShape s, Action<int, int, int, int> body)
    {
        for (int b = 0; b < s.Batch; b++)
        {
            for (int h = 0; h < s.Heads; h++)
            {
                for (int i = 0; i < s.SequenceLength; i++)
                {
                    body(b, h, i, h / (s.Heads / s.KvHeads));
                }
            }
        }
    }

    private static double[] RowScores(
        AttentionShape s, double[] q, double[] k, double[] pk, double[]? additive, bool[]? allowed, int b, int h, int i, int g)
    {
        double scale = 1.0 / Math.Sqrt(s.HeadDim);
        long row = RowIndex(s, b, h, i);
        var scores = new double[s.KeyCount];
        long maskRow = (additive?.Length ?? allowed?.Length ?? 0) == s.BatchMaskLength && s.Batch > 1
            ? (((long)b * s.SequenceLength) + i) * s.KeyCount
            : (long)i * s.KeyCount;
        for (int c = 0; c < s.KeyCount; c++)
        {
            bool causal = c < s.PrefixLength || c - s.PrefixLength <= i;
            if (!causal || (allowed != null && !allowed[maskRow + c]))
            {
                scores[c] = double.NegativeInfinity;
                continue;
            }

            double dot = 0;
            for (int x = 0; x < s.HeadDim; x++)
            {
                long keyIndex = KeyIndex(s, b, g, c, x, out bool isPrefix);
                dot += q[(row * s.HeadDim) + x] * (isPrefix ? pk[keyIndex] : k[keyIndex]);
            }

            scores[c] = (dot * scale) + (additive == null ? 0 : additive[maskRow + c]);
        }

        return scores;
    }

    private static long RowIndex(AttentionShape s, int b, int h, int i) => (((long)b * s.Heads) + h) * s.SequenceLength + i;

    private static long KeyIndex(AttentionShape s, int b, int g, int c, int x, out bool isPrefix)
    {
        isPrefix = c < s.PrefixLength;
        return isPrefix
            ? (((long)g * s.PrefixLength) + c) * s.HeadDim + x
            : (((((long)b * s.KvHeads) + g) * s.SequenceLength) + (c - s.PrefixLength)) * s.HeadDim + x;
    }

    private static double ValueAt(AttentionShape s, double[] v, double[] pv, int b, int g, int c, int x)
    {
        long index = KeyIndex(s, b, g, c, x, out bool isPrefix);
        return isPrefix ? pv[index] : v[index];
    }
}
