using System;
using System.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Rotary position embeddings in the rotate_half convention of transformers' <c>apply_rotary_pos_emb</c>, in place on
/// [batch x sequenceLength x heads x headDim]; token t of each sequence is at position startPosition + t. With
/// h = headDim/2 and θ_i of that position: out[i] = x[i]·cos θ_i − x[i+h]·sin θ_i, out[i+h] = x[i+h]·cos θ_i + x[i]·sin θ_i.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>Rotates every head vector of <paramref name="x"/> by its position's angles, in place.</summary>
    /// <param name="batch">Sequences.</param>
    /// <param name="sequenceLength">Tokens per sequence.</param>
    /// <param name="startPosition">Position of token 0 (the key/value cache length when decoding), &gt;= 0.</param>
    /// <param name="heads">Heads per token.</param>
    /// <param name="headDim">Features per head, equal to <see cref="RotaryTable.HeadDim"/>.</param>
    /// <param name="table">The cos/sin table; startPosition + sequenceLength must not exceed its MaxPositions.</param>
    /// <param name="x">Queries or keys [batch x sequenceLength x heads x headDim], rotated in place.</param>
    public static void Apply(int batch, int sequenceLength, int startPosition, int heads, int headDim, RotaryTable table, Span<float> x)
        => Rotate(batch, sequenceLength, startPosition, heads, headDim, table, x, 1f);

    /// <summary>
    /// Backward of <see cref="Apply"/>: the transpose, a rotation by −θ (out[i] = g[i]·cos θ_i + g[i+h]·sin θ_i,
    /// out[i+h] = g[i+h]·cos θ_i − g[i]·sin θ_i), in place.
    /// </summary>
    /// <param name="batch">Sequences.</param>
    /// <param name="sequenceLength">Tokens per sequence.</param>
    /// <param name="startPosition">Position of token 0, &gt;= 0.</param>
    /// <param name="heads">Heads per token.</param>
    /// <param name="headDim">Features per head, equal to <see cref="RotaryTable.HeadDim"/>.</param>
    /// <param name="table">The cos/sin table of the forward.</param>
    /// <param name="gradient">Gradient of the rotated tensor, turned into the gradient of its input in place.</param>
    public static void Backward(int batch, int sequenceLength, int startPosition, int heads, int headDim, RotaryTable table, Span<float> gradient)
        => Rotate(batch, sequenceLength, startPosition, heads, headDim, table, gradient, -1f);

    private static void Rotate(int batch, int sequenceLength, int startPosition, int heads, int headDim, RotaryTable table, Span<float> x, float direction)
    {
        ArgumentNullException.ThrowIfNull(table);
        Guard.Positive(batch);
        Guard.Positive(sequenceLength);
        Guard.NonNegative(startPosition);
        Guard.Positive(heads);
        Guard.Positive(headDim);
        if (headDim != table.HeadDim)
        {
            throw new ArgumentException($"'{nameof(headDim)}' must equal the table's HeadDim {table.HeadDim}; got {headDim}.", nameof(headDim));
        }

        if ((long)startPosition + sequenceLength > table.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startPosition),
                $"positions [{startPosition}, {(long)startPosition + sequenceLength}) exceed the table's MaxPositions {table.MaxPositions}.");
        }

        long expected = (long)batch * sequenceLength * heads * headDim;
        if (x.Length != expected)
        {
            throw new ArgumentException(
                $"'{nameof(x)}' must have shape [{batch} x {sequenceLength} x {heads} x {headDim}] ({expected} elements); got {x.Length} elements.",
                nameof(x));
        }

        int half = headDim / 2;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < sequenceLength; t++)
            {
                ReadOnlySpan<float> cos = table.Cos(startPosition + t);
                ReadOnlySpan<float> sin = table.Sin(startPosition + t);
                Span<float> token = x.Slice(((b * sequenceLength) + t) * heads * headDim, heads * headDim);
                for (int head = 0; head < heads; head++)
                {
                    Span<float> v = token.Slice(head * headDim, headDim);
                    RotateHead(v[..half], v[half..], cos, sin, direction);
                }
            }
        }
    }

    // direction = +1: (x1, x2) -> (x1·c − x2·s, x2·c + x1·s); −1: the inverse rotation.
    private static void RotateHead(Span<float> first, Span<float> second, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, float direction)
    {
        int half = first.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && half >= Vector<float>.Count)
        {
            var sign = new Vector<float>(direction);
            for (; i <= half - Vector<float>.Count; i += Vector<float>.Count)
            {
                var x1 = new Vector<float>(first.Slice(i));
                var x2 = new Vector<float>(second.Slice(i));
                var c = new Vector<float>(cos.Slice(i));
                var s = new Vector<float>(sin.Slice(i)) * sign;
                ((x1 * c) - (x2 * s)).CopyTo(first.Slice(i));
                ((x2 * c) + (x1 * s)).CopyTo(second.Slice(i));
            }
        }

        for (; i < half; i++)
        {
            float x1 = first[i], x2 = second[i], c = cos[i], s = sin[i] * direction;
            first[i] = (x1 * c) - (x2 * s);
            second[i] = (x2 * c) + (x1 * s);
        }
    }
}
