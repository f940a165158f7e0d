using System;
using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.Numerics;

namespace FineTuneGuard;

/// <summary>
/// Draws training examples from a weighted mixture of datasets, reproducibly: each draw picks dataset k with probability
/// w_k / Σ w (one <see cref="SeededRandom.NextDouble"/>), then the next example of that dataset's current shuffled pass
/// (Fisher–Yates with the same generator), reshuffling when a pass ends — every example is seen once per pass of its
/// dataset, and the whole stream is fixed by the seed.
/// </summary>
public sealed class MixtureSampler
{
    private readonly IReadOnlyList<SftDataset> _datasets;
    private readonly double[] _cumulative;
    private readonly int[][] _order;
    private readonly int[] _position;
    private readonly SeededRandom _random;

    /// <summary>Creates a sampler over <paramref name="datasets"/> seeded with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">No datasets.</exception>
    public MixtureSampler(IReadOnlyList<SftDataset> datasets, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Count == 0 || datasets.Any(d => d is null))
        {
            throw new ArgumentException("A mixture needs at least one dataset and no null entries.", nameof(datasets));
        }

        _datasets = datasets;
        _random = new SeededRandom(seed);
        double total = datasets.Sum(d => d.Weight);
        _cumulative = new double[datasets.Count];
        double running = 0;
        for (int k = 0; k < datasets.Count; k++)
        {
            running += datasets[k].Weight;
            _cumulative[k] = running / total;
        }

        _order = datasets.Select(d => Enumerable.Range(0, d.Examples.Count).ToArray()).ToArray();
        _position = new int[datasets.Count];
        for (int k = 0; k < datasets.Count; k++)
        {
            Shuffle(_order[k]);
        }
    }

    /// <summary>The probability w_k / Σ w of drawing from dataset <paramref name="datasetIndex"/>.</summary>
    public double Probability(int datasetIndex) => _cumulative[datasetIndex] - (datasetIndex == 0 ? 0 : _cumulative[datasetIndex - 1]);

    /// <summary>The next draw: which dataset and which of its examples.</summary>
    public MixtureDraw Next()
    {
        double u = _random.NextDouble();
        int k = 0;
        while (k < _cumulative.Length - 1 && u >= _cumulative[k])
        {
            k++;
        }

        if (_position[k] == _order[k].Length)
        {
            Shuffle(_order[k]);
            _position[k] = 0;
        }

        int index = _order[k][_position[k]++];
        return new MixtureDraw(k, index, _datasets[k].Examples[index]);
    }

    private void Shuffle(int[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = _random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
