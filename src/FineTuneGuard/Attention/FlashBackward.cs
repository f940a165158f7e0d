using System;
using System.Numerics.Tensors;

namespace FineTuneGuard.Attention;

/// <summary>
/// The streaming backward of one (batch, kv head) and every query head of its group. Probabilities are recomputed per
/// tile from the saved log-sum-exp L (P = e^{s − L}, no second softmax pass), and with Dᵢ = dOᵢ·Oᵢ:
/// dV += Pᵀ·dO, dP = dO·Vᵀ, dS = P∘(dP − D)·scale, dQ += dS·K, dK += dSᵀ·Q.
/// One work item owns dK and dV of its kv head (summed over the heads of the group in head order) and dQ of those
/// heads; its prefix-gradient partial is summed over the batch afterwards in batch order, so results are deterministic.
/// </summary>
internal unsafe struct FlashBackward : IAttentionWork, ILaneKernel
{
    public AttentionShape Shape;
    public AttentionBuffers Buffers;
    public AttentionLanes Lanes;

    public readonly void Run(int item)
        => AttentionLaneDispatch.Run(this, Lanes, AttentionTiles.BackwardScratchLength(Shape.HeadDim, Shape.SequenceLength), item);

    /// <inheritdoc/>
    public readonly void Run<TLanes, TVector>(int item, float* scratch)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        AttentionShape shape = Shape;
        int t = shape.SequenceLength;
        int d = shape.HeadDim;
        int p = shape.PrefixLength;
        int batch = item / shape.KvHeads;
        int kvHead = item % shape.KvHeads;
        nint kvOffset = (nint)item * t * d;
        float* keys = Buffers.K + kvOffset;
        float* values = Buffers.V + kvOffset;
        float* dKeys = Buffers.DK + kvOffset;
        float* dValues = Buffers.DV + kvOffset;
        float* prefixKeys = Buffers.PrefixKeys + ((nint)kvHead * p * d);
        float* prefixValues = Buffers.PrefixValues + ((nint)kvHead * p * d);
        float* dPrefixKeys = null;
        float* dPrefixValues = null;
        new Span<float>(dKeys, t * d).Clear();
        new Span<float>(dValues, t * d).Clear();
        if (Buffers.PrefixGradientPartials != null && p > 0)
        {
            dPrefixKeys = Buffers.PrefixGradientPartials + ((nint)item * 2 * p * d);
            dPrefixValues = dPrefixKeys + ((nint)p * d);
            new Span<float>(dPrefixKeys, 2 * p * d).Clear();
        }

        var scratchLayout = new Scratch(scratch, d);
        for (int member = 0; member < shape.GroupSize; member++)
        {
            int head = (kvHead * shape.GroupSize) + member;
            nint queryItem = ((nint)batch * shape.Heads) + head;
            nint headOffset = queryItem * t * d;
            float* output = Buffers.Output + headOffset;
            float* dOutput = Buffers.DOutput + headOffset;
            var state = new HeadState(
                batch, Buffers.Q + headOffset, dOutput, Buffers.DQ + headOffset, Buffers.LogSumExp + (queryItem * t), scratchLayout);
            new Span<float>(state.DQ, t * d).Clear();
            for (int i = 0; i < t; i++)
            {
                nint at = (nint)i * d;
                scratchLayout.RowDot[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(dOutput + at, d), new ReadOnlySpan<float>(output + at, d));
            }

            // Key tiles outermost (each packed once), query blocks inside in ascending order: every dq row and every
            // dk/dv row receives its terms in the same order as a query-block-major walk would give.
            for (int c0 = 0; c0 < p; c0 += AttentionTiles.KeyColumns)
            {
                int count = Math.Min(AttentionTiles.KeyColumns, p - c0);
                nint at = (nint)c0 * d;
                Tile<TLanes, TVector>(
                    state,
                    prefixKeys + at,
                    prefixValues + at,
                    dPrefixKeys == null ? null : dPrefixKeys + at,
                    dPrefixValues == null ? null : dPrefixValues + at,
                    count,
                    c0,
                    -1);
            }

            for (int j0 = 0; j0 < t; j0 += AttentionTiles.KeyColumns)
            {
                int count = Math.Min(AttentionTiles.KeyColumns, t - j0);
                nint at = (nint)j0 * d;
                Tile<TLanes, TVector>(state, keys + at, values + at, dKeys + at, dValues + at, count, p + j0, j0);
            }
        }
    }

    private readonly void Tile<TLanes, TVector>(
        in HeadState head, float* keys, float* values, float* dKeys, float* dValues, int count, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        int t = Shape.SequenceLength;
        int panelStride = AttentionTileKernels.PaddedCount(count);
        AttentionTileKernels.PackTransposed(keys, d, count, d, head.Scratch.KeyPanel, panelStride);
        AttentionTileKernels.PackTransposed(values, d, count, d, head.Scratch.ValuePanel, panelStride);
        int firstBlock = sequenceStart < 0 ? 0 : sequenceStart / AttentionTiles.QueryRows * AttentionTiles.QueryRows;
        for (int i0 = firstBlock; i0 < t; i0 += AttentionTiles.QueryRows)
        {
            int rows = Math.Min(AttentionTiles.QueryRows, t - i0);
            int columns = sequenceStart < 0 ? count : Math.Min(count, i0 + rows - sequenceStart);
            Block<TLanes, TVector>(head, i0, rows, keys, dKeys, dValues, columns, panelStride, maskColumn, sequenceStart);
        }
    }

    private readonly void Block<TLanes, TVector>(
        in HeadState head, int i0, int rows, float* keys, float* dKeys, float* dValues, int count, int panelStride, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        float scale = Shape.Scale;
        int padded = AttentionTileKernels.PaddedCount(count);
        Scratch s = head.Scratch;
        float* queries = head.Queries + ((nint)i0 * d);
        float* dOutput = head.DOutput + ((nint)i0 * d);
        AttentionTileKernels.Scores<TLanes, TVector>(queries, d, rows, s.KeyPanel, panelStride, padded, d, scale, s.Probabilities);
        AttentionTileKernels.Scores<TLanes, TVector>(dOutput, d, rows, s.ValuePanel, panelStride, padded, d, 1f, s.ScoreGradients);
        for (int r = 0; r < rows; r++)
        {
            int i = i0 + r;
            float* probabilities = s.Probabilities + ((nint)r * padded);
            float* gradients = s.ScoreGradients + ((nint)r * padded);
            float logSumExp = head.LogSumExp[i];
            if (float.IsNegativeInfinity(logSumExp))
            {
                // A row that saw no key has output 0 and passes no gradient anywhere.
                new Span<float>(probabilities, count).Clear();
                new Span<float>(gradients, count).Clear();
                continue;
            }

            int visible = sequenceStart < 0 ? count : Math.Min(count, i - sequenceStart + 1);
            AttentionTiles.MaskRow(probabilities, count, visible, Buffers, AttentionTiles.MaskRowOffset(Buffers, Shape, head.Batch, i) + maskColumn);

            // P = e^{s − L}; dS = P∘(dP − D)·scale: the softmax Jacobian, with the 1/√d of the scores folded in once.
            SoftmaxRows.ProbabilitiesAndScoreGradients<TLanes, TVector>(probabilities, gradients, count, logSumExp, s.RowDot[i], scale);
        }

        // dQ += dS·K.
        AttentionTileKernels.Accumulate<TLanes, TVector>(head.DQ + ((nint)i0 * d), d, rows, s.ScoreGradients, padded, 1, count, keys, d, d);
        if (dValues == null)
        {
            return; // frozen prefix: no key/value gradients for this tile
        }

        // dV += Pᵀ·dO and dK += dSᵀ·Q: the same register-blocked kernel reading the tiles column-wise (no transposed copy).
        AttentionTileKernels.Accumulate<TLanes, TVector>(dValues, d, count, s.Probabilities, 1, padded, rows, dOutput, d, d);
        AttentionTileKernels.Accumulate<TLanes, TVector>(dKeys, d, count, s.ScoreGradients, 1, padded, rows, queries, d, d);
    }

    /// <summary>Where the tile buffers of one work item live in its scratch array.</summary>
    private readonly struct Scratch
    {
        public readonly float* KeyPanel;
        public readonly float* ValuePanel;
        public readonly float* Probabilities;
        public readonly float* ScoreGradients;
        public readonly float* RowDot;

        public Scratch(float* scratch, int headDim)
        {
            KeyPanel = scratch;
            ValuePanel = KeyPanel + (headDim * AttentionTiles.KeyColumns);
            Probabilities = ValuePanel + (headDim * AttentionTiles.KeyColumns);
            ScoreGradients = Probabilities + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
            RowDot = ScoreGradients + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
        }
    }

    /// <summary>The buffers of one query head inside a work item.</summary>
    private readonly struct HeadState(int batch, float* queries, float* dOutput, float* dq, float* logSumExp, Scratch scratch)
    {
        public readonly int Batch = batch;
        public readonly float* Queries = queries;
        public readonly float* DOutput = dOutput;
        public readonly float* DQ = dq;
        public readonly float* LogSumExp = logSumExp;
        public readonly Scratch Scratch = scratch;
    }
}
