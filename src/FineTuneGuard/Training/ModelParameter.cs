using System;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// One tensor of an <see cref="ICausalLanguageModel"/>: the optimizer's <see cref="FineTuneGuard.Optimization.Parameter"/> (name, value,
/// gradient, freeze decision, layer) together with its <see cref="ParameterRole"/>.
/// </summary>
/// <remarks>
/// The freeze decision lives on the <see cref="FineTuneGuard.Optimization.Parameter"/> (<c>Trainable</c>): trainers hand only trainable
/// parameters to the optimizer, a backward pass writes gradients only for them, and a DPO reference must have none.
/// </remarks>
public sealed class ModelParameter
{
    /// <summary>Pairs <paramref name="parameter"/> with its <paramref name="role"/>.</summary>
    public ModelParameter(Parameter parameter, ParameterRole role)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Parameter = parameter;
        Role = role;
    }

    /// <summary>The tensor: value, gradient, freeze decision, layer index.</summary>
    public Parameter Parameter { get; }

    /// <summary>What kind of tensor this is (adapter, base weight, norm, bias, ...).</summary>
    public ParameterRole Role { get; }

    /// <summary>The tensor's name, e.g. <c>layers.0.q_proj.lora_A</c>.</summary>
    public string Name => Parameter.Name;

    /// <summary>The freeze decision: true when the optimizer may update this tensor.</summary>
    public bool Trainable => Parameter.Trainable;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Role}, {(Trainable ? "trainable" : "frozen")}, {Parameter.Value.Length} values)";
}
