using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// Clipping by global norm as PyTorch's <c>clip_grad_norm_</c>: ‖g‖ = √(Σ over every trainable parameter of Σ g²);
/// when ‖g‖ &gt; maxNorm every gradient is scaled by maxNorm / (‖g‖ + 1e-6).
/// </summary>
public static class GradientClipping
{
    // Squares are summed in float over blocks of this many elements and the blocks in double, so that a 16M-element
    // gradient keeps double-like accuracy at float speed.
    private const int Block = 4096;

    /// <summary>
    /// Clips the gradients of the trainable <paramref name="parameters"/> in place and returns the norm before
    /// clipping. A non-finite norm (a NaN or infinite gradient) is returned and nothing is scaled, so the caller can
    /// skip the step.
    /// </summary>
    /// <param name="parameters">Parameters whose gradients to clip; frozen ones are ignored.</param>
    /// <param name="maxNorm">Largest allowed global norm, &gt; 0.</param>
    public static float ClipByGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Guard.PositiveFinite(maxNorm);
        double sumOfSquares = 0;
        foreach (Parameter parameter in parameters)
        {
            if (parameter.Trainable)
            {
                sumOfSquares += SumOfSquares(parameter.Gradient);
            }
        }

        double norm = Math.Sqrt(sumOfSquares);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            foreach (Parameter parameter in parameters)
            {
                if (parameter.Trainable)
                {
                    TensorPrimitives.Multiply(parameter.Gradient, scale, parameter.Gradient);
                }
            }
        }

        return (float)norm;
    }

    /// <summary>Clips every gradient an optimizer updates; allocation-free.</summary>
    /// <param name="optimizer">The optimizer whose groups' gradients to clip.</param>
    /// <param name="maxNorm">Largest allowed global norm, &gt; 0.</param>
    public static float ClipByGlobalNorm(AdamW optimizer, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Guard.PositiveFinite(maxNorm);
        IReadOnlyList<ParameterGroup> groups = optimizer.Groups;
        double sumOfSquares = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            IReadOnlyList<Parameter> parameters = groups[g].Parameters;
            for (int p = 0; p < parameters.Count; p++)
            {
                sumOfSquares += SumOfSquares(parameters[p].Gradient);
            }
        }

        double norm = Math.Sqrt(sumOfSquares);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            for (int g = 0; g < groups.Count; g++)
            {
                IReadOnlyList<Parameter> parameters = groups[g].Parameters;
                for (int p = 0; p < parameters.Count; p++)
                {
                    TensorPrimitives.Multiply(parameters[p].Gradient, scale, parameters[p].Gradient);
                }
            }
        }

        return (float)norm;
    }

    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double total = 0;
        for (int start = 0; start < values.Length; start += Block)
        {
            total += TensorPrimitives.SumOfSquares(values.Slice(start, Math.Min(Block, values.Length - start)));
        }

        return total;
    }
}
