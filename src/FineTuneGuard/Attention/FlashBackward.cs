using System;
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Attention;

/// <summary>
/// The streaming backward of one (batch, kv head) and every query head of its group. Probabilities are recomputed per
/// tile from the saved log-sum-exp L (P = e^{s − L}, no second softmax pass), and with Dᵢ = dOᵢ·Oᵢ:
/// dV += Pᵀ·dO, dP = dO·Vᵀ, dS = P∘(dP − D)·scale, dQ += dS·K, dK += dSᵀ·Q.
/// One work item owns dK and dV of its kv head (summed over the heads of the group in head order) and dQ of those
/// heads; its prefix-gradient partial is summed over the batch afterwards in batch order, so results are deterministic.
/// </summary>
internal unsafe struct FlashBackward : IAttentionWork
{
    public AttentionShape Shape;
    public AttentionBuffers Buffers;
    public AttentionLanes Lanes;

    public readonly void Run(int item)
    {
        float[] rented = ArrayPool<float>.Shared.Rent(AttentionTiles.BackwardScratchLength(Shape.HeadDim));
        try
        {
            fixed (float* scratch = rented)
            {
                switch (Lanes)
                {
                    case AttentionLanes.Vector512:
                        Group<Lanes512, Vector512<float>>(item, scratch);
                        break;
                    case AttentionLanes.Vector256:
                        Group<Lanes256, Vector256<float>>(item, scratch);
                        break;
                    default:
                        Group<Lanes1, float>(item, scratch);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private readonly void Group<TLanes, TVector>(int item, float* scratch)
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
            float* q = Buffers.Q + headOffset;
            float* output = Buffers.Output + headOffset;
            float* dOutput = Buffers.DOutput + headOffset;
            float* dq = Buffers.DQ + headOffset;
            float* logSumExp = Buffers.LogSumExp + (queryItem * t);
            new Span<float>(dq, t * d).Clear();

            for (int i0 = 0; i0 < t; i0 += AttentionTiles.QueryRows)
            {
                int rows = Math.Min(AttentionTiles.QueryRows, t - i0);
                for (int r = 0; r < rows; r++)
                {
                    nint at = (nint)(i0 + r) * d;
                    scratchLayout.RowDot[r] = TensorPrimitives.Dot(new ReadOnlySpan<float>(dOutput + at, d), new ReadOnlySpan<float>(output + at, d));
                }

                var block = new Block(
                    batch, i0, rows, q + ((nint)i0 * d), dOutput + ((nint)i0 * d), dq + ((nint)i0 * d), logSumExp + i0, scratchLayout);
                for (int c0 = 0; c0 < p; c0 += AttentionTiles.KeyColumns)
                {
                    int count = Math.Min(AttentionTiles.KeyColumns, p - c0);
                    nint at = (nint)c0 * d;
                    Tile<TLanes, TVector>(
                        block,
                        prefixKeys + at,
                        prefixValues + at,
                        dPrefixKeys == null ? null : dPrefixKeys + at,
                        dPrefixValues == null ? null : dPrefixValues + at,
                        count,
                        c0,
                        -1);
                }

                int end = i0 + rows;
                for (int j0 = 0; j0 < end; j0 += AttentionTiles.KeyColumns)
                {
                    int count = Math.Min(AttentionTiles.KeyColumns, end - j0);
                    nint at = (nint)j0 * d;
                    Tile<TLanes, TVector>(block, keys + at, values + at, dKeys + at, dValues + at, count, p + j0, j0);
                }
            }
        }
    }

    private readonly void Tile<TLanes, TVector>(
        in Block block, float* keys, float* values, float* dKeys, float* dValues, int count, int maskColumn, int sequenceStart)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int d = Shape.HeadDim;
        float scale = Shape.Scale;
        int padded = AttentionTileKernels.PaddedCount(count);
        Scratch s = block.Scratch;
        AttentionTileKernels.PackTransposed(keys, d, count, d, s.KeyPanel, padded);
        AttentionTileKernels.PackTransposed(values, d, count, d, s.ValuePanel, padded);
        AttentionTileKernels.Scores<TLanes, TVector>(block.Queries, d, block.Rows, s.KeyPanel, padded, d, scale, s.Probabilities);
        AttentionTileKernels.Scores<TLanes, TVector>(block.DOutput, d, block.Rows, s.ValuePanel, padded, d, 1f, s.ScoreGradients);
        for (int r = 0; r < block.Rows; r++)
        {
            int i = block.FirstRow + r;
            var probabilities = new Span<float>(s.Probabilities + ((nint)r * padded), count);
            var gradients = new Span<float>(s.ScoreGradients + ((nint)r * padded), count);
            float logSumExp = block.LogSumExp[r];
            if (float.IsNegativeInfinity(logSumExp))
            {
                // A row that saw no key has output 0 and passes no gradient anywhere.
                probabilities.Clear();
                gradients.Clear();
                continue;
            }

            int visible = sequenceStart < 0 ? count : Math.Min(count, i - sequenceStart + 1);
            AttentionTiles.MaskRow(
                s.Probabilities + ((nint)r * padded), count, visible, Buffers, AttentionTiles.MaskRowOffset(Buffers, Shape, block.Batch, i) + maskColumn);
            TensorPrimitives.Subtract(probabilities, logSumExp, probabilities);
            TensorPrimitives.Exp(probabilities, probabilities);

            // dS = P∘(dP − D)·scale: the softmax Jacobian, with the 1/√d of the scores folded in once.
            TensorPrimitives.Subtract(gradients, s.RowDot[r], gradients);
            TensorPrimitives.Multiply(gradients, probabilities, gradients);
            TensorPrimitives.Multiply(gradients, scale, gradients);
        }

        // dQ += dS·K.
        AttentionTileKernels.Accumulate<TLanes, TVector>(block.DQ, d, block.Rows, s.ScoreGradients, padded, count, keys, d, d);
        if (dValues == null)
        {
            return; // frozen prefix: no key/value gradients for this tile
        }

        // dV += Pᵀ·dO and dK += dSᵀ·Q, through a transposed copy so both run on the same register-blocked kernel.
        AttentionTileKernels.Transpose(s.Probabilities, padded, block.Rows, count, s.Transposed, AttentionTiles.QueryRows);
        AttentionTileKernels.Accumulate<TLanes, TVector>(dValues, d, count, s.Transposed, AttentionTiles.QueryRows, block.Rows, block.DOutput, d, d);
        AttentionTileKernels.Transpose(s.ScoreGradients, padded, block.Rows, count, s.Transposed, AttentionTiles.QueryRows);
        AttentionTileKernels.Accumulate<TLanes, TVector>(dKeys, d, count, s.Transposed, AttentionTiles.QueryRows, block.Rows, block.Queries, d, d);
    }

    /// <summary>Where the tile buffers of one work item live in its scratch array.</summary>
    private readonly struct Scratch
    {
        public readonly float* KeyPanel;
        public readonly float* ValuePanel;
        public readonly float* Probabilities;
        public readonly float* ScoreGradients;
        public readonly float* Transposed;
        public readonly float* RowDot;

        public Scratch(float* scratch, int headDim)
        {
            KeyPanel = scratch;
            ValuePanel = KeyPanel + (headDim * AttentionTiles.KeyColumns);
            Probabilities = ValuePanel + (headDim * AttentionTiles.KeyColumns);
            ScoreGradients = Probabilities + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
            Transposed = ScoreGradients + (AttentionTiles.QueryRows * AttentionTiles.KeyColumns);
            RowDot = Transposed + (AttentionTiles.KeyColumns * AttentionTiles.QueryRows);
        }
    }

    /// <summary>One block of query rows of one head.</summary>
    private readonly struct Block(int batch, int firstRow, int rows, float* queries, float* dOutput, float* dq, float* logSumExp, Scratch scratch)
    {
        public readonly int Batch = batch;
        public readonly int FirstRow = firstRow;
        public readonly int Rows = rows;
        public readonly float* Queries = queries;
        public readonly float* DOutput = dOutput;
        public readonly float* DQ = dq;
        public readonly float* LogSumExp = logSumExp;
        public readonly Scratch Scratch = scratch;
    }
}
