// Shared, dependency-free parameter arithmetic. This one file is compiled into the runtime (FineTuneGuard), the
// source generator / analyzers (netstandard2.0) and the CLI, so that the compile-time constants, the runtime
// accounting and `ftg count` can never disagree. Every method uses checked long arithmetic: an overflow throws
// OverflowException, which the generator turns into "emit nothing" and the analyzer into FTG0101.
using System;

namespace FineTuneGuard.Internal;

/// <summary>Trainable and total parameter counts of the PEFT methods and of a Llama-style decoder.</summary>
internal static class ParameterArithmetic
{
    /// <summary>The module names of one Llama-style decoder layer that a LoRA target may name, in PEFT's spelling.</summary>
    public static readonly string[] LinearModules = { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" };

    /// <summary>LoRA on one (out x in) matrix: A is (r x in), B is (out x r), so r·(in + out).</summary>
    public static long Lora(int inFeatures, int outFeatures, int rank)
        => checked((long)rank * ((long)inFeatures + outFeatures));

    /// <summary>Bottleneck adapter: down (b x d) and up (d x b), plus biases b and d when present: 2·d·b (+ b + d).</summary>
    public static long BottleneckAdapter(int modelDim, int bottleneck, bool bias)
        => checked((2L * modelDim * bottleneck) + (bias ? (long)bottleneck + modelDim : 0L));

    /// <summary>
    /// Prefix tuning: layers·prefixLength·heads·headDim·2 key/value entries. With a reparameterisation MLP of hidden
    /// width h (trained, then folded away): the prefix embedding (prefixLength x heads·headDim), the first linear
    /// (heads·headDim → h, with bias) and the second (h → layers·2·heads·headDim, with bias), as PEFT's
    /// <c>PrefixEncoder</c> with <c>prefix_projection=True</c>.
    /// </summary>
    public static long Prefix(int layers, int prefixLength, int heads, int headDim, int projectionHidden)
    {
        checked
        {
            long dim = (long)heads * headDim;
            long kv = 2L * layers * dim;
            if (projectionHidden <= 0)
            {
                return prefixLength * kv;
            }

            long embedding = prefixLength * dim;
            long first = (dim * projectionHidden) + projectionHidden;
            long second = ((long)projectionHidden * kv) + kv;
            return embedding + first + second;
        }
    }

    /// <summary>Prompt tuning: virtualTokens·embeddingDim.</summary>
    public static long Prompt(int virtualTokens, int embeddingDim)
        => checked((long)virtualTokens * embeddingDim);

    /// <summary>
    /// The (in, out) shape of a named linear module of a Llama-style decoder layer, or false for an unknown name.
    /// </summary>
    public static bool TryGetModuleShape(
        string module, int hidden, int heads, int kvHeads, int headDim, int intermediate, out int inFeatures, out int outFeatures)
    {
        checked
        {
            switch (module)
            {
                case "q_proj": inFeatures = hidden; outFeatures = heads * headDim; return true;
                case "k_proj":
                case "v_proj": inFeatures = hidden; outFeatures = kvHeads * headDim; return true;
                case "o_proj": inFeatures = heads * headDim; outFeatures = hidden; return true;
                case "gate_proj":
                case "up_proj": inFeatures = hidden; outFeatures = intermediate; return true;
                case "down_proj": inFeatures = intermediate; outFeatures = hidden; return true;
                default: inFeatures = 0; outFeatures = 0; return false;
            }
        }
    }

    /// <summary>
    /// All parameters of a Llama-style decoder: per layer q (hidden·heads·hd [+ heads·hd]), k and v
    /// (hidden·kvHeads·hd [+ kvHeads·hd] each), o (heads·hd·hidden), gate and up (hidden·intermediate each), down
    /// (intermediate·hidden), two RMSNorm vectors (2·hidden); then the final norm (hidden), the embeddings
    /// (vocab·hidden) and lm_head (vocab·hidden, absent when tied).
    /// </summary>
    public static long TransformerTotal(
        int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocab, bool tiedEmbeddings, bool attentionBias)
    {
        checked
        {
            long q = (long)heads * headDim;
            long kv = (long)kvHeads * headDim;
            long attention = (hidden * q) + (2 * hidden * kv) + (q * hidden);
            if (attentionBias)
            {
                attention += q + (2 * kv);
            }

            long mlp = 3L * hidden * intermediate;
            long norms = 2L * hidden;
            long perLayer = attention + mlp + norms;
            long embeddings = (long)vocab * hidden;
            return (layers * perLayer) + hidden + embeddings + (tiedEmbeddings ? 0 : embeddings);
        }
    }

    /// <summary>LoRA parameters over the targeted modules of every layer: layers·Σ r·(in + out).</summary>
    public static long TransformerLora(
        int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, string[] modules, int rank)
    {
        checked
        {
            long perLayer = 0;
            foreach (string module in modules)
            {
                if (!TryGetModuleShape(module, hidden, heads, kvHeads, headDim, intermediate, out int inFeatures, out int outFeatures))
                {
                    throw new ArgumentException($"Unknown LoRA target module '{module}'. Known: {string.Join(", ", LinearModules)}.", nameof(modules));
                }

                perLayer += Lora(inFeatures, outFeatures, rank);
            }

            return layers * perLayer;
        }
    }

    /// <summary>
    /// LoRA scaling: alpha / r, or alpha / sqrt(r) with rank-stabilised LoRA, in float exactly as the runtime's
    /// <c>Lora.Scaling</c> (<c>alpha / MathF.Sqrt(r)</c>; a double sqrt rounded to float is the correctly rounded float
    /// sqrt), so that generated constants and runtime scaling agree bit for bit.
    /// </summary>
    public static float LoraScaling(float alpha, int rank, bool useRsLora)
        => useRsLora ? alpha / (float)Math.Sqrt(rank) : alpha / rank;

    /// <summary>PEFT's trainable%: 100·trainable / all, where "all" includes the trainable adapter parameters.</summary>
    public static double TrainablePercent(long trainable, long all) => all == 0 ? 0 : 100.0 * trainable / all;

    /// <summary>
    /// The line PEFT's <c>print_trainable_parameters()</c> prints:
    /// <c>trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622</c> (Python's <c>{:,d}</c> and
    /// <c>{:.4f}</c>).
    /// </summary>
    public static string PeftSummary(long trainable, long all)
        => "trainable params: " + trainable.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
           + " || all params: " + all.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
           + " || trainable%: " + TrainablePercent(trainable, all).ToString("F4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The largest element count of a single .NET array (<c>Array.MaxLength</c>), the limit of one generated storage buffer.</summary>
    public const long MaxArrayLength = 0x7FFFFFC7;

    /// <summary>
    /// The product of non-negative dimensions, or <see cref="long.MaxValue"/> when it overflows: for limit checks
    /// ("does this buffer fit?") that must not throw.
    /// </summary>
    public static long SaturatingProduct(params long[] factors)
    {
        long product = 1;
        foreach (long factor in factors)
        {
            if (factor != 0 && product > long.MaxValue / factor)
            {
                return long.MaxValue;
            }

            product *= factor;
        }

        return product;
    }
}
