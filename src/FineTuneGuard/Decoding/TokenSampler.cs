using System;
using System.Buffers;
using System.Collections.Generic;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Decoding;

/// <summary>
/// Chooses one next token from one row of logits (length = vocabulary size): greedy, temperature, top-k and top-p
/// (nucleus) sampling with a <see cref="SeededRandom"/>, so that a generation is reproducible from its seed.
/// </summary>
/// <remarks>
/// Probabilities are computed in double precision from the float logits (max-subtracted, so no overflow). Candidates are
/// ranked by probability, ties by the lower token id, which makes greedy, top-k and top-p agree on ties. A sampled token
/// consumes exactly one <see cref="SeededRandom.NextDouble"/>; greedy consumes none.
/// </remarks>
public static class TokenSampler
{
    /// <summary>The most probable token: the index of the largest logit, the lowest index among ties.</summary>
    /// <exception cref="ArgumentException">The row is empty.</exception>
    /// <exception cref="NonFiniteValueException">A logit is NaN or infinite.</exception>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        Guard.Positive(logits.Length, "logits.Length");
        Guard.AllFinite(logits);
        int best = 0;
        float bestValue = logits[0];
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > bestValue)
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// Writes the distribution the sampler draws from — softmax(logits / T), restricted to the top-k and then to the
    /// top-p nucleus, renormalised — into <paramref name="probabilities"/> (zeros for filtered tokens) and returns how many
    /// tokens were kept. Greedy options give a one-hot distribution on <see cref="ArgMax"/>.
    /// </summary>
    /// <param name="logits">One row of logits, length = vocabulary size.</param>
    /// <param name="options">Temperature, top-k and top-p.</param>
    /// <param name="probabilities">Output, same length as <paramref name="logits"/>.</param>
    public static int Distribution(ReadOnlySpan<float> logits, SamplingOptions options, Span<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.Positive(logits.Length, "logits.Length");
        Guard.Length(probabilities.Length, logits.Length);
        Guard.AllFinite(logits);

        int vocab = logits.Length;
        int[] order = ArrayPool<int>.Shared.Rent(vocab);
        double[] scratch = ArrayPool<double>.Shared.Rent(vocab);
        try
        {
            int kept = Filter(logits, options, scratch, order);
            probabilities.Clear();
            for (int j = 0; j < kept; j++)
            {
                probabilities[order[j]] = scratch[order[j]];
            }

            return kept;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>Draws one token id from <paramref name="logits"/> under <paramref name="options"/>.</summary>
    /// <param name="logits">One row of logits, length = vocabulary size.</param>
    /// <param name="options">Temperature, top-k and top-p; <see cref="SamplingOptions.IsGreedy"/> options return <see cref="ArgMax"/>.</param>
    /// <param name="random">The generator; one <see cref="SeededRandom.NextDouble"/> per sampled token.</param>
    public static int Sample(ReadOnlySpan<float> logits, SamplingOptions options, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (options.IsGreedy)
        {
            return ArgMax(logits);
        }

        Guard.Positive(logits.Length, "logits.Length");
        Guard.AllFinite(logits);
        int vocab = logits.Length;
        int[] order = ArrayPool<int>.Shared.Rent(vocab);
        double[] probabilities = ArrayPool<double>.Shared.Rent(vocab);
        try
        {
            int kept = Filter(logits, options, probabilities, order);
            double u = random.NextDouble();
            double cumulative = 0;
            for (int j = 0; j < kept; j++)
            {
                cumulative += probabilities[order[j]];
                if (u < cumulative)
                {
                    return order[j];
                }
            }

            // u is below 1 but the rounded cumulative sum can end a hair under it: the last kept token owns that sliver.
            return order[kept - 1];
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<double>.Shared.Return(probabilities);
        }
    }

    /// <summary>
    /// Fills probabilities[0..vocab) with the renormalised kept distribution and order[0..kept) with the kept ids (by
    /// descending probability when a filter ranked them, by id otherwise); returns the kept count.
    /// </summary>
    private static int Filter(ReadOnlySpan<float> logits, SamplingOptions options, double[] probabilities, int[] order)
    {
        int vocab = logits.Length;
        if (options.IsGreedy)
        {
            int best = ArgMax(logits);
            Array.Clear(probabilities, 0, vocab);
            probabilities[best] = 1.0;
            order[0] = best;
            return 1;
        }

        float max = logits[0];
        for (int i = 1; i < vocab; i++)
        {
            max = Math.Max(max, logits[i]);
        }

        double temperature = options.Temperature;
        double sum = 0;
        for (int i = 0; i < vocab; i++)
        {
            double p = Math.Exp(((double)logits[i] - max) / temperature);
            probabilities[i] = p;
            sum += p;
        }

        for (int i = 0; i < vocab; i++)
        {
            probabilities[i] /= sum;
            order[i] = i;
        }

        bool topK = options.TopK > 0 && options.TopK < vocab;
        bool topP = options.TopP < 1f;
        if (!topK && !topP)
        {
            return vocab;
        }

        Array.Sort(order, 0, vocab, new DescendingProbability(probabilities));
        int kept = topK ? options.TopK : vocab;
        if (topP)
        {
            kept = NucleusSize(probabilities, order, kept, options.TopP);
        }

        double keptMass = 0;
        for (int j = 0; j < kept; j++)
        {
            keptMass += probabilities[order[j]];
        }

        for (int j = 0; j < kept; j++)
        {
            probabilities[order[j]] /= keptMass;
        }

        for (int j = kept; j < vocab; j++)
        {
            probabilities[order[j]] = 0;
        }

        return kept;
    }

    /// <summary>
    /// The smallest n such that the n most probable of the first <paramref name="candidates"/> ranked tokens hold at least
    /// <paramref name="topP"/> of their mass (the slide's Σ_{x ∈ V⁽ᵖ⁾} P(x) ≥ p); always at least 1.
    /// </summary>
    private static int NucleusSize(double[] probabilities, int[] order, int candidates, float topP)
    {
        double mass = 0;
        for (int j = 0; j < candidates; j++)
        {
            mass += probabilities[order[j]];
        }

        double target = topP * mass;
        double cumulative = 0;
        for (int j = 0; j < candidates; j++)
        {
            cumulative += probabilities[order[j]];
            if (cumulative >= target)
            {
                return j + 1;
            }
        }

        return candidates;
    }

    /// <summary>Ranks token ids by descending probability, the lower id first among ties (a total, deterministic order).</summary>
    private sealed class DescendingProbability : IComparer<int>
    {
        private readonly double[] _probabilities;

        public DescendingProbability(double[] probabilities) => _probabilities = probabilities;

        public int Compare(int x, int y)
        {
            int byProbability = _probabilities[y].CompareTo(_probabilities[x]);
            return byProbability != 0 ? byProbability : x.CompareTo(y);
        }
    }
}
