using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The adapter non-linearities and their derivatives on spans, through <see cref="TensorPrimitives"/> wherever it has
/// the operation (Max, Tanh, Multiply, Add...); GELU is composed from them in stack chunks (TensorPrimitives has no erf).
/// </summary>
internal static class AdapterActivations
{
    private const int Chunk = 256;

    // √(2/π) and the cubic coefficient of the tanh approximation of GELU.
    private const float GeluScale = 0.7978845608028654f;
    private const float GeluCubic = 0.044715f;

    /// <summary>output = act(input); the spans may be the same.</summary>
    public static void Apply(AdapterActivation activation, ReadOnlySpan<float> input, Span<float> output)
    {
        switch (activation)
        {
            case AdapterActivation.Relu:
                TensorPrimitives.Max(input, 0f, output);
                break;
            case AdapterActivation.Tanh:
                TensorPrimitives.Tanh(input, output);
                break;
            case AdapterActivation.Identity:
                input.CopyTo(output);
                break;
            case AdapterActivation.Gelu:
                Span<float> t = stackalloc float[Chunk];
                for (int start = 0; start < input.Length; start += Chunk)
                {
                    int length = Math.Min(Chunk, input.Length - start);
                    ReadOnlySpan<float> x = input.Slice(start, length);
                    Span<float> u = t[..length];
                    GeluTanh(x, u);
                    TensorPrimitives.Add(u, 1f, u);
                    TensorPrimitives.Multiply(u, x, u);
                    TensorPrimitives.Multiply(u, 0.5f, output.Slice(start, length));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown adapter activation.");
        }
    }

    /// <summary>gradient ⊙= act'(input), in place (gradient and input are distinct buffers).</summary>
    public static void MultiplyByDerivative(AdapterActivation activation, ReadOnlySpan<float> input, Span<float> gradient)
    {
        switch (activation)
        {
            case AdapterActivation.Identity:
                break;
            case AdapterActivation.Relu:
                // act'(x) = 1 for x > 0, else 0 (the subgradient at 0 is 0, as in PyTorch).
                for (int i = 0; i < input.Length; i++)
                {
                    gradient[i] = input[i] > 0f ? gradient[i] : 0f;
                }

                break;
            case AdapterActivation.Tanh:
            {
                Span<float> t = stackalloc float[Chunk];
                for (int start = 0; start < input.Length; start += Chunk)
                {
                    int length = Math.Min(Chunk, input.Length - start);
                    Span<float> d = t[..length];
                    TensorPrimitives.Tanh(input.Slice(start, length), d);
                    TensorPrimitives.Multiply(d, d, d);
                    TensorPrimitives.Subtract(1f, d, d);
                    Span<float> g = gradient.Slice(start, length);
                    TensorPrimitives.Multiply(g, d, g);
                }

                break;
            }

            case AdapterActivation.Gelu:
            {
                // d/dx 0.5x(1 + t) = 0.5(1 + t) + 0.5x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³)).
                Span<float> t = stackalloc float[Chunk];
                for (int start = 0; start < input.Length; start += Chunk)
                {
                    int length = Math.Min(Chunk, input.Length - start);
                    ReadOnlySpan<float> x = input.Slice(start, length);
                    GeluTanh(x, t[..length]);
                    for (int i = 0; i < length; i++)
                    {
                        float xi = x[i], ti = t[i];
                        float derivative = (0.5f * (1f + ti)) + (0.5f * xi * (1f - (ti * ti)) * GeluScale * (1f + (3f * GeluCubic * xi * xi)));
                        gradient[start + i] *= derivative;
                    }
                }

                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown adapter activation.");
        }
    }

    // t = tanh(√(2/π)·(x + 0.044715·x³)).
    private static void GeluTanh(ReadOnlySpan<float> x, Span<float> t)
    {
        TensorPrimitives.Multiply(x, x, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.MultiplyAdd(t, GeluCubic, x, t);
        TensorPrimitives.Multiply(t, GeluScale, t);
        TensorPrimitives.Tanh(t, t);
    }
}
