using System;
using System.Collections;
using System.Collections.Generic;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// Parameters that share a learning rate and a weight decay, as a PyTorch param group: e.g. LoRA adapters in one group,
/// biases and norms in another with weight decay 0 (the usual exclusion), a classifier head with a higher rate.
/// Supports the collection initialiser: <c>new ParameterGroup("lora", 2e-4f) { a, b }</c>.
/// </summary>
public sealed class ParameterGroup : IEnumerable<Parameter>
{
    private readonly List<Parameter> _parameters = new();

    /// <summary>Creates an empty group.</summary>
    /// <param name="name">Name for messages.</param>
    /// <param name="learningRate">Learning rate η &gt; 0 (before <see cref="AdamW.LearningRateScale"/>).</param>
    /// <param name="weightDecay">Decoupled weight decay λ &gt;= 0; 0 excludes the group from decay (biases, norms).</param>
    public ParameterGroup(string name, float learningRate, float weightDecay = 0.01f)
    {
        ArgumentNullException.ThrowIfNull(name);
        Guard.PositiveFinite(learningRate);
        CheckWeightDecay(weightDecay);
        Name = name;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>Learning rate η of the group (may be changed between steps, e.g. by a scheduler).</summary>
    public float LearningRate
    {
        get;
        set
        {
            Guard.PositiveFinite(value);
            field = value;
        }
    }

    /// <summary>Decoupled weight decay λ; 0 = no decay.</summary>
    public float WeightDecay
    {
        get;
        set
        {
            CheckWeightDecay(value);
            field = value;
        }
    }

    /// <summary>The parameters, in the order added.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Total number of elements over the group.</summary>
    public long ElementCount
    {
        get
        {
            long count = 0;
            foreach (Parameter p in _parameters)
            {
                count += p.Length;
            }

            return count;
        }
    }

    /// <summary>Adds a parameter. A frozen parameter (<see cref="Parameter.Trainable"/> false) throws: optimizing a frozen weight is FTG0003.</summary>
    public void Add(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.Trainable)
        {
            throw new ArgumentException(
                $"'{parameter.Name}' is frozen (Trainable = false) and cannot be added to optimizer group '{Name}' (FTG0003).", nameof(parameter));
        }

        if (_parameters.Contains(parameter))
        {
            throw new ArgumentException($"'{parameter.Name}' is already in group '{Name}'.", nameof(parameter));
        }

        _parameters.Add(parameter);
    }

    /// <inheritdoc/>
    public IEnumerator<Parameter> GetEnumerator() => _parameters.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void CheckWeightDecay(float weightDecay)
    {
        if (!(weightDecay >= 0) || float.IsInfinity(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"'{nameof(weightDecay)}' must be finite and >= 0; got {weightDecay}.");
        }
    }
}
