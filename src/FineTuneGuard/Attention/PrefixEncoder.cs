using System;
using System.Buffers;
using System.Numerics.Tensors;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Attention;

/// <summary>
/// The reparameterisation MLP of prefix tuning (see <see cref="PrefixEncoderShape"/>), trained instead of the raw
/// prefixes for stability and folded into plain prefixes for inference:
/// <c>H = tanh(E·W₁ᵀ + b₁)</c> <c>[p x hidden]</c>, <c>Y = H·W₂ᵀ + b₂</c> <c>[p x layers·2·kvHeads·headDim]</c>, and
/// column <c>((l·2 + part)·kvHeads + g)·headDim + j</c> of row r of Y is element (g, r, j) of the keys (part 0) or
/// values (part 1) of layer l — the prefixes are written directly in the <see cref="PrefixShape"/> layout
/// (PEFT's <c>view(p, layers·2, kvHeads, headDim).permute(1, 2, 0, 3)</c>).
/// </summary>
public static class PrefixEncoder
{
    /// <summary>
    /// Y = tanh(E·W₁ᵀ + b₁)·W₂ᵀ + b₂, written as prefixes <c>[Layers x 2 x KvHeads x p x HeadDim]</c>; H is kept for
    /// <see cref="Backward"/>.
    /// </summary>
    /// <param name="shape">The MLP's shape.</param>
    /// <param name="embedding">E <c>[p x TokenDim]</c>.</param>
    /// <param name="firstWeight">W₁ <c>[Hidden x TokenDim]</c>.</param>
    /// <param name="firstBias">b₁ <c>[Hidden]</c>.</param>
    /// <param name="secondWeight">W₂ <c>[OutputDim x Hidden]</c>.</param>
    /// <param name="secondBias">b₂ <c>[OutputDim]</c>.</param>
    /// <param name="hidden">Written: H <c>[p x Hidden]</c>.</param>
    /// <param name="prefixes">Written: the prefixes of every layer.</param>
    public static void Forward(
        PrefixEncoderShape shape,
        ReadOnlySpan<float> embedding,
        ReadOnlySpan<float> firstWeight,
        ReadOnlySpan<float> firstBias,
        ReadOnlySpan<float> secondWeight,
        ReadOnlySpan<float> secondBias,
        Span<float> hidden,
        Span<float> prefixes)
    {
        CheckParameters(shape, embedding, firstWeight, firstBias, secondWeight, secondBias);
        AttentionShapeCheck.Exactly(hidden.Length, shape.HiddenLength, nameof(hidden), shape, HiddenText);
        AttentionShapeCheck.Exactly(prefixes.Length, shape.Prefix.Length, nameof(prefixes), shape, PrefixText);
        int tokenDim = shape.TokenDim;
        int width = shape.Hidden;
        int d = shape.HeadDim;
        int p = shape.PrefixLength;
        int blocks = shape.Layers * 2 * shape.KvHeads;
        for (int r = 0; r < p; r++)
        {
            ReadOnlySpan<float> e = embedding.Slice(r * tokenDim, tokenDim);
            Span<float> h = hidden.Slice(r * width, width);
            for (int k = 0; k < width; k++)
            {
                h[k] = TensorPrimitives.Dot(firstWeight.Slice(k * tokenDim, tokenDim), e) + firstBias[k];
            }

            TensorPrimitives.Tanh(h, h);
            for (int block = 0; block < blocks; block++)
            {
                Span<float> destination = prefixes.Slice(((block * p) + r) * d, d);
                for (int j = 0; j < d; j++)
                {
                    int o = (block * d) + j;
                    destination[j] = TensorPrimitives.Dot(secondWeight.Slice(o * width, width), h) + secondBias[o];
                }
            }
        }
    }

    /// <summary>
    /// Gradients of the MLP given dL/dprefixes (laid out like the prefixes), all overwritten. With dY the gradient
    /// regathered per output row: db₂ = Σᵣ dYᵣ, dW₂ = dYᵀ·H, dA = (dY·W₂)∘(1 − H²), db₁ = Σᵣ dAᵣ, dW₁ = dAᵀ·E, dE = dA·W₁.
    /// </summary>
    /// <param name="shape">The MLP's shape.</param>
    /// <param name="embedding">E of the forward call.</param>
    /// <param name="firstWeight">W₁ of the forward call.</param>
    /// <param name="secondWeight">W₂ of the forward call.</param>
    /// <param name="hidden">H saved by <see cref="Forward"/>.</param>
    /// <param name="prefixGradients">dL/dprefixes <c>[Layers x 2 x KvHeads x p x HeadDim]</c>.</param>
    /// <param name="embeddingGradient">Written: dL/dE.</param>
    /// <param name="firstWeightGradient">Written: dL/dW₁.</param>
    /// <param name="firstBiasGradient">Written: dL/db₁.</param>
    /// <param name="secondWeightGradient">Written: dL/dW₂.</param>
    /// <param name="secondBiasGradient">Written: dL/db₂.</param>
    public static void Backward(
        PrefixEncoderShape shape,
        ReadOnlySpan<float> embedding,
        ReadOnlySpan<float> firstWeight,
        ReadOnlySpan<float> secondWeight,
        ReadOnlySpan<float> hidden,
        ReadOnlySpan<float> prefixGradients,
        Span<float> embeddingGradient,
        Span<float> firstWeightGradient,
        Span<float> firstBiasGradient,
        Span<float> secondWeightGradient,
        Span<float> secondBiasGradient)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(embedding.Length, shape.EmbeddingLength, nameof(embedding), shape, EmbeddingText);
        AttentionShapeCheck.Exactly(firstWeight.Length, shape.FirstWeightLength, nameof(firstWeight), shape, FirstWeightText);
        AttentionShapeCheck.Exactly(secondWeight.Length, shape.SecondWeightLength, nameof(secondWeight), shape, SecondWeightText);
        AttentionShapeCheck.Exactly(hidden.Length, shape.HiddenLength, nameof(hidden), shape, HiddenText);
        AttentionShapeCheck.Exactly(prefixGradients.Length, shape.Prefix.Length, nameof(prefixGradients), shape, PrefixText);
        AttentionShapeCheck.Exactly(embeddingGradient.Length, shape.EmbeddingLength, nameof(embeddingGradient), shape, EmbeddingText);
        AttentionShapeCheck.Exactly(firstWeightGradient.Length, shape.FirstWeightLength, nameof(firstWeightGradient), shape, FirstWeightText);
        AttentionShapeCheck.Exactly(firstBiasGradient.Length, shape.FirstBiasLength, nameof(firstBiasGradient), shape, FirstBiasText);
        AttentionShapeCheck.Exactly(secondWeightGradient.Length, shape.SecondWeightLength, nameof(secondWeightGradient), shape, SecondWeightText);
        AttentionShapeCheck.Exactly(secondBiasGradient.Length, shape.SecondBiasLength, nameof(secondBiasGradient), shape, SecondBiasText);

        int tokenDim = shape.TokenDim;
        int width = shape.Hidden;
        int d = shape.HeadDim;
        int p = shape.PrefixLength;
        int outputs = shape.OutputDim;
        float[] rented = ArrayPool<float>.Shared.Rent(shape.HiddenLength);
        try
        {
            Span<float> activationGradient = rented.AsSpan(0, shape.HiddenLength);
            activationGradient.Clear();
            secondWeightGradient.Clear();
            for (int o = 0; o < outputs; o++)
            {
                // dY[r, o] sits at (block·p + r)·d + j of the prefix gradients, block = o / d, j = o % d.
                int block = o / d;
                int j = o - (block * d);
                Span<float> dW2 = secondWeightGradient.Slice(o * width, width);
                ReadOnlySpan<float> w2 = secondWeight.Slice(o * width, width);
                float biasGradient = 0f;
                for (int r = 0; r < p; r++)
                {
                    float dy = prefixGradients[(((block * p) + r) * d) + j];
                    biasGradient += dy;
                    TensorPrimitives.MultiplyAdd(hidden.Slice(r * width, width), dy, dW2, dW2);
                    Span<float> dH = activationGradient.Slice(r * width, width);
                    TensorPrimitives.MultiplyAdd(w2, dy, dH, dH);
                }

                secondBiasGradient[o] = biasGradient;
            }

            // Through tanh: dA = dH∘(1 − H²).
            for (int i = 0; i < activationGradient.Length; i++)
            {
                float h = hidden[i];
                activationGradient[i] *= 1f - (h * h);
            }

            firstBiasGradient.Clear();
            firstWeightGradient.Clear();
            embeddingGradient.Clear();
            for (int r = 0; r < p; r++)
            {
                ReadOnlySpan<float> dA = activationGradient.Slice(r * width, width);
                ReadOnlySpan<float> e = embedding.Slice(r * tokenDim, tokenDim);
                Span<float> dE = embeddingGradient.Slice(r * tokenDim, tokenDim);
                TensorPrimitives.Add(firstBiasGradient, dA, firstBiasGradient);
                for (int k = 0; k < width; k++)
                {
                    Span<float> dW1 = firstWeightGradient.Slice(k * tokenDim, tokenDim);
                    TensorPrimitives.MultiplyAdd(e, dA[k], dW1, dW1);
                    TensorPrimitives.MultiplyAdd(firstWeight.Slice(k * tokenDim, tokenDim), dA[k], dE, dE);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Evaluates the MLP once into plain prefixes for inference (the MLP and the embedding can then be dropped and the
    /// prefixes used with <see cref="LayerPrefixes"/> / <see cref="CausalAttention"/> directly).
    /// </summary>
    /// <param name="shape">The MLP's shape.</param>
    /// <param name="embedding">E <c>[p x TokenDim]</c>.</param>
    /// <param name="firstWeight">W₁ <c>[Hidden x TokenDim]</c>.</param>
    /// <param name="firstBias">b₁ <c>[Hidden]</c>.</param>
    /// <param name="secondWeight">W₂ <c>[OutputDim x Hidden]</c>.</param>
    /// <param name="secondBias">b₂ <c>[OutputDim]</c>.</param>
    /// <param name="prefixes">Written: the prefixes of every layer, <c>[Layers x 2 x KvHeads x p x HeadDim]</c>.</param>
    public static void Fold(
        PrefixEncoderShape shape,
        ReadOnlySpan<float> embedding,
        ReadOnlySpan<float> firstWeight,
        ReadOnlySpan<float> firstBias,
        ReadOnlySpan<float> secondWeight,
        ReadOnlySpan<float> secondBias,
        Span<float> prefixes)
    {
        shape.Validate();
        float[] rented = ArrayPool<float>.Shared.Rent(shape.HiddenLength);
        try
        {
            Forward(shape, embedding, firstWeight, firstBias, secondWeight, secondBias, rented.AsSpan(0, shape.HiddenLength), prefixes);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// PyTorch's default initialisation of these modules: E ~ N(0, 1) (<c>nn.Embedding</c>); W₁, b₁ ~ U(±1/√TokenDim) and
    /// W₂, b₂ ~ U(±1/√Hidden) (<c>nn.Linear</c>).
    /// </summary>
    /// <param name="shape">The MLP's shape.</param>
    /// <param name="embedding">Written: E.</param>
    /// <param name="firstWeight">Written: W₁.</param>
    /// <param name="firstBias">Written: b₁.</param>
    /// <param name="secondWeight">Written: W₂.</param>
    /// <param name="secondBias">Written: b₂.</param>
    /// <param name="random">The generator.</param>
    public static void Initialize(
        PrefixEncoderShape shape,
        Span<float> embedding,
        Span<float> firstWeight,
        Span<float> firstBias,
        Span<float> secondWeight,
        Span<float> secondBias,
        SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckParameters(shape, embedding, firstWeight, firstBias, secondWeight, secondBias);
        random.FillNormal(embedding, 0f, 1f);
        float first = 1f / MathF.Sqrt(shape.TokenDim);
        random.FillUniform(firstWeight, -first, first);
        random.FillUniform(firstBias, -first, first);
        float second = 1f / MathF.Sqrt(shape.Hidden);
        random.FillUniform(secondWeight, -second, second);
        random.FillUniform(secondBias, -second, second);
    }

    private static void CheckParameters(
        PrefixEncoderShape shape,
        ReadOnlySpan<float> embedding,
        ReadOnlySpan<float> firstWeight,
        ReadOnlySpan<float> firstBias,
        ReadOnlySpan<float> secondWeight,
        ReadOnlySpan<float> secondBias)
    {
        shape.Validate();
        AttentionShapeCheck.Exactly(embedding.Length, shape.EmbeddingLength, nameof(embedding), shape, EmbeddingText);
        AttentionShapeCheck.Exactly(firstWeight.Length, shape.FirstWeightLength, nameof(firstWeight), shape, FirstWeightText);
        AttentionShapeCheck.Exactly(firstBias.Length, shape.FirstBiasLength, nameof(firstBias), shape, FirstBiasText);
        AttentionShapeCheck.Exactly(secondWeight.Length, shape.SecondWeightLength, nameof(secondWeight), shape, SecondWeightText);
        AttentionShapeCheck.Exactly(secondBias.Length, shape.SecondBiasLength, nameof(secondBias), shape, SecondBiasText);
    }

    private static readonly Func<PrefixEncoderShape, string> EmbeddingText = static s => $"[p={s.PrefixLength} x tokenDim={s.TokenDim}]";
    private static readonly Func<PrefixEncoderShape, string> FirstWeightText = static s => $"[hidden={s.Hidden} x tokenDim={s.TokenDim}]";
    private static readonly Func<PrefixEncoderShape, string> FirstBiasText = static s => $"[hidden={s.Hidden}]";
    private static readonly Func<PrefixEncoderShape, string> SecondWeightText = static s => $"[outputDim={s.OutputDim} x hidden={s.Hidden}]";
    private static readonly Func<PrefixEncoderShape, string> SecondBiasText = static s => $"[outputDim={s.OutputDim}]";
    private static readonly Func<PrefixEncoderShape, string> HiddenText = static s => $"[p={s.PrefixLength} x hidden={s.Hidden}]";
    private static readonly Func<PrefixEncoderShape, string> PrefixText =
        static s => $"[layers={s.Layers} x 2 x kvHeads={s.KvHeads} x p={s.PrefixLength} x headDim={s.HeadDim}]";
}
