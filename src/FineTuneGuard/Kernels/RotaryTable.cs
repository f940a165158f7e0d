using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Precomputed cos/sin of rotary position embeddings: for position p and frequency index i &lt; headDim/2,
/// θ = p·inverseFrequencies[i], computed in double and stored as float32 cos θ and sin θ ([maxPositions x headDim/2]).
/// </summary>
public sealed class RotaryTable
{
    private readonly float[] cos;
    private readonly float[] sin;

    /// <summary>Builds the table for positions [0, <paramref name="maxPositions"/>).</summary>
    /// <param name="headDim">Features per head, even and &gt; 0.</param>
    /// <param name="maxPositions">Positions covered, &gt; 0.</param>
    /// <param name="inverseFrequencies">headDim/2 angular frequencies (see <see cref="DefaultInverseFrequencies"/>).</param>
    public RotaryTable(int headDim, int maxPositions, ReadOnlySpan<double> inverseFrequencies)
    {
        Guard.Positive(headDim);
        Guard.Positive(maxPositions);
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"'{nameof(headDim)}' must be even; got {headDim}.", nameof(headDim));
        }

        int half = headDim / 2;
        Guard.Length(inverseFrequencies.Length, half);
        HeadDim = headDim;
        MaxPositions = maxPositions;
        cos = new float[(long)maxPositions * half];
        sin = new float[cos.Length];
        for (int p = 0; p < maxPositions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * inverseFrequencies[i];
                cos[(p * half) + i] = (float)Math.Cos(angle);
                sin[(p * half) + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>Features per head.</summary>
    public int HeadDim { get; }

    /// <summary>Positions covered: a call may rotate positions [0, MaxPositions).</summary>
    public int MaxPositions { get; }

    /// <summary>The Llama default frequencies 1 / θ^(2i/headDim) for i in [0, headDim/2) (<c>rope_theta</c> = θ).</summary>
    /// <param name="headDim">Features per head, even and &gt; 0.</param>
    /// <param name="theta">The base θ, finite and &gt; 0 (10000 for Llama 2, 500000 for Llama 3).</param>
    /// <returns>headDim/2 inverse frequencies.</returns>
    public static double[] DefaultInverseFrequencies(int headDim, double theta)
    {
        Guard.Positive(headDim);
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"'{nameof(headDim)}' must be even; got {headDim}.", nameof(headDim));
        }

        if (!(theta > 0) || double.IsInfinity(theta))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, $"'{nameof(theta)}' must be a finite value > 0; got {theta}.");
        }

        var result = new double[headDim / 2];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
        }

        return result;
    }

    /// <summary>cos θ for position <paramref name="position"/>, headDim/2 entries.</summary>
    internal ReadOnlySpan<float> Cos(int position) => cos.AsSpan(position * (HeadDim / 2), HeadDim / 2);

    /// <summary>sin θ for position <paramref name="position"/>, headDim/2 entries.</summary>
    internal ReadOnlySpan<float> Sin(int position) => sin.AsSpan(position * (HeadDim / 2), HeadDim / 2);
}
