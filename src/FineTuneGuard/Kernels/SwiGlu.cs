using System;
using System.Numerics;
using System.Numerics.Tensors;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The gated activation of the Llama / Qwen2 MLP, <c>down(silu(gate(x)) * up(x))</c>: h = silu(gate) ⊙ up with
/// silu(g) = g·σ(g), element-wise over equal-length buffers.
/// </summary>
public static class SwiGlu
{
    /// <summary>h[i] = gate[i]·σ(gate[i])·up[i].</summary>
    /// <param name="gate">Gate projection output.</param>
    /// <param name="up">Up projection output, the length of <paramref name="gate"/>.</param>
    /// <param name="h">Output, the length of <paramref name="gate"/>, overwritten.</param>
    public static void Forward(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        Guard.Length(up.Length, gate.Length);
        Guard.Length(h.Length, gate.Length);

        TensorPrimitives.Sigmoid(gate, h);
        TensorPrimitives.Multiply(h, gate, h);
        TensorPrimitives.Multiply(h, up, h);
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>, both outputs overwritten:
    /// dGate = dh·up·σ(g)·(1 + g·(1 − σ(g))), dUp = dh·silu(g).
    /// </summary>
    /// <param name="gate">The forward's gate input.</param>
    /// <param name="up">The forward's up input.</param>
    /// <param name="dh">Gradient of h.</param>
    /// <param name="dGate">Gradient of gate, overwritten.</param>
    /// <param name="dUp">Gradient of up, overwritten.</param>
    public static void Backward(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, ReadOnlySpan<float> dh, Span<float> dGate, Span<float> dUp)
    {
        int n = gate.Length;
        Guard.Length(up.Length, n);
        Guard.Length(dh.Length, n);
        Guard.Length(dGate.Length, n);
        Guard.Length(dUp.Length, n);

        // σ(g) goes to dGate first; one fused pass then turns it into both gradients.
        TensorPrimitives.Sigmoid(gate, dGate);
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Vector<float> one = Vector<float>.One;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var s = new Vector<float>(dGate.Slice(i));
                var g = new Vector<float>(gate.Slice(i));
                var u = new Vector<float>(up.Slice(i));
                var d = new Vector<float>(dh.Slice(i));
                Vector<float> silu = g * s;
                (d * silu).CopyTo(dUp.Slice(i));
                (d * u * (s + (silu * (one - s)))).CopyTo(dGate.Slice(i));
            }
        }

        for (; i < n; i++)
        {
            float s = dGate[i], g = gate[i];
            float silu = g * s;
            dUp[i] = dh[i] * silu;
            dGate[i] = dh[i] * up[i] * (s + (silu * (1f - s)));
        }
    }
}
