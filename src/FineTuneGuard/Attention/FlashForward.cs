using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Attention;

/// <summary>
/// The streaming (FlashAttention-style) forward of one (batch, head): it walks the key tiles (each packed once) and, for
/// every block of query rows that sees a tile, updates per row the running maximum m, the running sum l = Σ e^{s−m} and the unnormalised output
/// acc = Σ e^{s−m}·v. A new tile with row maximum m̃ updates m' = max(m, m̃), l' = l·e^{m−m'} + Σ e^{s−m'} and
/// acc' = acc·e^{m−m'} + Σ e^{s−m'}·v; at the end o = acc / l and logsumexp = m + ln l, which the backward uses to
/// recompute the probabilities tile by tile.
/// </summary>
internal unsafe struct FlashForward : IAttentionWork, ILaneKernel
{
    public AttentionShape Shape;
    public AttentionBuffers Buffers;
    public AttentionLanes Lanes;

    public readonly void Run(int item)
        => AttentionLaneDispatch.Run(this, Lanes, AttentionTiles.ForwardScratchLength(Shape.HeadDim, Shape.SequenceLength), item);

    /// <inheritdoc/>
    public readonly void Run<TLanes, TVector>(int item, float* scratch)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        AttentionShape shape = Shape;
        int t = shape.SequenceLength;
        int d = shape.HeadDim;
        int p = shape.PrefixLength;
        int batch = item / shape.Heads;
        int queryHead = item % shape.Heads;
        int kvHead = queryHead / shape.GroupSize;
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
        float* max = scores + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
        float* sum = max + t;

        // The output rows of this head are the unnormalised accumulators until the end.
        new Span<float>(output, t * d).Clear();
        new Span<float>(max, t).Fill(float.NegativeInfinity);
        new Span<float>(sum, t).Clear();
        var state = new HeadState(batch, q, output, max, sum, panel, scores);

        // Key tiles outermost, so each tile is packed once; every row still meets its tiles in the same order
        // (prefix tiles, then token tiles left to right). Prefix slots: visible to every query, no causal rule.
        for (int c0 = 0; c0 < p; c0 += AttentionTiles.KeyColumns)
        {
            int count = Math.Min(AttentionTiles.KeyColumns, p - c0);
            Tile<TLanes, TVector>(state, prefixKeys + ((nint)c0 * d), prefixValues + ((nint)c0 * d), count, c0, -1);
        }

        // Tokens: key j is visible to query i when j <= i.
        for (int j0 = 0; j0 < t; j0 += AttentionTiles.KeyColumns)
        {
            int count = Math.Min(AttentionTiles.KeyColumns, t - j0);
            Tile<TLanes, TVector>(state, keys + ((nint)j0 * d), values + ((nint)j0 * d), count, p + j0, j0);
        }

        for (int i = 0; i < t; i++)
        {
            var outRow = new Span<float>(output + ((nint)i * d), d);
            if (sum[i] > 0f)
            {
                TensorPrimitives.Multiply(outRow, 1f / sum[i], outRow);
            }
            else
            {
                // No visible key at all (everything masked): defined as output 0, logsumexp -inf.
                outRow.Clear();
            }

            if (Buffers.LogSumExp != null)
            {
                Buffers.LogSumExp[((nint)item * t) + i] = sum[i] > 0f ? max[i] + MathF.Log(sum[i]) : float.NegativeInfinity;
            }
        }
    }

    /// <summary>
    /// One key tile against every query block that can see it. A token tile starting at j0 is seen by rows i ≥ j0; a
    /// block on the diagonal uses only the keys up to its last row.
    /// </summary>
    private readonly void Tile<TLanes, TVector>(in HeadState head, float* keys, float* values, int count, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        int t = Shape.SequenceLength;
        int panelStride = AttentionTileKernels.PaddedCount(count);
        AttentionTileKernels.PackTransposed(keys, d, count, d, head.Panel, panelStride);
        int firstBlock = sequenceStart < 0 ? 0 : sequenceStart / AttentionTiles.QueryRows * AttentionTiles.QueryRows;
        for (int i0 = firstBlock; i0 < t; i0 += AttentionTiles.QueryRows)
        {
            int rows = Math.Min(AttentionTiles.QueryRows, t - i0);
            int columns = sequenceStart < 0 ? count : Math.Min(count, i0 + rows - sequenceStart);
            Block<TLanes, TVector>(head, i0, rows, values, columns, panelStride, maskColumn, sequenceStart);
        }
    }

    private readonly void Block<TLanes, TVector>(
        in HeadState head, int i0, int rows, float* values, int count, int panelStride, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        int padded = AttentionTileKernels.PaddedCount(count);
        AttentionTileKernels.Scores<TLanes, TVector>(head.Queries + ((nint)i0 * d), d, rows, head.Panel, panelStride, padded, d, Shape.Scale, head.Scores);
        for (int r = 0; r < rows; r++)
        {
            int i = i0 + r;
            float* row = head.Scores + ((nint)r * padded);
            int visible = sequenceStart < 0 ? count : Math.Min(count, i - sequenceStart + 1);
            AttentionTiles.MaskRow(row, count, visible, Buffers, AttentionTiles.MaskRowOffset(Buffers, Shape, head.Batch, i) + maskColumn);
            float previous = head.Max[i];
            float next = MathF.Max(previous, SoftmaxRows.Max<TLanes, TVector>(row, count));
            if (float.IsNegativeInfinity(next))
            {
                // Nothing visible yet in this row: no weight, the running state stays (m = -inf, l = 0, acc = 0).
                new Span<float>(row, count).Clear();
                continue;
            }

            float rescale = MathF.Exp(previous - next);
            head.Sum[i] = (head.Sum[i] * rescale) + SoftmaxRows.ExpShifted<TLanes, TVector>(row, count, next);
            if (rescale != 1f)
            {
                var accRow = new Span<float>(head.Acc + ((nint)i * d), d);
                TensorPrimitives.Multiply(accRow, rescale, accRow);
            }

            head.Max[i] = next;
        }

        AttentionTileKernels.Accumulate<TLanes, TVector>(head.Acc + ((nint)i0 * d), d, rows, head.Scores, padded, 1, count, values, d, d);
    }

    /// <summary>The running softmax state of one head (per row m and l; the output rows hold acc).</summary>
    private readonly struct HeadState(int batch, float* queries, float* acc, float* max, float* sum, float* panel, float* scores)
    {
        public readonly int Batch = batch;
        public readonly float* Queries = queries;
        public readonly float* Acc = acc;
        public readonly float* Max = max;
        public readonly float* Sum = sum;
        public readonly float* Panel = panel;
        public readonly float* Scores = scores;
    }
}
