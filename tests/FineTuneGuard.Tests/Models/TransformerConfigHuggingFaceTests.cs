using System.IO;
using System.Text.Json.Nodes;
using FineTuneGuard.Tests.Serialization;

namespace FineTuneGuard.Tests.Models;

public class TransformerConfigHuggingFaceTests
{
    // A Llama-3.2-style config.json as transformers writes it (trimmed to the fields that matter, plus some it ignores).
    private const string Llama = """
        {
          "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
          "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
          "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
          "max_position_embeddings": 131072, "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false,
          "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                           "original_max_position_embeddings": 8192, "rope_type": "llama3"},
          "torch_dtype": "bfloat16", "bos_token_id": 128000, "pretraining_tp": 1, "use_cache": true
        }
        """;

    private const string Qwen2 = """
        {
          "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
          "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
          "num_key_value_heads": 2, "vocab_size": 151936, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
          "max_position_embeddings": 32768, "tie_word_embeddings": true, "use_sliding_window": false,
          "sliding_window": 32768, "max_window_layers": 21, "rope_scaling": null
        }
        """;

    private static TransformerConfig Parse(string json)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), json);
        return TransformerConfig.FromHuggingFaceJson(dir.File("config.json"));
    }

    private static string With(string json, string field, JsonNode? value)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        o[field] = value;
        return o.ToJsonString();
    }

    private static string Without(string json, string field)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        Assert.True(o.Remove(field));
        return o.ToJsonString();
    }

    private static CheckpointException Refused(string json, string field, string valueText)
    {
        var e = Assert.Throws<CheckpointException>(() => Parse(json));
        Assert.Equal(field, e.Field);
        Assert.Contains("'" + field + "'", e.Message, StringComparison.Ordinal);
        Assert.Contains(valueText, e.Message, StringComparison.Ordinal);
        Assert.EndsWith("config.json", e.FilePath, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void ReadsEveryFieldOfALlama32Config()
    {
        var c = Parse(Llama);
        Assert.Equal(16, c.Layers);
        Assert.Equal(2048, c.Hidden);
        Assert.Equal(32, c.Heads);
        Assert.Equal(8192, c.Intermediate);
        Assert.Equal(128256, c.Vocab);
        Assert.Equal(8, c.KvHeads);
        Assert.Equal(64, c.HeadDim);
        Assert.True(c.TiedEmbeddings);
        Assert.False(c.AttentionBias);
        Assert.Equal(1e-5, c.RmsNormEps);
        Assert.Equal(500000.0, c.RopeTheta);
        Assert.Equal(131072, c.MaxPositionEmbeddings);
        Assert.Equal("llama", c.ModelType);
        Assert.Equal(RopeScaling.Llama3(32, 1, 4, 8192), c.RopeScaling);
    }

    [Fact]
    public void ReadsADirectoryHoldingConfigJson()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), Llama);
        Assert.Equal(2048, TransformerConfig.FromHuggingFaceJson(dir.Path).Hidden);
    }

    [Fact]
    public void Qwen2AlwaysHasAttentionBiasAndIgnoresAnInactiveSlidingWindow()
    {
        var c = Parse(Qwen2);
        Assert.Equal("qwen2", c.ModelType);
        Assert.True(c.AttentionBias);
        Assert.Equal(64, c.EffectiveHeadDim); // absent head_dim: 896 / 14
        Assert.Equal(2, c.EffectiveKvHeads);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.Equal(1e6, c.RopeTheta);
        Assert.Null(c.RopeScaling);
        Assert.True(Parse(With(Qwen2, "attention_bias", false)).AttentionBias);
    }

    [Fact]
    public void AbsentOptionalFieldsTakeTransformersDefaults()
    {
        const string minimal = """
            {"model_type": "llama", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
             "num_attention_heads": 4, "vocab_size": 256}
            """;
        var c = Parse(minimal);
        Assert.Equal(4, c.EffectiveKvHeads);
        Assert.Equal(16, c.EffectiveHeadDim);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.Equal(10000, c.RopeTheta);
        Assert.Equal(2048, c.MaxPositionEmbeddings);
        Assert.False(c.TiedEmbeddings);
        Assert.False(c.AttentionBias);
        Assert.Null(c.RopeScaling);
        Assert.Equal(32768, Parse(With(minimal, "model_type", "qwen2")).MaxPositionEmbeddings);
        Assert.Equal(16, Parse(With(minimal, "head_dim", null)).EffectiveHeadDim); // null head_dim is absent
    }

    [Fact]
    public void NewMembersDefaultLikeLlamaConfig()
    {
        var c = new TransformerConfig(2, 64, 4, 160, 256);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.Equal(10000, c.RopeTheta);
        Assert.Equal(2048, c.MaxPositionEmbeddings);
        Assert.Equal("llama", c.ModelType);
        Assert.Null(c.RopeScaling);
    }

    [Fact]
    public void MistralIsAcceptedOnlyWithAnExplicitNullSlidingWindow()
    {
        string mistral = With(With(Without(Without(Llama, "rope_scaling"), "mlp_bias"), "model_type", "mistral"), "sliding_window", null);
        Assert.Equal("mistral", Parse(mistral).ModelType);
        Refused(With(mistral, "sliding_window", 4096), "sliding_window", "4096");
        Refused(Without(mistral, "sliding_window"), "sliding_window", "4096");
    }

    [Fact]
    public void LegacyTypeKeyAndLinearScaling()
    {
        var c = Parse(With(Llama, "rope_scaling", JsonNode.Parse("""{"type": "linear", "factor": 4.0}""")));
        Assert.Equal(RopeScaling.Linear(4), c.RopeScaling);
        Assert.Null(Parse(With(Llama, "rope_scaling", JsonNode.Parse("""{"rope_type": "default"}"""))).RopeScaling);
    }

    [Fact]
    public void RoundTripsThroughToHuggingFaceJson()
    {
        foreach (var c in new[] { Parse(Llama), Parse(Qwen2), Parse(With(Llama, "rope_scaling", JsonNode.Parse("""{"type": "linear", "factor": 2.5}"""))),
                     new TransformerConfig(3, 48, 6, 100, 77) { KvHeads = 3, HeadDim = 10, RmsNormEps = 1.25e-5, RopeTheta = 12345.5 } })
        {
            var back = Parse(c.ToHuggingFaceJson());
            Assert.Equal(c with { KvHeads = c.EffectiveKvHeads, HeadDim = c.EffectiveHeadDim }, back);
        }
    }

    [Theory]
    [InlineData("model_type", "\"gemma\"", "gemma")]
    [InlineData("hidden_act", "\"gelu\"", "gelu")]
    [InlineData("mlp_bias", "true", "true")]
    [InlineData("attention_bias", "true", "true")]
    [InlineData("partial_rotary_factor", "0.5", "0.5")]
    [InlineData("hidden_size", "0", "0")]
    [InlineData("intermediate_size", "-4", "-4")]
    [InlineData("num_hidden_layers", "2.5", "2.5")]
    [InlineData("num_attention_heads", "\"32\"", "\"32\"")]
    [InlineData("vocab_size", "0", "0")]
    [InlineData("num_key_value_heads", "5", "5")]
    [InlineData("head_dim", "0", "0")]
    [InlineData("head_dim", "63", "63")]
    [InlineData("rms_norm_eps", "0", "0")]
    [InlineData("rope_theta", "-1", "-1")]
    [InlineData("max_position_embeddings", "0", "0")]
    [InlineData("tie_word_embeddings", "1", "1")]
    public void RefusesAFieldNamingItAndItsValue(string field, string json, string valueText)
        => Refused(With(Llama, field, JsonNode.Parse(json)), field, valueText);

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("vocab_size")]
    [InlineData("model_type")]
    public void RefusesAMissingRequiredField(string field)
        => Refused(Without(Llama, field), field, "missing");

    [Fact]
    public void RefusesQwen2SlidingWindow()
        => Refused(With(Qwen2, "use_sliding_window", true), "use_sliding_window", "true");

    [Theory]
    [InlineData("""{"rope_type": "dynamic", "factor": 2.0}""", "rope_scaling.rope_type", "dynamic")]
    [InlineData("""{"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}""", "rope_scaling.rope_type", "yarn")]
    [InlineData("""{"type": "longrope", "long_factor": [1.0], "short_factor": [1.0]}""", "rope_scaling.rope_type", "longrope")]
    [InlineData("""{"factor": 2.0}""", "rope_scaling.rope_type", "missing")]
    [InlineData("""{"rope_type": "linear"}""", "rope_scaling.factor", "missing")]
    [InlineData("""{"rope_type": "linear", "factor": 0}""", "rope_scaling.factor", "0")]
    [InlineData("""{"rope_type": "linear", "factor": 2.0, "attention_factor": 0.5}""", "rope_scaling.attention_factor", "0.5")]
    [InlineData("""{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0}""", "rope_scaling.original_max_position_embeddings", "missing")]
    [InlineData("""{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}""", "rope_scaling.high_freq_factor", "4")]
    [InlineData("""{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192.5}""", "rope_scaling.original_max_position_embeddings", "8192.5")]
    [InlineData("[2.0]", "rope_scaling", "is not an object")]
    public void RefusesRopeScalingItCannotCompute(string scaling, string field, string valueText)
        => Refused(With(Llama, "rope_scaling", JsonNode.Parse(scaling)), field, valueText);

    [Fact]
    public void RefusesInvalidJsonAndAMissingFile()
    {
        var e = Assert.Throws<CheckpointException>(() => Parse("{\"hidden_size\": 64,"));
        Assert.Null(e.Field);
        Assert.Throws<CheckpointException>(() => Parse("[1, 2]"));
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => TransformerConfig.FromHuggingFaceJson(dir.Path));
    }

    [Fact]
    public void DefaultInverseFrequenciesAreThetaPowers()
    {
        var f = new TransformerConfig(1, 64, 4, 16, 8) { RopeTheta = 10000 }.RopeInverseFrequencies();
        Assert.Equal(8, f.Length); // head_dim 16
        Assert.Equal(1.0, f[0]);
        Assert.Equal(Math.Pow(10000, -2.0 / 16), f[1], 15);
        Assert.Equal(Math.Pow(10000, -14.0 / 16), f[7], 15);
    }

    [Fact]
    public void LinearScalingDividesEveryFrequency()
    {
        var c = new TransformerConfig(1, 64, 4, 16, 8) { RopeScaling = RopeScaling.Linear(4) };
        var plain = (c with { RopeScaling = null }).RopeInverseFrequencies();
        var scaled = c.RopeInverseFrequencies();
        for (int i = 0; i < plain.Length; i++)
            Assert.Equal(plain[i] / 4, scaled[i]);
    }

    [Fact]
    public void Llama3ScalingKeepsShortWavelengthsDividesLongOnesAndBlendsTheBand()
    {
        // Llama-3.2: head_dim 64, theta 500000, factor 32, low 1, high 4, original 8192. Wavelengths 2π/f: index 14
        // is 1956 < 8192/4 (kept), 15..17 lie in [2048, 8192] (blended), 18 is 10089 > 8192 (divided by 32).
        var c = new TransformerConfig(1, 2048, 32, 16, 8) { RopeTheta = 500000, RopeScaling = RopeScaling.Llama3(32, 1, 4, 8192) };
        var plain = (c with { RopeScaling = null }).RopeInverseFrequencies();
        var f = c.RopeInverseFrequencies();
        Assert.Equal(32, f.Length);
        for (int i = 0; i <= 14; i++)
            Assert.Equal(plain[i], f[i]);
        for (int i = 18; i < 32; i++)
            Assert.Equal(plain[i] / 32, f[i], 1e-20);
        // index 16: f = sqrt(2)/1000, wavelength 2π·1000/sqrt(2), smooth = (8192/wavelength - 1) / 3
        double f16 = Math.Sqrt(2) / 1000, smooth = (8192 / (2 * Math.PI / f16) - 1) / 3;
        Assert.Equal((1 - smooth) * f16 / 32 + smooth * f16, f[16], 1e-15);
        Assert.Equal(0.00042955679655936815, f[16], 1e-15);
        Assert.Equal(0.001290547928209264, f[15], 1e-15);
        Assert.Equal(9.70828780262767e-05, f[17], 1e-15);
    }

    [Fact]
    public void TensorShapeTableFollowsTheConfig()
    {
        var c = new TransformerConfig(2, 64, 4, 160, 256) { KvHeads = 2, HeadDim = 24, AttentionBias = true };
        var s = c.HuggingFaceTensorShapes();
        Assert.Equal(1 + 2 * 12 + 2, s.Count);
        Assert.Equal(new[] { 256, 64 }, s["model.embed_tokens.weight"]);
        Assert.Equal(new[] { 96, 64 }, s["model.layers.1.self_attn.q_proj.weight"]);
        Assert.Equal(new[] { 48, 64 }, s["model.layers.1.self_attn.k_proj.weight"]);
        Assert.Equal(new[] { 48, 64 }, s["model.layers.0.self_attn.v_proj.weight"]);
        Assert.Equal(new[] { 96 }, s["model.layers.0.self_attn.q_proj.bias"]);
        Assert.Equal(new[] { 48 }, s["model.layers.0.self_attn.v_proj.bias"]);
        Assert.Equal(new[] { 64, 96 }, s["model.layers.0.self_attn.o_proj.weight"]);
        Assert.Equal(new[] { 160, 64 }, s["model.layers.0.mlp.gate_proj.weight"]);
        Assert.Equal(new[] { 160, 64 }, s["model.layers.0.mlp.up_proj.weight"]);
        Assert.Equal(new[] { 64, 160 }, s["model.layers.0.mlp.down_proj.weight"]);
        Assert.Equal(new[] { 64 }, s["model.layers.0.input_layernorm.weight"]);
        Assert.Equal(new[] { 64 }, s["model.layers.0.post_attention_layernorm.weight"]);
        Assert.Equal(new[] { 64 }, s["model.norm.weight"]);
        Assert.Equal(new[] { 256, 64 }, s["lm_head.weight"]);
        var tied = (c with { TiedEmbeddings = true, AttentionBias = false }).HuggingFaceTensorShapes();
        Assert.False(tied.ContainsKey("lm_head.weight"));
        Assert.False(tied.ContainsKey("model.layers.0.self_attn.q_proj.bias"));
        Assert.Equal(1 + 2 * 9 + 1, tied.Count);
    }

    [Fact]
    public void TensorShapeTableSumsToTheParameterCount()
    {
        var c = new TransformerConfig(16, 2048, 32, 8192, 128256) { KvHeads = 8, TiedEmbeddings = true };
        long total = c.HuggingFaceTensorShapes().Values.Sum(s => s.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(1_235_814_400L, total); // Llama-3.2-1B
    }
}
