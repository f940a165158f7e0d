using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// A named trainable (or frozen) tensor: its values and a gradient buffer of the same length, as flat float32 arrays
/// (row-major when the tensor is a matrix).
/// </summary>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="value"/> (not copied) and allocates a zero gradient of the same length.</summary>
    /// <param name="name">A name for messages and groups, e.g. "layers.3.q_proj.lora_A".</param>
    /// <param name="value">The values, updated in place by the optimizer.</param>
    /// <param name="trainable">False for frozen weights: they can never be added to a <see cref="ParameterGroup"/>.</param>
    /// <param name="layer">Transformer layer index for layer-wise learning-rate decay, or -1 when not in a layer.</param>
    public Parameter(string name, float[] value, bool trainable = true, int layer = -1)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0)
        {
            throw new ArgumentException("A parameter needs a non-empty name.", nameof(name));
        }

        if (layer < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"'{nameof(layer)}' must be >= 0, or -1 for none; got {layer}.");
        }

        Name = name;
        Value = value;
        Gradient = new float[value.Length];
        Trainable = trainable;
        Layer = layer;
    }

    /// <summary>The name given at construction.</summary>
    public string Name { get; }

    /// <summary>The values (the caller's array).</summary>
    public float[] Value { get; }

    /// <summary>The gradient, same length as <see cref="Value"/>; backward passes write or accumulate into it.</summary>
    public float[] Gradient { get; }

    /// <summary>Whether the parameter may be optimized.</summary>
    public bool Trainable { get; }

    /// <summary>Transformer layer index, or -1.</summary>
    public int Layer { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Value.Length;

    /// <summary>Copies <paramref name="gradient"/> into <see cref="Gradient"/> (shapes checked).</summary>
    public void SetGradient(ReadOnlySpan<float> gradient)
    {
        Guard.Length(gradient.Length, Value.Length);
        gradient.CopyTo(Gradient);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{Value.Length}]{(Trainable ? string.Empty : " (frozen)")}";
}
