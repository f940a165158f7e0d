using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using FineTuneGuard.Kernels;

namespace FineTuneGuard;

// Reading and writing Hugging Face config.json, the rotary frequencies and the tensor-shape table: what a checkpoint
// loader and the decoder share, so that both agree on names and shapes.
public sealed partial record TransformerConfig
{
    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> (a file, or a directory holding one) of a Llama-architecture decoder:
    /// model_type <c>llama</c>, <c>qwen2</c> (q/k/v biases always on) or <c>mistral</c> with <c>sliding_window</c>
    /// null. Absent optional fields take transformers' defaults for that model type: num_key_value_heads = heads,
    /// head_dim = hidden / heads, rms_norm_eps 1e-6, rope_theta 10000, tie_word_embeddings false.
    /// </summary>
    /// <exception cref="CheckpointException">
    /// Anything that cannot be computed faithfully, named with its field and value: an unknown model_type, hidden_act
    /// other than silu, a rope_scaling type other than linear or llama3, a sliding window, mlp_bias, attention_bias on a
    /// llama/mistral model (it would put a bias on o_proj too), partial_rotary_factor other than 1; a missing required
    /// field, a non-positive size, heads not divisible by key/value heads; unreadable JSON.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TransformerConfig FromHuggingFaceJson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            path = System.IO.Path.Combine(path, "config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no config.json", path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, "not valid JSON: " + e.Message, e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, null, "the root is not a JSON object");
            return new HuggingFaceConfigReader(path, document.RootElement).Read();
        }
    }

    /// <summary>
    /// This config as a Hugging Face <c>config.json</c> (architectures, model_type, every field
    /// <see cref="FromHuggingFaceJson(string)"/> reads, hidden_act silu, torch_dtype), which reads back to an equal config.
    /// </summary>
    public string ToHuggingFaceJson(string torchDtype = "float32")
    {
        Validate();
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("architectures");
            w.WriteStringValue(ModelType switch { "qwen2" => "Qwen2ForCausalLM", "mistral" => "MistralForCausalLM", _ => "LlamaForCausalLM" });
            w.WriteEndArray();
            w.WriteString("model_type", ModelType);
            w.WriteNumber("hidden_size", Hidden);
            w.WriteNumber("intermediate_size", Intermediate);
            w.WriteNumber("num_hidden_layers", Layers);
            w.WriteNumber("num_attention_heads", Heads);
            w.WriteNumber("num_key_value_heads", EffectiveKvHeads);
            w.WriteNumber("head_dim", EffectiveHeadDim);
            w.WriteNumber("vocab_size", Vocab);
            w.WriteNumber("rms_norm_eps", RmsNormEps);
            w.WriteNumber("rope_theta", RopeTheta);
            w.WriteNumber("max_position_embeddings", MaxPositionEmbeddings);
            w.WriteBoolean("tie_word_embeddings", TiedEmbeddings);
            w.WriteBoolean("attention_bias", AttentionBias);
            if (ModelType != "qwen2")
                w.WriteBoolean("mlp_bias", false);
            if (ModelType == "mistral")
                w.WriteNull("sliding_window");
            if (ModelType == "qwen2")
                w.WriteBoolean("use_sliding_window", false);
            w.WriteString("hidden_act", "silu");
            if (RopeScaling is null)
            {
                w.WriteNull("rope_scaling");
            }
            else
            {
                w.WriteStartObject("rope_scaling");
                w.WriteString("rope_type", RopeScaling.Type);
                w.WriteNumber("factor", RopeScaling.Factor);
                if (RopeScaling.Type == RopeScaling.Llama3Type)
                {
                    w.WriteNumber("low_freq_factor", RopeScaling.LowFreqFactor);
                    w.WriteNumber("high_freq_factor", RopeScaling.HighFreqFactor);
                    w.WriteNumber("original_max_position_embeddings", RopeScaling.OriginalMaxPositionEmbeddings);
                }
                w.WriteEndObject();
            }
            w.WriteString("torch_dtype", torchDtype);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// The rotary inverse frequencies, one per pair of head dimensions: 1 / theta^(2i/headDim) for i in [0, headDim/2),
    /// then scaled by <see cref="RopeScaling"/> if set. In double; transformers computes the unscaled ones in float32.
    /// </summary>
    public double[] RopeInverseFrequencies()
    {
        double[] f = RotaryTable.DefaultInverseFrequencies(EffectiveHeadDim, RopeTheta);
        return RopeScaling is null ? f : RopeScaling.ScaleInverseFrequencies(f);
    }

    /// <summary>
    /// Every tensor of this model under its Hugging Face name, with its shape ([out, in] for linear weights), in the
    /// order transformers saves them: model.embed_tokens.weight [vocab, hidden]; per layer input_layernorm [hidden],
    /// self_attn.q_proj [heads·headDim, hidden], k_proj and v_proj [kvHeads·headDim, hidden] (with biases [out] when
    /// <see cref="AttentionBias"/>), o_proj [hidden, heads·headDim], post_attention_layernorm [hidden], mlp gate_proj and
    /// up_proj [intermediate, hidden], down_proj [hidden, intermediate]; model.norm.weight [hidden];
    /// lm_head.weight [vocab, hidden] unless <see cref="TiedEmbeddings"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> HuggingFaceTensorShapes()
    {
        Validate();
        int q = Heads * EffectiveHeadDim, kv = EffectiveKvHeads * EffectiveHeadDim;
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal)
        {
            ["model.embed_tokens.weight"] = new[] { Vocab, Hidden },
        };
        for (int layer = 0; layer < Layers; layer++)
        {
            string p = "model.layers." + layer.ToString(CultureInfo.InvariantCulture) + ".";
            shapes[p + "input_layernorm.weight"] = new[] { Hidden };
            shapes[p + "self_attn.q_proj.weight"] = new[] { q, Hidden };
            shapes[p + "self_attn.k_proj.weight"] = new[] { kv, Hidden };
            shapes[p + "self_attn.v_proj.weight"] = new[] { kv, Hidden };
            if (AttentionBias)
            {
                shapes[p + "self_attn.q_proj.bias"] = new[] { q };
                shapes[p + "self_attn.k_proj.bias"] = new[] { kv };
                shapes[p + "self_attn.v_proj.bias"] = new[] { kv };
            }
            shapes[p + "self_attn.o_proj.weight"] = new[] { Hidden, q };
            shapes[p + "post_attention_layernorm.weight"] = new[] { Hidden };
            shapes[p + "mlp.gate_proj.weight"] = new[] { Intermediate, Hidden };
            shapes[p + "mlp.up_proj.weight"] = new[] { Intermediate, Hidden };
            shapes[p + "mlp.down_proj.weight"] = new[] { Hidden, Intermediate };
        }
        shapes["model.norm.weight"] = new[] { Hidden };
        if (!TiedEmbeddings)
            shapes["lm_head.weight"] = new[] { Vocab, Hidden };
        return shapes;
    }
}
