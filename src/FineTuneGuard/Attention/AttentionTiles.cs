using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Attention;

/// <summary>
/// Tile geometry and the per-row masking shared by the forward and backward passes. Keys are processed in tiles of at
/// most <see cref="KeyColumns"/> columns, prefix tiles first, then token tiles; each tile is packed once and met by the
/// blocks of <see cref="QueryRows"/> query rows that can see it (a block on the diagonal only up to its last row). Only
/// one tile of scores (QueryRows x KeyColumns) exists at a time, next to O(t) per-row statistics.
/// </summary>
internal static unsafe class AttentionTiles
{
    /// <summary>Query rows per block.</summary>
    public const int QueryRows = 32;

    /// <summary>Keys per tile (a multiple of <see cref="AttentionTileKernels.PanelAlignment"/>).</summary>
    public const int KeyColumns = 64;

    /// <summary>Forward scratch floats per work item: key panel, score tile, and per-row running max and sum (2t).</summary>
    public static int ForwardScratchLength(int headDim, int sequenceLength)
        => (headDim * KeyColumns) + (QueryRows * KeyColumns) + (2 * sequenceLength);

    /// <summary>Backward scratch floats per work item: key and value panels, P and dS tiles, the row terms D (t).</summary>
    public static int BackwardScratchLength(int headDim, int sequenceLength)
        => (2 * headDim * KeyColumns) + (2 * QueryRows * KeyColumns) + sequenceLength;

    /// <summary>
    /// Applies the causal rule and the user mask to the <paramref name="count"/> scaled scores of one query row of a tile:
    /// columns at or beyond <paramref name="visible"/> (keys after the query) become -∞; the additive mask is added to
    /// the visible ones, the boolean mask sets disallowed ones to -∞. <paramref name="maskOffset"/> is the mask element
    /// of the tile's first column for this row.
    /// </summary>
    public static void MaskRow(float* row, int count, int visible, in AttentionBuffers buffers, nint maskOffset)
    {
        for (int x = Math.Max(visible, 0); x < count; x++)
        {
            row[x] = float.NegativeInfinity;
        }

        if (visible <= 0)
        {
            return;
        }

        if (buffers.AdditiveMask != null)
        {
            var scores = new Span<float>(row, visible);
            TensorPrimitives.Add(scores, new ReadOnlySpan<float>(buffers.AdditiveMask + maskOffset, visible), scores);
        }
        else if (buffers.AllowedMask != null)
        {
            bool* allowed = buffers.AllowedMask + maskOffset;
            for (int x = 0; x < visible; x++)
            {
                if (!allowed[x])
                {
                    row[x] = float.NegativeInfinity;
                }
            }
        }
    }

    /// <summary>Offset of the mask element (row <paramref name="query"/>, column 0) of sequence <paramref name="batch"/>.</summary>
    public static nint MaskRowOffset(in AttentionBuffers buffers, AttentionShape shape, int batch, int query)
    {
        nint keys = shape.KeyCount;
        nint plane = buffers.MaskPerBatch ? (nint)batch * shape.SequenceLength * keys : 0;
        return plane + (query * keys);
    }
}
