using System;
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Attention;

/// <summary>
/// The streaming (FlashAttention-style) forward of one (batch, head): for each block of query rows it walks the key
/// tiles keeping, per row, the running maximum m, the running sum l = Σ e^{s−m} and the unnormalised output
/// acc = Σ e^{s−m}·v. A new tile with row maximum m̃ updates m' = max(m, m̃), l' = l·e^{m−m'} + Σ e^{s−m'} and
/// acc' = acc·e^{m−m'} + Σ e^{s−m'}·v; at the end o = acc / l and logsumexp = m + ln l, which the backward uses to
/// recompute the probabilities tile by tile.
/// </summary>
internal unsafe struct FlashForward : IAttentionWork
{
    public AttentionShape Shape;
    public AttentionBuffers Buffers;
    public AttentionLanes Lanes;

    public readonly void Run(int item)
    {
        float[] rented = ArrayPool<float>.Shared.Rent(AttentionTiles.ForwardScratchLength(Shape.HeadDim));
        try
        {
            fixed (float* scratch = rented)
            {
                switch (Lanes)
                {
                    case AttentionLanes.Vector512:
                        Head<Lanes512, Vector512<float>>(item, scratch);
                        break;
                    case AttentionLanes.Vector256:
                        Head<Lanes256, Vector256<float>>(item, scratch);
                        break;
                    default:
                        Head<Lanes1, float>(item, scratch);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private readonly void Head<TLanes, TVector>(int item, float* scratch)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        AttentionShape shape = Shape;
        int t = shape.SequenceLength;
        int d = shape.HeadDim;
        int p = shape.PrefixLength;
        int batch = item / shape.Heads;
        int head = item % shape.Heads;
        int kvHead = head / shape.GroupSize;
        nint headOffset = (nint)item * t * d;
        nint kvOffset = ((nint)batch * shape.KvHeads + kvHead) * t * d;
        float* q = Buffers.Q + headOffset;
        float* output = Buffers.Output + headOffset;
        float* keys = Buffers.K + kvOffset;
        float* values = Buffers.V + kvOffset;
        float* prefixKeys = Buffers.PrefixKeys + ((nint)kvHead * p * d);
        float* prefixValues = Buffers.PrefixValues + ((nint)kvHead * p * d);

        float* panel = scratch;
        float* scores = panel + (d * AttentionTiles.KeyColumns);
        float* acc = scores + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
        float* max = acc + (AttentionTiles.QueryRows * d);
        float* sum = max + AttentionTiles.QueryRows;

        for (int i0 = 0; i0 < t; i0 += AttentionTiles.QueryRows)
        {
            int rows = Math.Min(AttentionTiles.QueryRows, t - i0);
            new Span<float>(acc, rows * d).Clear();
            new Span<float>(max, rows).Fill(float.NegativeInfinity);
            new Span<float>(sum, rows).Clear();
            var block = new Block(batch, i0, rows, q + ((nint)i0 * d), acc, max, sum, panel, scores);

            // Prefix slots: visible to every query, no causal rule.
            for (int c0 = 0; c0 < p; c0 += AttentionTiles.KeyColumns)
            {
                int count = Math.Min(AttentionTiles.KeyColumns, p - c0);
                Tile<TLanes, TVector>(block, prefixKeys + ((nint)c0 * d), prefixValues + ((nint)c0 * d), count, c0, -1);
            }

            // Tokens up to the last diagonal of the block: key j is visible to query i when j <= i.
            int end = i0 + rows;
            for (int j0 = 0; j0 < end; j0 += AttentionTiles.KeyColumns)
            {
                int count = Math.Min(AttentionTiles.KeyColumns, end - j0);
                Tile<TLanes, TVector>(block, keys + ((nint)j0 * d), values + ((nint)j0 * d), count, p + j0, j0);
            }

            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r;
                var outRow = new Span<float>(output + ((nint)i * d), d);
                var accRow = new ReadOnlySpan<float>(acc + ((nint)r * d), d);
                if (sum[r] > 0f)
                {
                    TensorPrimitives.Multiply(accRow, 1f / sum[r], outRow);
                }
                else
                {
                    // No visible key at all (everything masked): defined as output 0, logsumexp -inf.
                    outRow.Clear();
                }

                if (Buffers.LogSumExp != null)
                {
                    Buffers.LogSumExp[((nint)item * t) + i] = sum[r] > 0f ? max[r] + MathF.Log(sum[r]) : float.NegativeInfinity;
                }
            }
        }
    }

    private readonly void Tile<TLanes, TVector>(in Block block, float* keys, float* values, int count, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        int padded = AttentionTileKernels.PaddedCount(count);
        AttentionTileKernels.PackTransposed(keys, d, count, d, block.Panel, padded);
        AttentionTileKernels.Scores<TLanes, TVector>(block.Queries, d, block.Rows, block.Panel, padded, d, Shape.Scale, block.Scores);
        for (int r = 0; r < block.Rows; r++)
        {
            int i = block.FirstRow + r;
            float* row = block.Scores + ((nint)r * padded);
            int visible = sequenceStart < 0 ? count : Math.Min(count, i - sequenceStart + 1);
            AttentionTiles.MaskRow(row, count, visible, Buffers, AttentionTiles.MaskRowOffset(Buffers, Shape, block.Batch, i) + maskColumn);
            var scores = new Span<float>(row, count);
            float previous = block.Max[r];
            float next = MathF.Max(previous, TensorPrimitives.Max<float>(scores));
            if (float.IsNegativeInfinity(next))
            {
                // Nothing visible yet in this row: no weight, the running state stays (m = -inf, l = 0, acc = 0).
                scores.Clear();
                continue;
            }

            float rescale = MathF.Exp(previous - next);
            TensorPrimitives.Subtract(scores, next, scores);
            TensorPrimitives.Exp(scores, scores);
            block.Sum[r] = (block.Sum[r] * rescale) + TensorPrimitives.Sum<float>(scores);
            if (rescale != 1f)
            {
                var accRow = new Span<float>(block.Acc + ((nint)r * d), d);
                TensorPrimitives.Multiply(accRow, rescale, accRow);
            }

            block.Max[r] = next;
        }

        AttentionTileKernels.Accumulate<TLanes, TVector>(block.Acc, d, block.Rows, block.Scores, padded, count, values, d, d);
    }

    /// <summary>The per-block state a tile updates.</summary>
    private readonly struct Block(int batch, int firstRow, int rows, float* queries, float* acc, float* max, float* sum, float* panel, float* scores)
    {
        public readonly int Batch = batch;
        public readonly int FirstRow = firstRow;
        public readonly int Rows = rows;
        public readonly float* Queries = queries;
        public readonly float* Acc = acc;
        public readonly float* Max = max;
        public readonly float* Sum = sum;
        public readonly float* Panel = panel;
        public readonly float* Scores = scores;
    }
}
