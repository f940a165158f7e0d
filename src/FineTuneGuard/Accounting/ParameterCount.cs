using System;
using FineTuneGuard.Attention;
using FineTuneGuard.Internal;
using FineTuneGuard.Kernels;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Accounting;

/// <summary>
/// Trainable and total parameter counts of the PEFT methods and of a Llama-style decoder: the numbers PEFT prints with
/// <c>print_trainable_parameters()</c>. The same arithmetic as the generator's compile-time constants (one shared
/// implementation), in checked long arithmetic: an overflow throws <see cref="OverflowException"/>.
/// </summary>
public static class ParameterCount
{
    /// <summary>LoRA on one (out x in) matrix: r·(in + out) (A is r x in, B is out x r). Seeds: 4096², r 8 → 65,536.</summary>
    public static long Lora(int inFeatures, int outFeatures, int rank)
    {
        Guard.Positive(inFeatures);
        Guard.Positive(outFeatures);
        Guard.Positive(rank);
        return ParameterArithmetic.Lora(inFeatures, outFeatures, rank);
    }

    /// <summary>Bottleneck adapter: 2·d·b, plus b + d with biases. Seeds: d 4096, b 64 → 524,288 per layer.</summary>
    public static long BottleneckAdapter(int modelDim, int bottleneck, bool bias = true)
    {
        Guard.Positive(modelDim);
        Guard.Positive(bottleneck);
        return ParameterArithmetic.BottleneckAdapter(modelDim, bottleneck, bias);
    }

    /// <summary>
    /// Prefix tuning: layers·prefixLength·heads·headDim·2 (keys and values), or with a reparameterisation MLP of width
    /// <paramref name="projectionHidden"/> the MLP's parameters as PEFT's <c>PrefixEncoder</c>. Seeds: 32, 16, 32, 128 → 4,194,304.
    /// </summary>
    public static long Prefix(int layers, int prefixLength, int heads, int headDim, int projectionHidden = 0)
    {
        Guard.Positive(layers);
        Guard.Positive(prefixLength);
        Guard.Positive(heads);
        Guard.Positive(headDim);
        Guard.NonNegative(projectionHidden);
        return ParameterArithmetic.Prefix(layers, prefixLength, heads, headDim, projectionHidden);
    }

    /// <summary>Prompt tuning: virtualTokens·dim.</summary>
    public static long Prompt(int virtualTokens, int dim)
    {
        Guard.Positive(virtualTokens);
        Guard.Positive(dim);
        return ParameterArithmetic.Prompt(virtualTokens, dim);
    }

    /// <summary>All parameters of a Llama-style decoder (Llama-2-7B: 6,738,415,616).</summary>
    public static long Transformer(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return ParameterArithmetic.TransformerTotal(
            config.Layers, config.Hidden, config.Heads, config.EffectiveKvHeads, config.EffectiveHeadDim, config.Intermediate,
            config.Vocab, config.TiedEmbeddings, config.AttentionBias);
    }

    /// <summary>
    /// LoRA parameters over the named modules ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
    /// "down_proj") of every layer. Llama-2-7B, q_proj + v_proj, r 8 → 4,194,304. Unknown names throw
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public static long TransformerLora(TransformerConfig config, string[] targets, int rank)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(targets);
        config.Validate();
        Guard.Positive(rank);
        return ParameterArithmetic.TransformerLora(
            config.Layers, config.Hidden, config.Heads, config.EffectiveKvHeads, config.EffectiveHeadDim, config.Intermediate, targets, rank);
    }

    /// <summary>PEFT's trainable%: 100·trainable / all.</summary>
    public static double TrainablePercent(long trainable, long all) => ParameterArithmetic.TrainablePercent(trainable, all);

    /// <summary>
    /// PEFT's line, e.g. <c>trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622</c>, where
    /// "all" includes the adapter parameters (base + trainable).
    /// </summary>
    public static string PeftSummary(long trainable, long all)
    {
        if (trainable < 0 || all < trainable)
        {
            throw new ArgumentOutOfRangeException(nameof(trainable), trainable, $"Counts must satisfy 0 <= trainable ({trainable}) <= all ({all}).");
        }

        return ParameterArithmetic.PeftSummary(trainable, all);
    }
}
