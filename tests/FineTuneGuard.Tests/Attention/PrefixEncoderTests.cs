using FineTuneGuard.Attention;
using FineTuneGuard.Internal;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>The reparameterisation MLP: counts, layout, fold, and gradients through the attention by finite differences.</summary>
public class PrefixEncoderTests
{
    [Theory]
    [InlineData(2, 3, 2, 3, 4)]
    [InlineData(24, 16, 16, 64, 512)]
    [InlineData(32, 16, 32, 128, 1)]
    public void BufferLengthsAddUpToTheSharedParameterCount(int layers, int p, int kvHeads, int headDim, int hidden)
    {
        var shape = new PrefixEncoderShape(layers, p, kvHeads, headDim, hidden);
        long buffers = (long)shape.EmbeddingLength + shape.FirstWeightLength + shape.FirstBiasLength + shape.SecondWeightLength + shape.SecondBiasLength;
        Assert.Equal(ParameterArithmetic.Prefix(layers, p, kvHeads, headDim, hidden), buffers);
        Assert.Equal(buffers, shape.TrainableParameterCount);
        Assert.Equal(shape.Prefix.Length, shape.Prefix.TrainableParameterCount());
        Assert.Equal(ParameterArithmetic.Prefix(layers, p, kvHeads, headDim, 0), shape.Prefix.Length);
    }

    [Fact]
    public void ForwardWritesPeftsPermutedLayout()
    {
        var shape = new PrefixEncoderShape(3, 4, 2, 5, 6);
        var mlp = new Mlp(shape, seed: 1);
        var prefixes = new float[shape.Prefix.Length];
        var hidden = new float[shape.HiddenLength];
        PrefixEncoder.Forward(shape, mlp.E, mlp.W1, mlp.B1, mlp.W2, mlp.B2, hidden, prefixes);
        double[,] y = mlp.ReferenceOutput();

        // PEFT: Y.view(p, layers·2, kvHeads, d).permute(1, 2, 0, 3) -> [layers·2, kvHeads, p, d]; split(2) gives (keys, values) per layer.
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            ReadOnlySpan<float> keys = LayerPrefixes.Keys(shape.Prefix, prefixes, layer);
            ReadOnlySpan<float> values = LayerPrefixes.Values(shape.Prefix, prefixes, layer);
            for (int g = 0; g < shape.KvHeads; g++)
            {
                for (int r = 0; r < shape.PrefixLength; r++)
                {
                    for (int j = 0; j < shape.HeadDim; j++)
                    {
                        int at = ((g * shape.PrefixLength) + r) * shape.HeadDim + j;
                        double key = y[r, ((((layer * 2) + 0) * shape.KvHeads) + g) * shape.HeadDim + j];
                        double value = y[r, ((((layer * 2) + 1) * shape.KvHeads) + g) * shape.HeadDim + j];
                        Assert.True(Math.Abs(key - keys[at]) <= 1e-5 * Math.Max(1, Math.Abs(key)), $"layer {layer} key ({g}, {r}, {j})");
                        Assert.True(Math.Abs(value - values[at]) <= 1e-5 * Math.Max(1, Math.Abs(value)), $"layer {layer} value ({g}, {r}, {j})");
                    }
                }
            }
        }

        var folded = new float[shape.Prefix.Length];
        PrefixEncoder.Fold(shape, mlp.E, mlp.W1, mlp.B1, mlp.W2, mlp.B2, folded);
        Close.BitEqual("folded", prefixes, folded);
    }

    /// <summary>
    /// L = Σ dO∘attention(layer 1, prefixes = MLP(E)); the chain LayerPrefixes.Backward → PrefixEncoder.Backward must match
    /// central differences of the double reference (MLP and full-matrix attention) for E, W₁, b₁, W₂ and b₂.
    /// </summary>
    [Fact]
    public void GradientsThroughAttentionMatchFiniteDifferences()
    {
        var encoder = new PrefixEncoderShape(2, 3, 2, 4, 5);
        var attention = new AttentionShape(2, 4, 2, 5, 4, 3);
        var mlp = new Mlp(encoder, seed: 2);
        var data = new AttentionTestData(attention, seed: 3);
        const int layer = 1;

        var prefixes = new float[encoder.Prefix.Length];
        var hidden = new float[encoder.HiddenLength];
        PrefixEncoder.Forward(encoder, mlp.E, mlp.W1, mlp.B1, mlp.W2, mlp.B2, hidden, prefixes);
        var output = new float[attention.QueryLength];
        var lse = new float[attention.LogSumExpLength];
        LayerPrefixes.Forward(encoder.Prefix, prefixes, layer, attention, data.Q, data.K, data.V, output, lse);
        var dq = new float[attention.QueryLength];
        var dk = new float[attention.KeyValueLength];
        var dv = new float[attention.KeyValueLength];
        var prefixGradients = new float[encoder.Prefix.Length];
        LayerPrefixes.Backward(encoder.Prefix, prefixes, layer, attention, data.Q, data.K, data.V, output, lse, data.DOutput, dq, dk, dv, prefixGradients);
        var dE = new float[encoder.EmbeddingLength];
        var dW1 = new float[encoder.FirstWeightLength];
        var dB1 = new float[encoder.FirstBiasLength];
        var dW2 = new float[encoder.SecondWeightLength];
        var dB2 = new float[encoder.SecondBiasLength];
        PrefixEncoder.Backward(encoder, mlp.E, mlp.W1, mlp.W2, hidden, prefixGradients, dE, dW1, dB1, dW2, dB2);

        // Gradients of the other layer's prefix are zero, so its part of W₂/b₂ must get none.
        int layerWidth = 2 * encoder.TokenDim;
        Assert.All(dB2.Take(layerWidth), x => Assert.Equal(0f, x));

        double[] e = AttentionTestData.D(mlp.E), w1 = AttentionTestData.D(mlp.W1), b1 = AttentionTestData.D(mlp.B1);
        double[] w2 = AttentionTestData.D(mlp.W2), b2 = AttentionTestData.D(mlp.B2);
        double[] q = AttentionTestData.D(data.Q), k = AttentionTestData.D(data.K), v = AttentionTestData.D(data.V), dO = AttentionTestData.D(data.DOutput);
        double Loss()
        {
            double[] all = Mlp.ReferencePrefixes(encoder, e, w1, b1, w2, b2);
            int length = encoder.Prefix.LayerLength;
            double[] keys = all.Skip(2 * layer * length).Take(length).ToArray();
            double[] values = all.Skip(((2 * layer) + 1) * length).Take(length).ToArray();
            return AttentionReference.Forward(attention, q, k, v, keys, values).Output.Zip(dO, (o, g) => o * g).Sum();
        }

        Check("E", e, dE);
        Check("W1", w1, dW1);
        Check("b1", b1, dB1);
        Check("W2", w2, dW2);
        Check("b2", b2, dB2);

        void Check(string name, double[] input, float[] kernel)
        {
            const double h = 1e-5;
            var numeric = new double[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                double saved = input[i];
                input[i] = saved + h;
                double plus = Loss();
                input[i] = saved - h;
                double minus = Loss();
                input[i] = saved;
                numeric[i] = (plus - minus) / (2 * h);
            }

            Close.All($"d{name}", numeric, kernel, 2e-5, 5e-4);
        }
    }

    [Fact]
    public void InitializationFollowsPyTorchDefaults()
    {
        var shape = new PrefixEncoderShape(2, 8, 4, 16, 32);
        var mlp = new Mlp(shape, seed: 4);
        PrefixEncoder.Initialize(shape, mlp.E, mlp.W1, mlp.B1, mlp.W2, mlp.B2, new SeededRandom(5));
        float first = 1f / MathF.Sqrt(shape.TokenDim);
        float second = 1f / MathF.Sqrt(shape.Hidden);
        Assert.All(mlp.W1.Concat(mlp.B1), x => Assert.InRange(x, -first, first));
        Assert.All(mlp.W2.Concat(mlp.B2), x => Assert.InRange(x, -second, second));
        double mean = mlp.E.Average();
        double variance = mlp.E.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(variance, 0.8, 1.2); // 512 draws of N(0, 1)
    }

    [Fact]
    public void WrongBuffersAreRefusedNamingTheShape()
    {
        var shape = new PrefixEncoderShape(2, 3, 2, 4, 5);
        var mlp = new Mlp(shape, seed: 6);
        var error = Assert.Throws<ArgumentException>(() => PrefixEncoder.Fold(shape, mlp.E, mlp.W1, mlp.B1, mlp.W2, mlp.B2, new float[shape.Prefix.Length - 1]));
        Assert.Equal("prefixes", error.ParamName);
        Assert.Contains(shape.ToString(), error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => PrefixEncoder.Fold(shape, mlp.E, mlp.W2, mlp.B1, mlp.W2, mlp.B2, new float[shape.Prefix.Length]));
        Assert.Equal("firstWeight", error.ParamName);
        Assert.Contains("[hidden=5 x tokenDim=8]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Random MLP parameters and the double reference of the MLP.</summary>
    private sealed class Mlp
    {
        public Mlp(PrefixEncoderShape shape, ulong seed)
        {
            Shape = shape;
            var random = new SeededRandom(seed);
            E = AttentionTestData.Fill(random, shape.EmbeddingLength, 1f);
            W1 = AttentionTestData.Fill(random, shape.FirstWeightLength, 0.5f);
            B1 = AttentionTestData.Fill(random, shape.FirstBiasLength, 0.5f);
            W2 = AttentionTestData.Fill(random, shape.SecondWeightLength, 0.5f);
            B2 = AttentionTestData.Fill(random, shape.SecondBiasLength, 0.5f);
        }

        public PrefixEncoderShape Shape { get; }

        public float[] E { get; }

        public float[] W1 { get; }

        public float[] B1 { get; }

        public float[] W2 { get; }

        public float[] B2 { get; }

        public double[,] ReferenceOutput()
            => Output(Shape, AttentionTestData.D(E), AttentionTestData.D(W1), AttentionTestData.D(B1), AttentionTestData.D(W2), AttentionTestData.D(B2));

        public static double[,] Output(PrefixEncoderShape s, double[] e, double[] w1, double[] b1, double[] w2, double[] b2)
        {
            var y = new double[s.PrefixLength, s.OutputDim];
            for (int r = 0; r < s.PrefixLength; r++)
            {
                var h = new double[s.Hidden];
                for (int k = 0; k < s.Hidden; k++)
                {
                    double sum = b1[k];
                    for (int i = 0; i < s.TokenDim; i++)
                    {
                        sum += w1[(k * s.TokenDim) + i] * e[(r * s.TokenDim) + i];
                    }

                    h[k] = Math.Tanh(sum);
                }

                for (int o = 0; o < s.OutputDim; o++)
                {
                    double sum = b2[o];
                    for (int k = 0; k < s.Hidden; k++)
                    {
                        sum += w2[(o * s.Hidden) + k] * h[k];
                    }

                    y[r, o] = sum;
                }
            }

            return y;
        }

        public static double[] ReferencePrefixes(PrefixEncoderShape s, double[] e, double[] w1, double[] b1, double[] w2, double[] b2)
        {
            double[,] y = Output(s, e, w1, b1, w2, b2);
            var prefixes = new double[s.Prefix.Length];
            int blocks = s.Layers * 2 * s.KvHeads;
            for (int block = 0; block < blocks; block++)
            {
                for (int r = 0; r < s.PrefixLength; r++)
                {
                    for (int j = 0; j < s.HeadDim; j++)
                    {
                        prefixes[(((block * s.PrefixLength) + r) * s.HeadDim) + j] = y[r, (block * s.HeadDim) + j];
                    }
                }
            }

            return prefixes;
        }
    }
}
