using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>Random inputs of one attention call, as float (for the kernel) and the same values as double (for the reference).</summary>
internal sealed class AttentionTestData
{
    public AttentionTestData(AttentionShape shape, ulong seed, float std = 1f)
    {
        Shape = shape;
        var random = new SeededRandom(seed);
        Q = Fill(random, shape.QueryLength, std);
        K = Fill(random, shape.KeyValueLength, std);
        V = Fill(random, shape.KeyValueLength, 1f);
        PrefixKeys = Fill(random, shape.PrefixKeyValueLength, std);
        PrefixValues = Fill(random, shape.PrefixKeyValueLength, 1f);
        DOutput = Fill(random, shape.QueryLength, 1f);
    }

    public AttentionShape Shape { get; }

    public float[] Q { get; }

    public float[] K { get; }

    public float[] V { get; }

    public float[] PrefixKeys { get; }

    public float[] PrefixValues { get; }

    public float[] DOutput { get; }

    public static double[] D(float[] values) => values.Select(x => (double)x).ToArray();

    public static float[] Fill(SeededRandom random, int length, float std)
    {
        var values = new float[length];
        random.FillNormal(values, 0f, std);
        return values;
    }

    public AttentionReference.Result Reference(double[]? additive = null, bool[]? allowed = null)
        => AttentionReference.Forward(Shape, D(Q), D(K), D(V), D(PrefixKeys), D(PrefixValues), additive, allowed);

    public AttentionReference.Gradients ReferenceGradients(double[]? additive = null, bool[]? allowed = null)
        => AttentionReference.Backward(Shape, D(Q), D(K), D(V), D(PrefixKeys), D(PrefixValues), D(DOutput), additive, allowed);

    /// <summary>Runs the kernel's forward and backward; returns output, lse and all gradients.</summary>
    public Run Compute(AttentionLanes lanes = AttentionLanes.Auto, int degree = 1, float[]? additive = null, bool[]? allowed = null)
    {
        var run = new Run(Shape);
        AttentionMask mask = additive != null ? AttentionMask.Additive(additive) : allowed != null ? AttentionMask.Allowed(allowed) : default;
        CausalAttention.ForwardCore(Shape, Q, K, V, PrefixKeys, PrefixValues, run.Output, run.LogSumExp, mask, lanes, degree);
        CausalAttention.BackwardCore(
            Shape, Q, K, V, PrefixKeys, PrefixValues, run.Output, run.LogSumExp, DOutput,
            run.Dq, run.Dk, run.Dv, run.DPrefixKeys, run.DPrefixValues, mask, lanes, degree);
        return run;
    }

    internal sealed class Run(AttentionShape shape)
    {
        public float[] Output { get; } = new float[shape.QueryLength];

        public float[] LogSumExp { get; } = new float[shape.LogSumExpLength];

        public float[] Dq { get; } = new float[shape.QueryLength];

        public float[] Dk { get; } = new float[shape.KeyValueLength];

        public float[] Dv { get; } = new float[shape.KeyValueLength];

        public float[] DPrefixKeys { get; } = new float[shape.PrefixKeyValueLength];

        public float[] DPrefixValues { get; } = new float[shape.PrefixKeyValueLength];
    }
}

/// <summary>Tolerance assertions that name the buffer and the first offending element.</summary>
internal static class Close
{
    public static void All(string name, double[] expected, float[] actual, double absolute, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i];
            double a = actual[i];
            if (double.IsNegativeInfinity(e) || double.IsNegativeInfinity(a))
            {
                Assert.True(e == a, $"{name}[{i}]: expected {e}, got {a}");
                continue;
            }

            double tolerance = absolute + (relative * Math.Abs(e));
            Assert.True(Math.Abs(e - a) <= tolerance, $"{name}[{i}]: expected {e}, got {a} (tolerance {tolerance})");
        }
    }

    public static void BitEqual(string name, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{name}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
