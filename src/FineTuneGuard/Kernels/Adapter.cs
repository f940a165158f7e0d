using System;
using System.Buffers;
using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Bottleneck adapter (Houlsby et al., 2019) on row-major float32 spans: y = x + act(x·downᵀ + b_d)·upᵀ + b_u with
/// down (b x d), up (d x b) and optional biases (an empty bias span means "no bias"). The forward keeps the
/// pre-activation h = x·downᵀ + b_d (rows x b) for the backward. Outputs must not overlap inputs.
/// Gradients overwrite their buffers. No allocation in steady state (scratch from <see cref="ArrayPool{T}"/>).
/// </summary>
public static class Adapter
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
    /// h = x·downᵀ + b_d (written to <paramref name="preActivation"/>), y = x + act(h)·upᵀ + b_u. Each bias is one extra
    /// K step of its GEMM and x is the up-projection GEMM's source (beta = 1), so y is written once and x read twice.
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

        // Scratch: act(h) (rows x b) and a column of ones (rows) that turns each bias into one more K step of its GEMM,
        // [x | 1]·[down | b_d]ᵀ and [act(h) | 1]·[up | b_u]ᵀ, so no pass over h or y is spent on biases.
        float[] scratch = ArrayPool<float>.Shared.Rent((rows * b) + rows);
        try
        {
            Span<float> hidden = scratch.AsSpan(0, rows * b);
            Span<float> ones = scratch.AsSpan(rows * b, rows);
            ones.Fill(1f);
            fixed (float* px = x, pdown = down, pbd = downBias, pup = up, pbu = upBias, ppre = preActivation, phidden = hidden, pones = ones, py = y)
            {
                GemmTerm downTerm = new(px, d, false, pdown, d, true, d, 1f);
                GemmTerm downBiasTerm = new(pones, 1, false, pbd, b, false, 1, 1f);
                GemmDriver.Run(rows, b, 1f, 0f, ppre, b, downTerm, downBiasTerm, downBias.IsEmpty ? 1 : 2);
                AdapterActivations.Apply(activation, preActivation, hidden);

                // y = act(h)·upᵀ + b_u + 1·x: the residual is the GEMM's source (beta = 1), read once, never copied.
                GemmTerm upTerm = new(phidden, b, false, pup, b, true, b, 1f);
                GemmTerm upBiasTerm = new(pones, 1, false, pbu, d, false, 1, 1f);
                GemmDriver.Run(rows, d, 1f, 1f, py, d, px, d, upTerm, upBiasTerm, upBias.IsEmpty ? 1 : 2);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
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
