using System.Reflection;
using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;
using FineTuneGuard.SourceGenerators.Tests.Generators;

namespace FineTuneGuard.SourceGenerators.Tests.EndToEnd;

/// <summary>
/// [PrefixTuning] and [PromptTuning] classes compiled through the generator and executed: forward/backward through the
/// generated members equal the direct <see cref="LayerPrefixes"/> / <see cref="PrefixEncoder"/> /
/// <see cref="SoftPrompt"/> / <see cref="CausalAttention"/> calls bit for bit, and the trainable gradients written by
/// the generated backward agree with central finite differences of a loss evaluated through the generated forward.
/// </summary>
public class PrefixPromptEndToEndTests
{
    // Prefix: 3 layers, p = 4, kvHeads = 2, odd head width 5. Encoded prefix: 2 layers, p = 3, kvHeads = 2, headDim 4,
    // MLP hidden 6. Prompt: 3 virtual tokens of width 8 (= 2 heads x 4 in the prompted attention below).
    private const string Probe = """
        using System;
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        using FineTuneGuard.Attention;
        namespace E2E;

        [PrefixTuning(3, 4, 2, 5)]
        public partial class Prefix { }

        [PrefixTuning(2, 3, 2, 4, ProjectionHidden = 6)]
        public partial class EncodedPrefix { }

        [PromptTuning(3, 8)]
        public partial class Soft { }

        public static class Probe
        {
            public static float[][] PrefixInitial(ulong seed)
            {
                var prefix = new Prefix(seed);
                return new[] { prefix.KeyValues, prefix.GradKeyValues, prefix.Keys(1).ToArray(), prefix.Values(2).ToArray() };
            }

            public static float[][] PrefixForward(float[] keyValues, int layer, int batch, int heads, int t, float[] q, float[] k, float[] v, float[]? mask)
            {
                var prefix = new Prefix(1);
                keyValues.CopyTo(prefix.KeyValues, 0);
                var shape = new AttentionShape(batch, heads, Prefix.Heads, t, Prefix.HeadDim, Prefix.PrefixLength);
                var output = new float[shape.QueryLength];
                var logSumExp = new float[shape.LogSumExpLength];
                prefix.AttentionForward(layer, shape, q, k, v, output, logSumExp, mask is null ? AttentionMask.None : AttentionMask.Additive(mask));
                return new[] { output, logSumExp };
            }

            public static float[][] PrefixBackward(float[] keyValues, int layer, int batch, int heads, int t, float[] q, float[] k, float[] v, float[] dOutput, float[]? mask)
            {
                var prefix = new Prefix(1);
                keyValues.CopyTo(prefix.KeyValues, 0);
                var shape = new AttentionShape(batch, heads, Prefix.Heads, t, Prefix.HeadDim, Prefix.PrefixLength);
                var output = new float[shape.QueryLength];
                var logSumExp = new float[shape.LogSumExpLength];
                var dq = new float[q.Length];
                var dk = new float[k.Length];
                var dv = new float[v.Length];
                AttentionMask m = mask is null ? AttentionMask.None : AttentionMask.Additive(mask);
                prefix.AttentionForward(layer, shape, q, k, v, output, logSumExp, m);
                prefix.AttentionBackward(layer, shape, q, k, v, output, logSumExp, dOutput, dq, dk, dv, m);
                return new[] { dq, dk, dv, prefix.GradKeyValues };
            }

            public static void PrefixWrongHeadDim()
            {
                var prefix = new Prefix(1);
                var shape = new AttentionShape(1, 2, 2, 3, 6, Prefix.PrefixLength);
                prefix.AttentionForward(0, shape, new float[shape.QueryLength], new float[shape.KeyValueLength], new float[shape.KeyValueLength],
                    new float[shape.QueryLength], new float[shape.LogSumExpLength], AttentionMask.None);
            }

            public static float[][] EncodedInitial(ulong seed)
            {
                var prefix = new EncodedPrefix(seed);
                return new[] { prefix.PrefixEmbedding, prefix.ProjectionDown, prefix.ProjectionDownBias, prefix.ProjectionUp, prefix.ProjectionUpBias, prefix.KeyValues };
            }

            /// <summary>
            /// One training step of the encoded prefix: MLP → prefixes, every layer attends (q/k/v/dOutput per layer),
            /// loss = Σ_l Σ output_l·dOutput_l, backward through attention and the MLP.
            /// Returns { loss (hi, lo), outputs of all layers, KeyValues, GradKeyValues, GradPrefixEmbedding, GradProjectionDown,
            /// GradProjectionDownBias, GradProjectionUp, GradProjectionUpBias }.
            /// </summary>
            public static float[][] EncodedStep(float[][] parameters, int batch, int heads, int t, float[][] q, float[][] k, float[][] v, float[][] dOutput)
            {
                var prefix = new EncodedPrefix(1);
                parameters[0].CopyTo(prefix.PrefixEmbedding, 0);
                parameters[1].CopyTo(prefix.ProjectionDown, 0);
                parameters[2].CopyTo(prefix.ProjectionDownBias, 0);
                parameters[3].CopyTo(prefix.ProjectionUp, 0);
                parameters[4].CopyTo(prefix.ProjectionUpBias, 0);
                var shape = new AttentionShape(batch, heads, EncodedPrefix.Heads, t, EncodedPrefix.HeadDim, EncodedPrefix.PrefixLength);
                var outputs = new float[EncodedPrefix.Layers * shape.QueryLength];
                var logSumExps = new float[EncodedPrefix.Layers * shape.LogSumExpLength];
                prefix.EncoderForward();
                double loss = 0;
                for (int layer = 0; layer < EncodedPrefix.Layers; layer++)
                {
                    Span<float> output = outputs.AsSpan(layer * shape.QueryLength, shape.QueryLength);
                    prefix.AttentionForward(layer, shape, q[layer], k[layer], v[layer], output, logSumExps.AsSpan(layer * shape.LogSumExpLength, shape.LogSumExpLength), AttentionMask.None);
                    for (int i = 0; i < output.Length; i++)
                    {
                        loss += (double)output[i] * dOutput[layer][i];
                    }
                }

                for (int layer = 0; layer < EncodedPrefix.Layers; layer++)
                {
                    prefix.AttentionBackward(layer, shape, q[layer], k[layer], v[layer], outputs.AsSpan(layer * shape.QueryLength, shape.QueryLength),
                        logSumExps.AsSpan(layer * shape.LogSumExpLength, shape.LogSumExpLength), dOutput[layer],
                        new float[shape.QueryLength], new float[shape.KeyValueLength], new float[shape.KeyValueLength], AttentionMask.None);
                }

                prefix.EncoderBackward();
                return new[]
                {
                    new[] { (float)loss, (float)(loss - (float)loss) }, outputs, prefix.KeyValues, prefix.GradKeyValues, prefix.GradPrefixEmbedding, prefix.GradProjectionDown,
                    prefix.GradProjectionDownBias, prefix.GradProjectionUp, prefix.GradProjectionUpBias,
                };
            }

            public static float[][] EncodedFold(ulong seed)
            {
                var prefix = new EncodedPrefix(seed);
                prefix.Fold();
                return new[] { prefix.KeyValues };
            }

            public static float[][] PromptPrepend(float[] prompt, int batch, int tokens, float[] embeddings)
            {
                var soft = new Soft(1);
                prompt.CopyTo(soft.Embeddings, 0);
                var output = new float[batch * (Soft.VirtualTokens + tokens) * Soft.EmbeddingDim];
                soft.Prepend(batch, tokens, embeddings, output);
                return new[] { output };
            }

            public static int[][] PromptPositionsAndLabels(int batch, int tokens, int[] labels)
            {
                var soft = new Soft(1);
                var positions = new int[Soft.VirtualTokens + tokens];
                soft.Positions(tokens, positions);
                var prepended = new int[batch * (Soft.VirtualTokens + tokens)];
                soft.PrependLabels(batch, tokens, labels, prepended);
                return new[] { positions, prepended };
            }

            /// <summary>
            /// Y = [P; X], split into 2 heads of width 4 and used as q = k = v of causal attention, loss = Σ output·dOutput;
            /// backward through attention, the head split and the generated slice. Returns { loss (hi, lo), GradEmbeddings, dX, dY }.
            /// </summary>
            public static float[][] PromptStep(float[] prompt, int batch, int tokens, float[] x, float[] dOutput, bool inputGradient)
            {
                const int heads = 2, d = 4;
                var soft = new Soft(1);
                prompt.CopyTo(soft.Embeddings, 0);
                int total = Soft.VirtualTokens + tokens;
                var y = new float[batch * total * Soft.EmbeddingDim];
                soft.Prepend(batch, tokens, x, y);
                var shape = new AttentionShape(batch, heads, heads, total, d);
                var qkv = new float[shape.QueryLength];
                for (int b = 0; b < batch; b++)
                    for (int h = 0; h < heads; h++)
                        for (int i = 0; i < total; i++)
                            for (int j = 0; j < d; j++)
                                qkv[(((b * heads) + h) * total + i) * d + j] = y[((b * total) + i) * Soft.EmbeddingDim + (h * d) + j];

                var output = new float[shape.QueryLength];
                var logSumExp = new float[shape.LogSumExpLength];
                CausalAttention.Forward(shape, qkv, qkv, qkv, default, default, output, logSumExp);
                double loss = 0;
                for (int i = 0; i < output.Length; i++)
                {
                    loss += (double)output[i] * dOutput[i];
                }

                var dq = new float[shape.QueryLength];
                var dk = new float[shape.KeyValueLength];
                var dv = new float[shape.KeyValueLength];
                CausalAttention.Backward(shape, qkv, qkv, qkv, default, default, output, logSumExp, dOutput, dq, dk, dv, default, default);
                var dy = new float[y.Length];
                for (int b = 0; b < batch; b++)
                    for (int h = 0; h < heads; h++)
                        for (int i = 0; i < total; i++)
                            for (int j = 0; j < d; j++)
                            {
                                int a = (((b * heads) + h) * total + i) * d + j;
                                dy[((b * total) + i) * Soft.EmbeddingDim + (h * d) + j] = dq[a] + dk[a] + dv[a];
                            }

                var dx = inputGradient ? new float[x.Length] : Array.Empty<float>();
                soft.BackwardSlice(batch, tokens, dy, dx);
                return new[] { new[] { (float)loss, (float)(loss - (float)loss) }, soft.GradEmbeddings, dx, dy };
            }
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() => GeneratedAssembly.Load(Probe));

    private static readonly PrefixShape PrefixLayout = new(3, 4, 2, 5);

    private static readonly PrefixEncoderShape EncodedLayout = new(2, 3, 2, 4, 6);

    private static float[] Random(int length, ulong seed, float low = -1f, float high = 1f)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, low, high);
        return values;
    }

    private static float[][] Call(string method, params object?[] args) => Compiled.Value.Call<float[][]>("E2E.Probe", method, args!);

    /// <summary>The probe's loss, returned as a float pair hi + lo so that no precision is lost to float.</summary>
    private static double StepLoss(float[][] step) => (double)step[0][0] + step[0][1];

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    private static void BitEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>|a − n| ≤ 2e-3 + 2e-2·|n|: float attention, central differences with h = 1e-2 (error O(h²)).</summary>
    private static void CloseToDifference(double numeric, float analytic, string what)
        => Assert.True(Math.Abs(analytic - numeric) <= 2e-3 + (2e-2 * Math.Abs(numeric)), $"{what}: analytic {analytic} vs numeric {numeric}");

    /// <summary>A shared additive mask over the p + t key columns: small finite biases and one dropped prefix column per row.</summary>
    private static float[] Mask(int t, int p, ulong seed)
    {
        float[] mask = Random(t * (p + t), seed, -0.5f, 0f);
        for (int i = 0; i < t; i++)
        {
            mask[(i * (p + t)) + (i % p)] = float.NegativeInfinity;
        }

        return mask;
    }

    [Fact]
    public void PrefixStorageIsTheLayerPrefixesLayoutDrawnFromTheSeed()
    {
        float[][] initial = Call("PrefixInitial", 7UL);
        Assert.Equal(PrefixLayout.Length, initial[0].Length);
        var expected = new float[PrefixLayout.Length];
        new SeededRandom(7).FillNormal(expected, 0f, 1f);
        Assert.Equal(expected, initial[0]);
        Assert.All(initial[1], g => Assert.Equal(0f, g));
        Assert.Equal(PrefixLayout.Length, initial[1].Length);

        // [layers x 2 x kvHeads x p x headDim]: the views are LayerPrefixes' slices (PEFT's past_key_values without batch).
        Assert.Equal(LayerPrefixes.Keys(PrefixLayout, initial[0], 1).ToArray(), initial[2]);
        Assert.Equal(LayerPrefixes.Values(PrefixLayout, initial[0], 2).ToArray(), initial[3]);
        Assert.Equal(initial[0][((((2 * 2) + 1) * 2) + 1) * 4 * 5 + (3 * 5) + 4], initial[3][(((1 * 4) + 3) * 5) + 4]);
    }

    /// <summary>
    /// The storage is read as <c>[layers x 2 x kvHeads x p x headDim]</c>: the generated forward of layer 2 equals a naive
    /// softmax attention (doubles, full score row) that takes prefix key r of kv head g from
    /// <c>KeyValues[(((l·2 + 0)·kvHeads + g)·p + r)·headDim + j]</c> and its value from part 1, query head h using kv head h / 2.
    /// </summary>
    [Fact]
    public void PrefixStorageIsReadAsLayersTwoKvHeadsSlotsHeadDim()
    {
        const int layer = 2, heads = 4, kvHeads = 2, t = 3, d = 5, p = 4;
        var attention = new AttentionShape(1, heads, kvHeads, t, d, p);
        float[] keyValues = Random(PrefixLayout.Length, 101);
        float[] q = Random(attention.QueryLength, 102), k = Random(attention.KeyValueLength, 103), v = Random(attention.KeyValueLength, 104);
        float[] output = Call("PrefixForward", keyValues, layer, 1, heads, t, q, k, v, null)[0];
        double scale = 1.0 / Math.Sqrt(d);
        for (int h = 0; h < heads; h++)
        {
            int g = h / (heads / kvHeads);
            for (int i = 0; i < t; i++)
            {
                var keys = new List<(Func<int, float> Key, Func<int, float> Value)>();
                for (int r = 0; r < p; r++)
                {
                    int slot = r;
                    keys.Add((j => keyValues[(((((layer * 2) + 0) * kvHeads) + g) * p + slot) * d + j], j => keyValues[(((((layer * 2) + 1) * kvHeads) + g) * p + slot) * d + j]));
                }

                for (int s = 0; s <= i; s++)
                {
                    int token = s;
                    keys.Add((j => k[((g * t) + token) * d + j], j => v[((g * t) + token) * d + j]));
                }

                double[] scores = keys.Select(key => scale * Enumerable.Range(0, d).Sum(j => (double)q[((h * t) + i) * d + j] * key.Key(j))).ToArray();
                double max = scores.Max();
                double[] weights = scores.Select(x => Math.Exp(x - max)).ToArray();
                double total = weights.Sum();
                for (int j = 0; j < d; j++)
                {
                    double expected = Enumerable.Range(0, keys.Count).Sum(n => weights[n] * keys[n].Value(j)) / total;
                    Assert.Equal(expected, output[((h * t) + i) * d + j], 1e-5);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 2, 2, 6, false)] // heads = kvHeads
    [InlineData(1, 2, 4, 5, true)] // GQA: 4 query heads over 2 kv heads, masked
    [InlineData(2, 1, 2, 1, false)] // t = 1
    [InlineData(2, 3, 6, 3, true)] // groups of 3
    public void PrefixForwardAndBackwardAreTheRuntimeKernels(int layer, int batch, int heads, int t, bool masked)
    {
        var attention = new AttentionShape(batch, heads, PrefixLayout.KvHeads, t, PrefixLayout.HeadDim, PrefixLayout.PrefixLength);
        float[] keyValues = Random(PrefixLayout.Length, 1);
        float[] q = Random(attention.QueryLength, 2), k = Random(attention.KeyValueLength, 3), v = Random(attention.KeyValueLength, 4);
        float[] dOutput = Random(attention.QueryLength, 5);
        float[]? mask = masked ? Mask(t, PrefixLayout.PrefixLength, 6) : null;

        float[][] forward = Call("PrefixForward", keyValues, layer, batch, heads, t, q, k, v, mask);
        float[] output = new float[attention.QueryLength], logSumExp = new float[attention.LogSumExpLength];
        LayerPrefixes.Forward(PrefixLayout, keyValues, layer, attention, q, k, v, output, logSumExp, masked ? AttentionMask.Additive(mask!) : default);
        BitEqual(output, forward[0]);
        BitEqual(logSumExp, forward[1]);

        float[][] backward = Call("PrefixBackward", keyValues, layer, batch, heads, t, q, k, v, dOutput, mask);
        float[] dq = new float[q.Length], dk = new float[k.Length], dv = new float[v.Length], prefixGradients = new float[PrefixLayout.Length];
        LayerPrefixes.Backward(PrefixLayout, keyValues, layer, attention, q, k, v, output, logSumExp, dOutput, dq, dk, dv, prefixGradients,
            masked ? AttentionMask.Additive(mask!) : default);
        BitEqual(dq, backward[0]);
        BitEqual(dk, backward[1]);
        BitEqual(dv, backward[2]);
        BitEqual(prefixGradients, backward[3]);

        // Only this layer's slice of the gradient storage is written, and it is not trivially zero.
        for (int other = 0; other < PrefixLayout.Layers; other++)
        {
            bool written = other == layer;
            Assert.Equal(written, LayerPrefixes.Keys(PrefixLayout, backward[3], other).ToArray().Any(g => g != 0f));
            Assert.Equal(written, LayerPrefixes.Values(PrefixLayout, backward[3], other).ToArray().Any(g => g != 0f));
        }
    }

    [Theory]
    [InlineData(1, 2, 4, 3, false)]
    [InlineData(2, 2, 2, 1, true)]
    public void PrefixGradientsThroughTheGeneratedClassMatchFiniteDifferences(int layer, int batch, int heads, int t, bool masked)
    {
        var attention = new AttentionShape(batch, heads, PrefixLayout.KvHeads, t, PrefixLayout.HeadDim, PrefixLayout.PrefixLength);
        float[] keyValues = Random(PrefixLayout.Length, 11);
        float[] q = Random(attention.QueryLength, 12), k = Random(attention.KeyValueLength, 13), v = Random(attention.KeyValueLength, 14);
        float[] dOutput = Random(attention.QueryLength, 15);
        float[]? mask = masked ? Mask(t, PrefixLayout.PrefixLength, 16) : null;
        float[] gradient = Call("PrefixBackward", keyValues, layer, batch, heads, t, q, k, v, dOutput, mask)[3];

        double Loss(float[] kv) => Dot(Call("PrefixForward", kv, layer, batch, heads, t, q, k, v, mask)[0], dOutput);
        int layerStart = layer * 2 * PrefixLayout.LayerLength;
        var probe = new SeededRandom(17);
        for (int n = 0; n < 24; n++)
        {
            int index = layerStart + (int)(probe.NextUInt64() % (ulong)(2 * PrefixLayout.LayerLength));
            const float h = 1e-2f;
            float[] plus = keyValues.ToArray(), minus = keyValues.ToArray();
            plus[index] += h;
            minus[index] -= h;
            double numeric = (Loss(plus) - Loss(minus)) / (plus[index] - minus[index]);
            CloseToDifference(numeric, gradient[index], $"dL/dprefix[{index}]");
        }

        // Another layer's prefix does not reach this layer's attention.
        int elsewhere = ((layer + 1) % PrefixLayout.Layers) * 2 * PrefixLayout.LayerLength;
        float[] moved = keyValues.ToArray();
        moved[elsewhere] += 1f;
        Assert.Equal(Loss(keyValues), Loss(moved));
        Assert.Equal(0f, gradient[elsewhere]);
    }

    [Fact]
    public void PrefixOfTheWrongHeadWidthIsRejectedNamingBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Compiled.Value.Call<object>("E2E.Probe", "PrefixWrongHeadDim"));
        Assert.Contains(PrefixLayout.ToString(), ex.Message);
        Assert.Contains(new AttentionShape(1, 2, 2, 3, 6, 4).ToString(), ex.Message);
    }

    private static float[][] EncoderParameters(ulong seed)
    {
        var parameters = new[]
        {
            new float[EncodedLayout.EmbeddingLength], new float[EncodedLayout.FirstWeightLength], new float[EncodedLayout.FirstBiasLength],
            new float[EncodedLayout.SecondWeightLength], new float[EncodedLayout.SecondBiasLength],
        };
        PrefixEncoder.Initialize(EncodedLayout, parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], new SeededRandom(seed));
        return parameters;
    }

    [Fact]
    public void EncodedPrefixIsInitialisedAsTheRuntimeEncoderWithTheSameLayout()
    {
        float[][] initial = Call("EncodedInitial", 21UL);
        float[][] expected = EncoderParameters(21);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], initial[i]);
        }

        Assert.Equal(EncodedLayout.Prefix.Length, initial[5].Length);
    }

    [Fact]
    public void EncodedPrefixFoldIsTheRuntimeFold()
    {
        float[][] parameters = EncoderParameters(22);
        var prefixes = new float[EncodedLayout.Prefix.Length];
        PrefixEncoder.Fold(EncodedLayout, parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], prefixes);
        BitEqual(prefixes, Call("EncodedFold", 22UL)[0]);
        Assert.Contains(prefixes, x => x != 0f);
    }

    private sealed record EncodedInputs(int Batch, int Heads, int T, float[][] Q, float[][] K, float[][] V, float[][] DOutput)
    {
        public AttentionShape Attention => new(Batch, Heads, EncodedLayout.KvHeads, T, EncodedLayout.HeadDim, EncodedLayout.PrefixLength);

        public static EncodedInputs Create(int batch, int heads, int t, ulong seed)
        {
            var attention = new AttentionShape(batch, heads, EncodedLayout.KvHeads, t, EncodedLayout.HeadDim, EncodedLayout.PrefixLength);
            float[][] Per(int length, ulong offset) => Enumerable.Range(0, EncodedLayout.Layers).Select(l => Random(length, seed + offset + (ulong)(10 * l))).ToArray();
            return new EncodedInputs(batch, heads, t, Per(attention.QueryLength, 1), Per(attention.KeyValueLength, 2), Per(attention.KeyValueLength, 3), Per(attention.QueryLength, 4));
        }

        public float[][] Step(float[][] parameters) => Call("EncodedStep", parameters, Batch, Heads, T, Q, K, V, DOutput);
    }

    [Fact]
    public void EncodedPrefixStepIsTheRuntimeEncoderAndAttention()
    {
        float[][] parameters = EncoderParameters(31);
        var inputs = EncodedInputs.Create(2, 4, 3, 40);
        float[][] step = inputs.Step(parameters);

        AttentionShape attention = inputs.Attention;
        var hidden = new float[EncodedLayout.HiddenLength];
        var prefixes = new float[EncodedLayout.Prefix.Length];
        PrefixEncoder.Forward(EncodedLayout, parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], hidden, prefixes);
        BitEqual(prefixes, step[2]);

        var outputs = new float[EncodedLayout.Layers * attention.QueryLength];
        var logSumExps = new float[EncodedLayout.Layers * attention.LogSumExpLength];
        var prefixGradients = new float[prefixes.Length];
        for (int layer = 0; layer < EncodedLayout.Layers; layer++)
        {
            Span<float> output = outputs.AsSpan(layer * attention.QueryLength, attention.QueryLength);
            Span<float> logSumExp = logSumExps.AsSpan(layer * attention.LogSumExpLength, attention.LogSumExpLength);
            LayerPrefixes.Forward(EncodedLayout.Prefix, prefixes, layer, attention, inputs.Q[layer], inputs.K[layer], inputs.V[layer], output, logSumExp);
            LayerPrefixes.Backward(EncodedLayout.Prefix, prefixes, layer, attention, inputs.Q[layer], inputs.K[layer], inputs.V[layer], output, logSumExp,
                inputs.DOutput[layer], new float[attention.QueryLength], new float[attention.KeyValueLength], new float[attention.KeyValueLength], prefixGradients);
        }

        BitEqual(outputs, step[1]);
        BitEqual(prefixGradients, step[3]);
        float[][] gradients =
        [
            new float[EncodedLayout.EmbeddingLength], new float[EncodedLayout.FirstWeightLength], new float[EncodedLayout.FirstBiasLength],
            new float[EncodedLayout.SecondWeightLength], new float[EncodedLayout.SecondBiasLength],
        ];
        PrefixEncoder.Backward(EncodedLayout, parameters[0], parameters[1], parameters[3], hidden, prefixGradients,
            gradients[0], gradients[1], gradients[2], gradients[3], gradients[4]);
        for (int i = 0; i < gradients.Length; i++)
        {
            BitEqual(gradients[i], step[4 + i]);
        }
    }

    [Fact]
    public void EncodedPrefixGradientsThroughTheGeneratedClassMatchFiniteDifferences()
    {
        float[][] parameters = EncoderParameters(51);
        var inputs = EncodedInputs.Create(1, 2, 3, 60);
        float[][] step = inputs.Step(parameters);
        string[] names = ["PrefixEmbedding", "ProjectionDown", "ProjectionDownBias", "ProjectionUp", "ProjectionUpBias"];
        var probe = new SeededRandom(52);
        for (int tensor = 0; tensor < parameters.Length; tensor++)
        {
            for (int n = 0; n < 6; n++)
            {
                int index = (int)(probe.NextUInt64() % (ulong)parameters[tensor].Length);
                const float h = 1e-2f;
                float[][] plus = parameters.Select(p => p.ToArray()).ToArray(), minus = parameters.Select(p => p.ToArray()).ToArray();
                plus[tensor][index] += h;
                minus[tensor][index] -= h;
                double numeric = (StepLoss(inputs.Step(plus)) - StepLoss(inputs.Step(minus))) / (plus[tensor][index] - minus[tensor][index]);
                CloseToDifference(numeric, step[4 + tensor][index], $"dL/d{names[tensor]}[{index}]");
            }
        }
    }

    [Fact]
    public void PromptPrependPositionsAndLabelsAreTheRuntimeSoftPrompt()
    {
        const int batch = 2, tokens = 5;
        var shape = new SoftPromptShape(batch, 3, tokens, 8);
        float[] prompt = Random(shape.PromptLength, 71), x = Random(shape.EmbeddingsLength, 72);
        var expected = new float[shape.OutputLength];
        SoftPrompt.Prepend(shape, prompt, x, expected);
        BitEqual(expected, Call("PromptPrepend", prompt, batch, tokens, x)[0]);

        int[] labels = Enumerable.Range(0, batch * tokens).Select(i => (i * 7) % 11).ToArray();
        int[][] generated = Compiled.Value.Call<int[][]>("E2E.Probe", "PromptPositionsAndLabels", batch, tokens, labels);
        var positions = new int[shape.TotalTokens];
        SoftPrompt.Positions(shape, positions);
        Assert.Equal(positions, generated[0]);
        var prepended = new int[batch * shape.TotalTokens];
        SoftPrompt.PrependLabels(shape, labels, prepended);
        Assert.Equal(prepended, generated[1]);
        Assert.Equal(SoftPrompt.IgnoredLabel, generated[1][shape.TotalTokens]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PromptBackwardIsTheRuntimeSlice(bool inputGradient)
    {
        const int batch = 2, tokens = 4;
        var shape = new SoftPromptShape(batch, 3, tokens, 8);
        float[] prompt = Random(shape.PromptLength, 81), x = Random(shape.EmbeddingsLength, 82);
        float[] dOutput = Random(shape.OutputLength, 83);
        float[][] step = Call("PromptStep", prompt, batch, tokens, x, dOutput, inputGradient);
        var promptGradient = new float[shape.PromptLength];
        float[] embeddingsGradient = inputGradient ? new float[shape.EmbeddingsLength] : [];
        SoftPrompt.BackwardSlice(shape, step[3], promptGradient, embeddingsGradient);
        BitEqual(promptGradient, step[1]);
        BitEqual(embeddingsGradient, step[2]);
        Assert.Contains(promptGradient, g => g != 0f);
    }

    [Fact]
    public void PromptGradientsThroughTheGeneratedClassMatchFiniteDifferences()
    {
        const int batch = 2, tokens = 3;
        var shape = new SoftPromptShape(batch, 3, tokens, 8);
        float[] prompt = Random(shape.PromptLength, 91), x = Random(shape.EmbeddingsLength, 92);
        float[] dOutput = Random(shape.OutputLength, 93);
        float[][] step = Call("PromptStep", prompt, batch, tokens, x, dOutput, true);
        double Loss(float[] p, float[] input) => StepLoss(Call("PromptStep", p, batch, tokens, input, dOutput, false));
        const float h = 1e-2f;
        for (int index = 0; index < prompt.Length; index += 5)
        {
            float[] plus = prompt.ToArray(), minus = prompt.ToArray();
            plus[index] += h;
            minus[index] -= h;
            CloseToDifference((Loss(plus, x) - Loss(minus, x)) / (plus[index] - minus[index]), step[1][index], $"dL/dprompt[{index}]");
        }

        for (int index = 1; index < x.Length; index += 7)
        {
            float[] plus = x.ToArray(), minus = x.ToArray();
            plus[index] += h;
            minus[index] -= h;
            CloseToDifference((Loss(prompt, plus) - Loss(prompt, minus)) / (plus[index] - minus[index]), step[2][index], $"dL/dx[{index}]");
        }
    }
}
