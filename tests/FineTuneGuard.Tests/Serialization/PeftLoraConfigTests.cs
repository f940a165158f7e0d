using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class PeftLoraConfigTests
{
    // A config as PEFT 0.13 writes it (sorted keys, indent 2), with keys this library does not model.
    private const string PeftJson = """
        {
          "alpha_pattern": {},
          "auto_mapping": null,
          "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",
          "bias": "none",
          "fan_in_fan_out": false,
          "inference_mode": true,
          "init_lora_weights": true,
          "layer_replication": null,
          "layers_pattern": null,
          "layers_to_transform": null,
          "loftq_config": {},
          "lora_alpha": 16,
          "lora_dropout": 0.05,
          "megatron_config": null,
          "megatron_core": "megatron.core",
          "modules_to_save": null,
          "peft_type": "LORA",
          "r": 8,
          "rank_pattern": {},
          "revision": null,
          "target_modules": [
            "q_proj",
            "v_proj"
          ],
          "task_type": "CAUSAL_LM",
          "use_dora": false,
          "use_rslora": false
        }
        """;

    [Fact]
    public void ReadsPeftsFields()
    {
        PeftLoraConfig config = PeftLoraConfig.Parse(PeftJson);
        Assert.Equal(8, config.R);
        Assert.Equal(16, config.LoraAlpha);
        Assert.Equal(0.05, config.LoraDropout);
        Assert.Equal(["q_proj", "v_proj"], config.TargetModules);
        Assert.Null(config.TargetModulesRegex);
        Assert.False(config.UseRsLora);
        Assert.False(config.FanInFanOut);
        Assert.Equal("none", config.Bias);
        Assert.Equal("meta-llama/Llama-2-7b-hf", config.BaseModelNameOrPath);
        Assert.Equal("CAUSAL_LM", config.TaskType);
        Assert.Contains(config.AdditionalProperties, p => p.Key == "megatron_core" && p.Value == "\"megatron.core\"");
        Assert.Contains(config.AdditionalProperties, p => p.Key == "use_dora" && p.Value == "false");
    }

    [Fact]
    public void WritesPeftsOwnTextBack()
    {
        // Sorted keys, two-space indentation, integers without a fraction, unknown keys unchanged: the same text.
        string expected = PeftJson.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, PeftLoraConfig.Parse(PeftJson).ToJson());
    }

    [Fact]
    public void SaveAndLoadRoundTripEveryField()
    {
        var config = new PeftLoraConfig
        {
            R = 4,
            LoraAlpha = 12.5,
            TargetModulesRegex = @".*\.(q_proj|v_proj)",
            UseRsLora = true,
            FanInFanOut = true,
            Bias = "lora_only",
            RankPattern = [new("layers.0.self_attn.q_proj", 2)],
            AlphaPattern = [new("v_proj", 3.0)],
            TaskType = null,
            AdditionalProperties = [new("custom", "{\"nested\": [1, 2]}")],
        };
        using var dir = new TempDirectory();
        config.Save(dir.File("adapter_config.json"));
        PeftLoraConfig back = PeftLoraConfig.Load(dir.File("adapter_config.json"));
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(@".*\.(q_proj|v_proj)", back.TargetModulesRegex);
        Assert.Equal(12.5, back.LoraAlpha);
        Assert.Equal(["adapter_config.json"], dir.FileNames());
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.q_proj", true)]
    [InlineData("model.layers.31.self_attn.v_proj", true)]
    [InlineData("model.layers.0.self_attn.k_proj", false)]
    [InlineData("model.layers.0.self_attn.xq_proj", false)] // a suffix match must start at a dot
    [InlineData("q_proj", true)]
    public void ListTargetsMatchTheNameOrADottedSuffix(string module, bool expected)
    {
        var config = new PeftLoraConfig { TargetModules = ["q_proj", "v_proj"] };
        Assert.Equal(expected, config.IsTargeted(module));
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.q_proj", true)]
    [InlineData("model.layers.1.self_attn.q_proj", false)]
    [InlineData("model.layers.0.mlp.down_proj", true)]
    public void RegexTargetsMustMatchTheWholeName(string module, bool expected)
    {
        var config = new PeftLoraConfig { TargetModulesRegex = @".*layers\.0\..*(q_proj|down_proj)" };
        Assert.Equal(expected, config.IsTargeted(module));
    }

    [Fact]
    public void RankAndAlphaPatternsOverrideTheDefaultsPerModule()
    {
        var config = new PeftLoraConfig
        {
            R = 8,
            LoraAlpha = 16,
            RankPattern = [new("layers.0.self_attn.q_proj", 4), new("v_proj", 2)],
            AlphaPattern = [new("v_proj", 32.0)],
        };
        Assert.Equal(4, config.RankFor("model.layers.0.self_attn.q_proj"));
        Assert.Equal(8, config.RankFor("model.layers.10.self_attn.q_proj")); // "layers.0." must not match "layers.10."
        Assert.Equal(2, config.RankFor("model.layers.5.self_attn.v_proj"));
        Assert.Equal(32, config.AlphaFor("model.layers.5.self_attn.v_proj"));
        Assert.Equal(16, config.AlphaFor("model.layers.0.self_attn.q_proj"));
    }

    [Theory]
    [InlineData("{\"peft_type\": \"PREFIX_TUNING\", \"r\": 8}", "only LORA")]
    [InlineData("{\"r\": \"eight\"}", "r must be an integer")]
    [InlineData("{\"r\": 0}", "r must be > 0")]
    [InlineData("{\"target_modules\": 5}", "target_modules must be")]
    [InlineData("{\"r\": 8", "malformed JSON")]
    public void MalformedConfigsAreRefused(string json, string expected)
    {
        SafetensorsFormatException error = Assert.Throws<SafetensorsFormatException>(() => PeftLoraConfig.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
