using System.Numerics.Tensors;
using FineTuneGuard.Kernels;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The few row-wise steps of the tiny model that are not kernels of the runtime: embedding lookup and its scatter,
/// bias add and its column sum, and the tanh derivative. All are element-wise or indexing; every matrix product
/// goes through the runtime's <c>Gemm</c> / <c>Lora</c> kernels.
/// </summary>
internal static class RowOps
{
    /// <summary>input[row] = concat(embedding[context[row, 0]], ..., embedding[context[row, C-1]]).</summary>
    public static void GatherEmbeddings(ReadOnlySpan<int> contexts, int rows, ReadOnlySpan<float> embedding, Span<float> input)
    {
        const int e = ModelDimensions.Embedding;
        for (int i = 0; i < rows * ModelDimensions.Context; i++)
        {
            embedding.Slice(contexts[i] * e, e).CopyTo(input.Slice(i * e, e));
        }
    }

    /// <summary>The embedding gradient: each slot's input gradient added to the row of the token in that slot (accumulates).</summary>
    public static void ScatterEmbeddingGradient(ReadOnlySpan<int> contexts, int rows, ReadOnlySpan<float> gradInput, Span<float> gradEmbedding)
    {
        const int e = ModelDimensions.Embedding;
        for (int i = 0; i < rows * ModelDimensions.Context; i++)
        {
            Span<float> target = gradEmbedding.Slice(contexts[i] * e, e);
            TensorPrimitives.Add(target, gradInput.Slice(i * e, e), target);
        }
    }

    /// <summary>values[row] += bias for every row.</summary>
    public static void AddBias(Span<float> values, int rows, ReadOnlySpan<float> bias)
    {
        for (int row = 0; row < rows; row++)
        {
            Span<float> r = values.Slice(row * bias.Length, bias.Length);
            TensorPrimitives.Add(r, bias, r);
        }
    }

    /// <summary>The bias gradient: the column sums of the output gradient, added to <paramref name="gradBias"/> (accumulates).</summary>
    public static void BiasGradient(ReadOnlySpan<float> grad, int rows, Span<float> gradBias)
    {
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(gradBias, grad.Slice(row * gradBias.Length, gradBias.Length), gradBias);
        }
    }

    /// <summary>Back through tanh in place: grad ⊙= (1 − h²), where h = tanh(pre-activation) was kept by the forward pass.</summary>
    public static void TanhBackward(Span<float> grad, ReadOnlySpan<float> hidden)
    {
        for (int i = 0; i < grad.Length; i++)
        {
            grad[i] *= 1f - (hidden[i] * hidden[i]);
        }
    }
}
