using System;
using System.Globalization;
using System.Text.Json;

namespace FineTuneGuard;

/// <summary>
/// Reads one Hugging Face config.json object into a <see cref="TransformerConfig"/>, refusing (with the field and its
/// value) everything the Llama-architecture decoder would not compute exactly as transformers does.
/// </summary>
internal sealed class HuggingFaceConfigReader
{
    private readonly string _path;
    private readonly JsonElement _root;

    public HuggingFaceConfigReader(string path, JsonElement root)
    {
        _path = path;
        _root = root;
    }

    public TransformerConfig Read()
    {
        string modelType = String("model_type") ?? throw Refuse("model_type", "is missing (llama, qwen2 or mistral expected)");
        if (modelType is not ("llama" or "qwen2" or "mistral"))
            throw Refuse("model_type", $"'{modelType}' is not a Llama-architecture decoder this runtime computes (llama, qwen2, mistral)");

        string act = String("hidden_act") ?? "silu";
        if (act != "silu")
            throw Refuse("hidden_act", $"'{act}' is not implemented (only silu)");
        if (Bool("mlp_bias") == true)
            throw Refuse("mlp_bias", "true is not implemented (the MLP has no biases)");
        double partialRotary = Double("partial_rotary_factor") ?? 1.0;
        if (partialRotary != 1.0)
            throw Refuse("partial_rotary_factor", Number(partialRotary) + " is not implemented (rotary over the whole head only)");

        bool attentionBias;
        if (modelType == "qwen2")
        {
            // Qwen2 always has q/k/v biases and none on o_proj, whatever attention_bias says.
            attentionBias = true;
            if (Bool("use_sliding_window") == true)
                throw Refuse("use_sliding_window", "true is not implemented (full causal attention only)");
        }
        else
        {
            // LlamaConfig's attention_bias puts a bias on o_proj as well, which this model does not have.
            if (Bool("attention_bias") == true)
                throw Refuse("attention_bias", $"true on model_type {modelType} (biases on q, k, v and o_proj) is not implemented; only Qwen2's q/k/v biases are");
            attentionBias = false;
            if (modelType == "mistral")
            {
                // MistralConfig defaults sliding_window to 4096: only an explicit null is full attention.
                if (!_root.TryGetProperty("sliding_window", out var window))
                    throw Refuse("sliding_window", "is absent, and MistralConfig's default is 4096 (a sliding window is not implemented; null expected)");
                if (window.ValueKind != JsonValueKind.Null)
                    throw Refuse("sliding_window", window.GetRawText() + " is not implemented (null expected: full causal attention only)");
            }
        }

        int hidden = RequiredPositive("hidden_size");
        int intermediate = RequiredPositive("intermediate_size");
        int layers = RequiredPositive("num_hidden_layers");
        int heads = RequiredPositive("num_attention_heads");
        int vocab = RequiredPositive("vocab_size");
        int kvHeads = OptionalPositive("num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
            throw Refuse("num_key_value_heads", $"{kvHeads} does not divide num_attention_heads {heads}");
        int headDim = OptionalPositive("head_dim") ?? hidden / heads;
        if (headDim <= 0)
            throw Refuse("num_attention_heads", $"{heads} is more than hidden_size {hidden}, so head_dim would be 0");
        if (headDim % 2 != 0)
            throw Refuse("head_dim", $"{headDim} is odd (rotary embeddings rotate pairs)");

        double eps = Double("rms_norm_eps") ?? 1e-6;
        if (!(eps > 0) || double.IsInfinity(eps))
            throw Refuse("rms_norm_eps", Number(eps) + " is not a positive number");
        double theta = Double("rope_theta") ?? 10000;
        if (!(theta > 0) || double.IsInfinity(theta))
            throw Refuse("rope_theta", Number(theta) + " is not a positive number");
        int maxPositions = OptionalPositive("max_position_embeddings") ?? modelType switch
        {
            "qwen2" => 32768,
            "mistral" => 4096 * 32,
            _ => 2048,
        };

        return new TransformerConfig(layers, hidden, heads, intermediate, vocab)
        {
            KvHeads = kvHeads,
            HeadDim = headDim,
            TiedEmbeddings = Bool("tie_word_embeddings") ?? false,
            AttentionBias = attentionBias,
            RmsNormEps = eps,
            RopeTheta = theta,
            MaxPositionEmbeddings = maxPositions,
            ModelType = modelType,
            RopeScaling = ReadRopeScaling(),
        };
    }

    private RopeScaling? ReadRopeScaling()
    {
        if (!_root.TryGetProperty("rope_scaling", out var s) || s.ValueKind == JsonValueKind.Null)
            return null;
        if (s.ValueKind != JsonValueKind.Object)
            throw Refuse("rope_scaling", s.GetRawText() + " is not an object or null");
        // transformers reads rope_type, or the legacy key "type".
        string? type = null;
        if (s.TryGetProperty("rope_type", out var t) || s.TryGetProperty("type", out t))
            type = t.ValueKind == JsonValueKind.String ? t.GetString() : throw Refuse("rope_scaling.rope_type", t.GetRawText() + " is not a string");
        if (type is null)
            throw Refuse("rope_scaling.rope_type", "is missing");
        if (type == "default")
            return null;
        if (type is not (RopeScaling.LinearType or RopeScaling.Llama3Type))
            throw Refuse("rope_scaling.rope_type", $"'{type}' is not implemented (linear and llama3 are)");
        if (s.TryGetProperty("attention_factor", out var af) && !(af.ValueKind == JsonValueKind.Number && af.GetDouble() == 1.0) && af.ValueKind != JsonValueKind.Null)
            throw Refuse("rope_scaling.attention_factor", af.GetRawText() + " is not implemented (1 expected)");

        double factor = ScalingNumber(s, "factor");
        if (type == RopeScaling.LinearType)
            return RopeScaling.Linear(factor);
        double low = ScalingNumber(s, "low_freq_factor");
        double high = ScalingNumber(s, "high_freq_factor");
        if (!(high > low))
            throw Refuse("rope_scaling.high_freq_factor", $"{Number(high)} is not greater than low_freq_factor {Number(low)}");
        double original = ScalingNumber(s, "original_max_position_embeddings");
        if (original != Math.Floor(original) || original > int.MaxValue)
            throw Refuse("rope_scaling.original_max_position_embeddings", Number(original) + " is not a positive integer");
        return RopeScaling.Llama3(factor, low, high, (int)original);
    }

    private double ScalingNumber(JsonElement scaling, string name)
    {
        string field = "rope_scaling." + name;
        if (!scaling.TryGetProperty(name, out var e))
            throw Refuse(field, "is missing");
        if (e.ValueKind != JsonValueKind.Number)
            throw Refuse(field, e.GetRawText() + " is not a number");
        double v = e.GetDouble();
        if (!(v > 0) || double.IsInfinity(v))
            throw Refuse(field, Number(v) + " is not a positive number");
        return v;
    }

    private int RequiredPositive(string name)
        => OptionalPositive(name) ?? throw Refuse(name, "is missing");

    private int? OptionalPositive(string name)
    {
        if (!_root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v))
            throw Refuse(name, e.GetRawText() + " is not an integer");
        if (v <= 0 || v > int.MaxValue)
            throw Refuse(name, e.GetRawText() + " is not a positive size");
        return (int)v;
    }

    private double? Double(string name)
    {
        if (!_root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        if (e.ValueKind != JsonValueKind.Number)
            throw Refuse(name, e.GetRawText() + " is not a number");
        return e.GetDouble();
    }

    private bool? Bool(string name)
    {
        if (!_root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Refuse(name, e.GetRawText() + " is not true or false"),
        };
    }

    private string? String(string name)
    {
        if (!_root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw Refuse(name, e.GetRawText() + " is not a string");
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private CheckpointException Refuse(string field, string problem) => new(_path, field, problem);
}
