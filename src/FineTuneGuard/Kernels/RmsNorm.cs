using System;
using System.Numerics.Tensors;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Root-mean-square layer normalisation as transformers' <c>LlamaRMSNorm</c> computes it, over row-major
/// [rows x dim] activations: y[r,i] = weight[i] · x[r,i] / sqrt(mean_i(x[r,i]²) + ε).
/// The mean of squares is accumulated in float32 (vectorised partial sums, as <c>LlamaRMSNorm</c> in float32).
/// </summary>
public static class RmsNorm
{
    /// <summary>
    /// y[r,i] = weight[i] · x[r,i] · inverseRms[r] with inverseRms[r] = 1 / sqrt(mean_i(x[r,i]²) + ε), saved for
    /// <see cref="Backward"/>.
    /// </summary>
    /// <param name="rows">Rows (tokens).</param>
    /// <param name="dim">Features per row.</param>
    /// <param name="epsilon">ε added to the mean of squares (<c>rms_norm_eps</c>), finite and &gt; 0.</param>
    /// <param name="x">Input [rows x dim].</param>
    /// <param name="weight">Scale [dim].</param>
    /// <param name="y">Output [rows x dim], overwritten.</param>
    /// <param name="inverseRms">Per-row 1/rms [rows], overwritten.</param>
    public static void Forward(int rows, int dim, float epsilon, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> inverseRms)
    {
        Guard.Positive(rows);
        Guard.Positive(dim);
        Guard.PositiveFinite(epsilon);
        Guard.Shape(x.Length, rows, dim);
        Guard.Length(weight.Length, dim);
        Guard.Shape(y.Length, rows, dim);
        Guard.Length(inverseRms.Length, rows);

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * dim, dim);
            Span<float> yr = y.Slice(r * dim, dim);
            float meanSquare = TensorPrimitives.SumOfSquares(xr) / dim;
            float inv = 1f / MathF.Sqrt(meanSquare + epsilon);
            inverseRms[r] = inv;

            // (x · inv) first, then · weight: the order LlamaRMSNorm rounds in.
            TensorPrimitives.Multiply(xr, inv, yr);
            TensorPrimitives.Multiply(yr, weight, yr);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>. With ρ = inverseRms[r]:
    /// dx[r,j] = ρ·weight[j]·dy[r,j] − ρ³·x[r,j]/dim · Σ_i dy[r,i]·weight[i]·x[r,i] (overwritten);
    /// dWeight[i] += Σ_r dy[r,i]·x[r,i]·ρ (accumulated; skipped when <paramref name="dWeight"/> is empty, for a frozen norm).
    /// </summary>
    /// <param name="rows">Rows (tokens).</param>
    /// <param name="dim">Features per row.</param>
    /// <param name="x">The forward input [rows x dim].</param>
    /// <param name="weight">Scale [dim].</param>
    /// <param name="inverseRms">The forward's per-row 1/rms [rows].</param>
    /// <param name="dy">Gradient of the output [rows x dim].</param>
    /// <param name="dx">Gradient of the input [rows x dim], overwritten.</param>
    /// <param name="dWeight">Gradient of the scale [dim], accumulated, or empty.</param>
    public static void Backward(int rows, int dim, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> inverseRms, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dWeight)
    {
        Guard.Positive(rows);
        Guard.Positive(dim);
        Guard.Shape(x.Length, rows, dim);
        Guard.Length(weight.Length, dim);
        Guard.Length(inverseRms.Length, rows);
        Guard.Shape(dy.Length, rows, dim);
        Guard.Shape(dx.Length, rows, dim);
        bool accumulateWeight = !dWeight.IsEmpty;
        if (accumulateWeight)
        {
            Guard.Length(dWeight.Length, dim);
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * dim, dim);
            ReadOnlySpan<float> dyr = dy.Slice(r * dim, dim);
            Span<float> dxr = dx.Slice(r * dim, dim);
            float rho = inverseRms[r];

            // dx holds ρ·dy first: it is dWeight's term (· x) and, times weight, the first term of dx.
            TensorPrimitives.Multiply(dyr, rho, dxr);
            if (accumulateWeight)
            {
                TensorPrimitives.MultiplyAdd(dxr, xr, dWeight, dWeight);
            }

            TensorPrimitives.Multiply(dxr, weight, dxr);

            // Σ ρ·w·dy·x, times ρ²/dim, is the coefficient of x in the second term.
            float coefficient = -TensorPrimitives.Dot(dxr, xr) * rho * rho / dim;
            TensorPrimitives.MultiplyAdd(xr, coefficient, dxr, dxr);
        }
    }
}
