using System;

namespace FineTuneGuard;

/// <summary>
/// The memory (GiB) a training run of this model may use. The estimate (weights, gradients, optimizer states,
/// activations) is checked at compile time against it (FTG0104).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MemoryBudgetAttribute(double gib) : Attribute
{
    /// <summary>Budget in GiB.</summary>
    public double Gib { get; } = gib;

    /// <summary>Bytes per weight of the base model (2 = fp16/bf16, 4 = fp32, 1 = int8, 0.5 = 4-bit). Default 2.</summary>
    public double WeightBytes { get; set; } = 2;

    /// <summary>Activation memory as a multiple of the weight memory (the seeds' rule of thumb: about 1.5). Default 1.5.</summary>
    public double ActivationFactor { get; set; } = 1.5;
}
