using System;
using System.Collections.Generic;
using System.Linq;

namespace FineTuneGuard;

/// <summary>
/// A named task of a fine-tuning mixture with its weight: the training objective over tasks k is the weighted expectation
/// Σ_k w_k·E_{x∼D_k}[loss(x)] / Σ_k w_k (the seeds' "dataset mixture weights"), which the <see cref="MixtureSampler"/>
/// realises by drawing task k with probability w_k / Σ w, and evaluation reports per task and weighted.
/// </summary>
public sealed class SftDataset
{
    /// <summary>Creates the task <paramref name="name"/> over <paramref name="examples"/> with mixture weight <paramref name="weight"/>.</summary>
    /// <exception cref="ArgumentException">No examples, or an empty name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The weight is not finite and &gt; 0.</exception>
    public SftDataset(string name, IEnumerable<SftExample> examples, double weight = 1.0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(examples);
        if (!(weight > 0) || double.IsInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Mixture weight of dataset '{name}' must be a finite value > 0; got {weight}.");
        }

        SftExample[] items = examples.ToArray();
        if (items.Length == 0)
        {
            throw new ArgumentException($"Dataset '{name}' has no examples.", nameof(examples));
        }

        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is null)
            {
                throw new ArgumentException($"Example {i} of dataset '{name}' is null.", nameof(examples));
            }
        }

        Name = name;
        Examples = items;
        Weight = weight;
    }

    /// <summary>The task's name, used in evaluation reports and error messages.</summary>
    public string Name { get; }

    /// <summary>The examples.</summary>
    public IReadOnlyList<SftExample> Examples { get; }

    /// <summary>The mixture weight w_k (relative; the weights need not sum to 1).</summary>
    public double Weight { get; }

    /// <summary>The weighted expectation Σ_k w_k·value_k / Σ_k w_k of one value per dataset (e.g. per-task losses).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static double WeightedMean(IReadOnlyList<SftDataset> datasets, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(values);
        if (datasets.Count == 0 || values.Count != datasets.Count)
        {
            throw new ArgumentException($"Need one value per dataset: {datasets.Count} datasets, {values.Count} values.", nameof(values));
        }

        double weighted = 0, total = 0;
        for (int k = 0; k < datasets.Count; k++)
        {
            weighted += datasets[k].Weight * values[k];
            total += datasets[k].Weight;
        }

        return weighted / total;
    }
}
