// Shared, dependency-free training-memory arithmetic. Compiled into the runtime (FineTuneGuard.MemoryEstimate wraps
// it) and into the netstandard2.0 generator/analyzers (FTG0104 checks [MemoryBudget] with it), so that the compile-time
// warning and the runtime estimate can never disagree. Plain double arithmetic: no overflow, no allocation except the
// description string.
using System;
using System.Globalization;

namespace FineTuneGuard.Internal;

/// <summary>
/// Training memory in bytes, split as the seeds' memory slide splits it (weights, gradients, optimizer states,
/// activations).
/// </summary>
internal readonly struct MemoryBreakdown
{
    public MemoryBreakdown(double weightBytes, double gradientBytes, double optimizerBytes, double activationBytes)
    {
        WeightBytes = weightBytes;
        GradientBytes = gradientBytes;
        OptimizerBytes = optimizerBytes;
        ActivationBytes = activationBytes;
    }

    /// <summary>Every parameter (frozen base and trainable adapters) at its storage precision.</summary>
    public double WeightBytes { get; }

    /// <summary>One gradient per trainable parameter.</summary>
    public double GradientBytes { get; }

    /// <summary>Optimizer states (and fp32 master weights when counted) per trainable parameter.</summary>
    public double OptimizerBytes { get; }

    /// <summary>Activations kept for backward: a multiple of the weight memory (architecture, batch and sequence dependent).</summary>
    public double ActivationBytes { get; }

    /// <summary>The sum of the four parts.</summary>
    public double TotalBytes => WeightBytes + GradientBytes + OptimizerBytes + ActivationBytes;
}

/// <summary>The arithmetic of a training-memory estimate for full fine-tuning and for PEFT.</summary>
internal static class MemoryArithmetic
{
    /// <summary>Bytes in a (decimal) gigabyte, the unit of the seeds ("2B (FP16) = 4GB", "84 GB").</summary>
    public const double BytesPerGB = 1e9;

    /// <summary>Bytes in a gibibyte, the unit of <c>[MemoryBudget]</c>.</summary>
    public const double BytesPerGiB = 1073741824.0;

    /// <summary>The seeds' rule of thumb: activations take about 1.5x the model's weight memory.</summary>
    public const double DefaultActivationFactor = 1.5;

    /// <summary>
    /// The optimizer states per trainable parameter of a named optimizer: Adam/AdamW keep two (mean and variance),
    /// SGD with momentum one, plain SGD none; -1 for an unknown name.
    /// </summary>
    public static int OptimizerStates(string optimizer)
    {
        switch ((optimizer ?? string.Empty).ToUpperInvariant())
        {
            case "ADAM":
            case "ADAMW":
                return 2;
            case "SGDMOMENTUM":
            case "MOMENTUM":
                return 1;
            case "SGD":
                return 0;
            default:
                return -1;
        }
    }

    /// <summary>
    /// weights = total·weightBytes; gradients = trainable·gradientBytes;
    /// optimizer = trainable·(states·stateBytes + masterWeightBytes); activations = activationFactor·weights.
    /// Full fine-tuning is trainable = total; PEFT keeps every weight but trains only the adapters, so it saves
    /// gradients and optimizer states, not weights or activations (the lesson's "PEFT reduces optimizer-state
    /// memory but not all activation memory").
    /// </summary>
    /// <param name="totalParameters">All parameters held in memory (base + adapters), &gt;= 0.</param>
    /// <param name="trainableParameters">Parameters that get gradients and optimizer states, 0 &lt;= trainable &lt;= total.</param>
    /// <param name="weightBytes">Bytes per stored weight (2 fp16/bf16, 4 fp32, 1 int8, 0.5 4-bit).</param>
    /// <param name="gradientBytes">Bytes per gradient element.</param>
    /// <param name="optimizerStates">States per trainable parameter (2 for Adam).</param>
    /// <param name="stateBytes">Bytes per optimizer state element.</param>
    /// <param name="masterWeightBytes">Extra bytes per trainable parameter for fp32 master weights in mixed precision (0 if none).</param>
    /// <param name="activationFactor">Activation memory as a multiple of the weight memory.</param>
    public static MemoryBreakdown Estimate(
        long totalParameters, long trainableParameters, double weightBytes, double gradientBytes, int optimizerStates,
        double stateBytes, double masterWeightBytes, double activationFactor)
    {
        if (totalParameters < 0 || trainableParameters < 0 || trainableParameters > totalParameters)
        {
            throw new ArgumentOutOfRangeException(
                nameof(trainableParameters), trainableParameters,
                "Parameter counts must satisfy 0 <= trainable (" + trainableParameters.ToString(CultureInfo.InvariantCulture)
                + ") <= total (" + totalParameters.ToString(CultureInfo.InvariantCulture) + ").");
        }

        RequireNonNegative(weightBytes, nameof(weightBytes));
        RequireNonNegative(gradientBytes, nameof(gradientBytes));
        RequireNonNegative(stateBytes, nameof(stateBytes));
        RequireNonNegative(masterWeightBytes, nameof(masterWeightBytes));
        RequireNonNegative(activationFactor, nameof(activationFactor));
        if (optimizerStates < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(optimizerStates), optimizerStates, "'optimizerStates' must be >= 0.");
        }

        double weights = totalParameters * weightBytes;
        double gradients = trainableParameters * gradientBytes;
        double optimizer = trainableParameters * ((optimizerStates * stateBytes) + masterWeightBytes);
        return new MemoryBreakdown(weights, gradients, optimizer, activationFactor * weights);
    }

    /// <summary>
    /// Adam/AdamW in mixed precision: fp32 mean + fp32 variance + fp32 master weights = 12 bytes per trainable
    /// parameter (the theory notebook's <c>adam_bytes_per_trainable</c>).
    /// </summary>
    public const double AdamMixedPrecisionBytesPerTrainable = 12;

    /// <summary>
    /// Adam with states as wide as the weights (the memory slide's "two tensors: mean + variance", each the model's
    /// size): 2·weightBytes per trainable parameter.
    /// </summary>
    public static double AdamSameWidthBytesPerTrainable(double weightBytes) => 2 * weightBytes;

    /// <summary>
    /// The short form an analyzer needs: gradients as wide as the weights and a single optimizer byte count per
    /// trainable parameter (e.g. <see cref="AdamMixedPrecisionBytesPerTrainable"/>).
    /// </summary>
    public static MemoryBreakdown Estimate(
        long totalParameters, long trainableParameters, double weightBytes, double optimizerBytesPerTrainable, double activationFactor)
        => Estimate(totalParameters, trainableParameters, weightBytes, weightBytes, 1, optimizerBytesPerTrainable, 0, activationFactor);

    /// <summary>Bytes to decimal gigabytes.</summary>
    public static double ToGB(double bytes) => bytes / BytesPerGB;

    /// <summary>Bytes to gibibytes.</summary>
    public static double ToGiB(double bytes) => bytes / BytesPerGiB;

    /// <summary>
    /// "weights 4.00 GB + gradients 4.00 GB + optimizer states 8.00 GB + activations 6.00 GB = 22.00 GB (20.49 GiB)":
    /// the breakdown FTG0104's message and <c>MemoryEstimate.ToString()</c> print.
    /// </summary>
    public static string Describe(MemoryBreakdown memory)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return "weights " + ToGB(memory.WeightBytes).ToString("F2", c) + " GB"
            + " + gradients " + ToGB(memory.GradientBytes).ToString("F2", c) + " GB"
            + " + optimizer states " + ToGB(memory.OptimizerBytes).ToString("F2", c) + " GB"
            + " + activations " + ToGB(memory.ActivationBytes).ToString("F2", c) + " GB"
            + " = " + ToGB(memory.TotalBytes).ToString("F2", c) + " GB (" + ToGiB(memory.TotalBytes).ToString("F2", c) + " GiB)";
    }

    private static void RequireNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "'" + name + "' must be finite and >= 0.");
        }
    }
}
