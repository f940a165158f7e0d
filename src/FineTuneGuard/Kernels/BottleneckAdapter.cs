using System;
using System.Buffers;
using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Validation;

namespace FineTuneGuard;

/// <summary>
/// Bottleneck adapter (Houlsby et al., 2019) on row-major float32 spans: y = x + act(x·downᵀ + b_d)·upᵀ + b_u with
/// down (b x d), up (d x b) and optional biases (an empty bias span means "no bias"). The forward keeps the
/// pre-activation h = x·downᵀ + b_d (rows x b) for the backward. Outputs must not overlap inputs.
/// Gradients overwrite their buffers. No allocation in steady state (scratch from <see cref="ArrayPool{T}"/>).
/// </summary>
public static class BottleneckAdapter
{
    /// <summary>
    /// Fills down with U(−1/√d, 1/√d) (PyTorch's nn.Linear default, Kaiming-uniform a = √5). Initialise up to zero so the
    /// adapter starts as the identity.
    /// </summary>
    public static void InitializeDown(AdapterShape shape, Span<float> down, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Validate(shape);
        Guard.Shape(down.Length, shape.Bottleneck, shape.ModelDim);
        float bound = 1f / MathF.Sqrt(shape.ModelDim);
        random.FillUniform(down, -bound, bound);
    }

    /// <summary>
    /// h = x·downᵀ + b_d (written to <paramref name="preActivation"/>), y = x + act(h)·upᵀ + b_u. y is first set to
    /// x + b_u, then the up projection accumulates into it inside the GEMM (beta = 1): one pass over y.
    /// </summary>
    public static unsafe void Forward(AdapterShape shape, AdapterActivation activation, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> down, ReadOnlySpan<float> downBias, ReadOnlySpan<float> up, ReadOnlySpan<float> upBias, Span<float> preActivation, Span<float> y)
    {
        Validate(shape);
        Guard.Positive(rows);
        int d = shape.ModelDim, b = shape.Bottleneck;
        Guard.Shape(x.Length, rows, d);
        Guard.Shape(down.Length, b, d);
        OptionalBias(downBias.Length, b);
        Guard.Shape(up.Length, d, b);
        OptionalBias(upBias.Length, d);
        Guard.Shape(preActivation.Length, rows, b);
        Guard.Shape(y.Length, rows, d);

        float[] hiddenBuffer = ArrayPool<float>.Shared.Rent(rows * b);
        try
        {
            Span<float> hidden = hiddenBuffer.AsSpan(0, rows * b);
            fixed (float* px = x, pdown = down, pup = up, ppre = preActivation, phidden = hidden, py = y)
            {
                GemmTerm downTerm = new(px, d, false, pdown, d, true, d, 1f);
                GemmDriver.Run(rows, b, 1f, 0f, ppre, b, downTerm, default, 1);
                AddToRows(preActivation, downBias, rows);
                AdapterActivations.Apply(activation, preActivation, hidden);

                if (upBias.IsEmpty)
                {
                    x.CopyTo(y);
                }
                else
                {
                    for (int i = 0; i < rows; i++)
                    {
                        TensorPrimitives.Add(x.Slice(i * d, d), upBias, y.Slice(i * d, d));
                    }
                }

                GemmTerm upTerm = new(phidden, b, false, pup, b, true, b, 1f);
                GemmDriver.Run(rows, d, 1f, 1f, py, d, upTerm, default, 1);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(hiddenBuffer);
        }
    }

    /// <summary>
    /// Gradients given dy (rows x d) and the forward's pre-activation h: with g = (dy·up) ⊙ act'(h),
    /// dUp = dyᵀ·act(h) (d x b), dUpBias = Σ_rows dy, dDown = gᵀ·x (b x d), dDownBias = Σ_rows g, dx = dy + g·down.
    /// Bias gradients may be empty (adapter without bias) and <paramref name="dx"/> may be empty to skip it.
    /// </summary>
    public static unsafe void Backward(AdapterShape shape, AdapterActivation activation, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> down, ReadOnlySpan<float> up, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> dy, Span<float> dDown, Span<float> dDownBias, Span<float> dUp, Span<float> dUpBias, Span<float> dx)
    {
        Validate(shape);
        Guard.Positive(rows);
        int d = shape.ModelDim, b = shape.Bottleneck;
        Guard.Shape(x.Length, rows, d);
        Guard.Shape(down.Length, b, d);
        Guard.Shape(up.Length, d, b);
        Guard.Shape(preActivation.Length, rows, b);
        Guard.Shape(dy.Length, rows, d);
        Guard.Shape(dDown.Length, b, d);
        OptionalBias(dDownBias.Length, b);
        Guard.Shape(dUp.Length, d, b);
        OptionalBias(dUpBias.Length, d);
        if (!dx.IsEmpty)
        {
            Guard.Shape(dx.Length, rows, d);
        }

        float[] scratch = ArrayPool<float>.Shared.Rent(2 * rows * b);
        try
        {
            Span<float> hidden = scratch.AsSpan(0, rows * b);
            Span<float> g = scratch.AsSpan(rows * b, rows * b);
            AdapterActivations.Apply(activation, preActivation, hidden);
            fixed (float* px = x, pdown = down, pup = up, pdy = dy, pdDown = dDown, pdUp = dUp, pdx = dx, phidden = hidden, pg = g)
            {
                // dUp (d x b) = dyᵀ·act(h).
                GemmTerm dUpTerm = new(pdy, d, true, phidden, b, false, rows, 1f);
                GemmDriver.Run(d, b, 1f, 0f, pdUp, b, dUpTerm, default, 1);

                // g (rows x b) = (dy·up) ⊙ act'(h).
                GemmTerm gTerm = new(pdy, d, false, pup, b, false, d, 1f);
                GemmDriver.Run(rows, b, 1f, 0f, pg, b, gTerm, default, 1);
                AdapterActivations.MultiplyByDerivative(activation, preActivation, g);

                // dDown (b x d) = gᵀ·x.
                GemmTerm dDownTerm = new(pg, b, true, px, d, false, rows, 1f);
                GemmDriver.Run(b, d, 1f, 0f, pdDown, d, dDownTerm, default, 1);

                if (!dx.IsEmpty)
                {
                    // dx = dy + g·down: the residual path, then the down projection's gradient accumulated (beta = 1).
                    dy.CopyTo(dx);
                    GemmTerm dxTerm = new(pg, b, false, pdown, d, false, b, 1f);
                    GemmDriver.Run(rows, d, 1f, 1f, pdx, d, dxTerm, default, 1);
                }
            }

            SumRows(dy, rows, d, dUpBias);
            SumRows(g, rows, b, dDownBias);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static void Validate(AdapterShape shape)
    {
        Guard.Positive(shape.ModelDim);
        Guard.Positive(shape.Bottleneck);
    }

    // A bias is either absent (empty) or exactly one value per feature.
    private static void OptionalBias(int actualLength, int length, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(actualLength))] string? name = null)
    {
        if (actualLength != 0)
        {
            Guard.Length(actualLength, length, name);
        }
    }

    private static void AddToRows(Span<float> matrix, ReadOnlySpan<float> bias, int rows)
    {
        if (bias.IsEmpty)
        {
            return;
        }

        int cols = bias.Length;
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = matrix.Slice(i * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    // sums[j] = Σ_i matrix[i, j]; nothing when sums is empty (no bias).
    private static void SumRows(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums)
    {
        if (sums.IsEmpty)
        {
            return;
        }

        sums.Clear();
        for (int i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(sums, matrix.Slice(i * cols, cols), sums);
        }
    }
}
