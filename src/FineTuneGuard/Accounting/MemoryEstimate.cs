using System;
using FineTuneGuard.Internal;
using FineTuneGuard.Kernels;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Accounting;

/// <summary>
/// Training memory, split four ways: weights, gradients, optimizer states and activations,
/// in bytes (with decimal-GB and GiB views). Full fine-tuning trains every weight; PEFT keeps every weight but trains
/// only the adapters, which saves gradients and optimizer states but neither the frozen weights nor the activations.
/// The arithmetic is shared with analyzer FTG0104 (<c>[MemoryBudget]</c>), so that both always agree.
/// Worked examples: 2B at fp16 = 4 GB of weights; 7e9 parameters x 12 bytes of Adam state = 84 GB vs 40e6 LoRA parameters =
/// 0.48 GB (175x less); a 2B model on a 24 GB card: 4 + 4 + 8 + 6 = 22 GB with fp16 states.
/// </summary>
/// <param name="WeightBytes">All parameters at their storage precision.</param>
/// <param name="GradientBytes">One gradient per trainable parameter.</param>
/// <param name="OptimizerBytes">Optimizer states (and master weights when counted) per trainable parameter.</param>
/// <param name="ActivationBytes">Activations kept for backward.</param>
public readonly record struct MemoryEstimate(double WeightBytes, double GradientBytes, double OptimizerBytes, double ActivationBytes)
{
    /// <summary>Bytes per fp32 value.</summary>
    public const double Float32 = 4;

    /// <summary>Bytes per fp16 / bf16 value.</summary>
    public const double Float16 = 2;

    /// <summary>Bytes per int8 value.</summary>
    public const double Int8 = 1;

    /// <summary>Bytes per 4-bit (NF4 / int4) value.</summary>
    public const double Int4 = 0.5;

    /// <summary>The activation rule of thumb: about 1.5x the model's weight memory.</summary>
    public const double DefaultActivationFactor = MemoryArithmetic.DefaultActivationFactor;

    /// <summary>Sum of the four parts, in bytes.</summary>
    public double TotalBytes => WeightBytes + GradientBytes + OptimizerBytes + ActivationBytes;

    /// <summary>Weights in decimal GB (1e9 bytes).</summary>
    public double WeightGB => MemoryArithmetic.ToGB(WeightBytes);

    /// <summary>Gradients in GB.</summary>
    public double GradientGB => MemoryArithmetic.ToGB(GradientBytes);

    /// <summary>Optimizer states in GB.</summary>
    public double OptimizerGB => MemoryArithmetic.ToGB(OptimizerBytes);

    /// <summary>Activations in GB.</summary>
    public double ActivationGB => MemoryArithmetic.ToGB(ActivationBytes);

    /// <summary>Total in GB.</summary>
    public double TotalGB => MemoryArithmetic.ToGB(TotalBytes);

    /// <summary>Total in GiB (2^30 bytes, the unit of <see cref="MemoryBudgetAttribute"/>).</summary>
    public double TotalGiB => MemoryArithmetic.ToGiB(TotalBytes);

    /// <summary>
    /// Full fine-tuning: every parameter trainable. Defaults: fp16 weights and gradients, AdamW with fp32 mean and
    /// variance plus fp32 master weights (12 bytes per parameter, the theory notebook's "adam_bytes_per_trainable"),
    /// activations 1.5x the weights.
    /// </summary>
    /// <param name="parameters">Model parameters.</param>
    /// <param name="weightBytes">Bytes per weight (and per gradient).</param>
    /// <param name="optimizer">Optimizer (number of states).</param>
    /// <param name="stateBytes">Bytes per optimizer state element.</param>
    /// <param name="masterWeightBytes">fp32 master copy per trainable parameter in mixed precision (0 = none).</param>
    /// <param name="activationFactor">Activations as a multiple of the weight memory.</param>
    public static MemoryEstimate FullFineTuning(
        long parameters, double weightBytes = Float16, OptimizerKind optimizer = OptimizerKind.AdamW, double stateBytes = Float32,
        double masterWeightBytes = Float32, double activationFactor = DefaultActivationFactor)
        => Compute(parameters, parameters, weightBytes, weightBytes, optimizer, stateBytes, masterWeightBytes, activationFactor);

    /// <summary>
    /// PEFT (LoRA, adapters, prefixes, prompts): the frozen base plus <paramref name="trainableParameters"/> adapter
    /// parameters are held at <paramref name="weightBytes"/>, and only the adapters get gradients and optimizer
    /// states. Activations are still 1.5x (<paramref name="activationFactor"/>) the weights held in memory: PEFT does
    /// not shrink them.
    /// </summary>
    /// <param name="baseParameters">Frozen base-model parameters.</param>
    /// <param name="trainableParameters">Adapter parameters.</param>
    /// <param name="weightBytes">Bytes per stored weight (0.5 for a 4-bit QLoRA base).</param>
    /// <param name="optimizer">Optimizer (number of states).</param>
    /// <param name="gradientBytes">Bytes per adapter gradient element (adapters usually train in fp32 or bf16).</param>
    /// <param name="stateBytes">Bytes per optimizer state element.</param>
    /// <param name="masterWeightBytes">fp32 master copy per adapter parameter (0 = none).</param>
    /// <param name="activationFactor">Activations as a multiple of the weight memory.</param>
    public static MemoryEstimate Peft(
        long baseParameters, long trainableParameters, double weightBytes = Float16, OptimizerKind optimizer = OptimizerKind.AdamW,
        double gradientBytes = Float16, double stateBytes = Float32, double masterWeightBytes = Float32,
        double activationFactor = DefaultActivationFactor)
    {
        if (baseParameters < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baseParameters), baseParameters, $"'{nameof(baseParameters)}' must be >= 0; got {baseParameters}.");
        }

        if (trainableParameters < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trainableParameters), trainableParameters, $"'{nameof(trainableParameters)}' must be >= 0; got {trainableParameters}.");
        }

        return Compute(
            checked(baseParameters + trainableParameters), trainableParameters, weightBytes, gradientBytes, optimizer, stateBytes,
            masterWeightBytes, activationFactor);
    }

    /// <summary>The general form: any split of total and trainable parameters and any precisions.</summary>
    /// <param name="totalParameters">All parameters held in memory.</param>
    /// <param name="trainableParameters">Parameters with gradients and optimizer states.</param>
    /// <param name="weightBytes">Bytes per stored weight.</param>
    /// <param name="gradientBytes">Bytes per gradient element.</param>
    /// <param name="optimizer">Optimizer (number of states).</param>
    /// <param name="stateBytes">Bytes per optimizer state element.</param>
    /// <param name="masterWeightBytes">Extra bytes per trainable parameter for master weights.</param>
    /// <param name="activationFactor">Activations as a multiple of the weight memory.</param>
    public static MemoryEstimate Compute(
        long totalParameters, long trainableParameters, double weightBytes, double gradientBytes, OptimizerKind optimizer,
        double stateBytes, double masterWeightBytes, double activationFactor)
    {
        MemoryBreakdown b = MemoryArithmetic.Estimate(
            totalParameters, trainableParameters, weightBytes, gradientBytes, States(optimizer), stateBytes, masterWeightBytes, activationFactor);
        return new MemoryEstimate(b.WeightBytes, b.GradientBytes, b.OptimizerBytes, b.ActivationBytes);
    }

    /// <summary>Optimizer-state bytes per trainable parameter: states·stateBytes + masterWeightBytes (AdamW fp32 + master: 12).</summary>
    public static double OptimizerBytesPerParameter(OptimizerKind optimizer, double stateBytes = Float32, double masterWeightBytes = Float32)
        => (States(optimizer) * stateBytes) + masterWeightBytes;

    /// <summary>True when the total fits in <paramref name="gib"/> GiB (the <see cref="MemoryBudgetAttribute"/> check).</summary>
    public bool FitsIn(double gib) => TotalGiB <= gib;

    /// <summary>"weights 4.00 GB + gradients 4.00 GB + optimizer states 8.00 GB + activations 6.00 GB = 22.00 GB (20.49 GiB)".</summary>
    public override string ToString()
        => MemoryArithmetic.Describe(new MemoryBreakdown(WeightBytes, GradientBytes, OptimizerBytes, ActivationBytes));

    // The state counts live in the shared arithmetic (the analyzer reads the optimizer by name too).
    private static int States(OptimizerKind optimizer)
    {
        int states = optimizer is >= OptimizerKind.AdamW and <= OptimizerKind.Sgd ? MemoryArithmetic.OptimizerStates(optimizer.ToString()) : -1;
        return states >= 0
            ? states
            : throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, $"'{nameof(optimizer)}' must be a defined {nameof(OptimizerKind)}.");
    }
}
