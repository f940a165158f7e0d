using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Products with a tiny dimension (the LoRA rank), where a packed GEMM would waste most of a register tile:
/// C (m x r) = X (m x k) · Aᵀ with A r x k is m·r dot products of length k, each streaming a row of X from L1 and a row
/// of A from L2. Deterministic: every element is one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </summary>
internal static class SkinnyProducts
{
    /// <summary>c[i·r + j] = scale·Σ_p x[i·k + p]·a[j·k + p] for i &lt; m, j &lt; r.</summary>
    public static void MultiplyTransposed(int m, int r, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> a, Span<float> c, float scale = 1f)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * k, k);
            Span<float> output = c.Slice(i * r, r);
            for (int j = 0; j < r; j++)
            {
                output[j] = scale * TensorPrimitives.Dot(row, a.Slice(j * k, k));
            }
        }
    }

    /// <summary>Writes the transpose of a rows x cols matrix: dst[j·rows + i] = src[i·cols + j].</summary>
    public static void Transpose(int rows, int cols, ReadOnlySpan<float> src, Span<float> dst)
    {
        // Tiles of 16 x 16 keep both the reads and the strided writes inside a few cache lines.
        const int Tile = 16;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(cols, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[(i * cols) + j];
                    }
                }
            }
        }
    }
}
