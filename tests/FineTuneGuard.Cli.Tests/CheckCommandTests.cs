using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli.Tests;

public class CheckCommandTests
{
    [Fact]
    public void AConsistentAdapterPasses()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.BF16);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        FtgResult result = Ftg.Run("check", adapter, "--base", basePath);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: the config and the tensors agree.", result.Out, StringComparison.Ordinal);
        Assert.Contains("note: scaling alpha/r = 5/2 = 2.5 for 4 modules (q_proj, v_proj).", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ARankThatDisagreesWithTheConfigIsAFinding()
    {
        using var dir = new TempDirectory();
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        PeftLoraConfig config = TinyLlama.Config();
        config.RankPattern = [new("v_proj", 4)];
        config.Save(Path.Combine(adapter, "adapter_config.json"));
        FtgResult result = Ftg.Run("check", adapter);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("finding: module 'model.layers.0.self_attn.v_proj': rank 2 in the tensors, but the config gives 4 (rank_pattern 'v_proj')", result.Out, StringComparison.Ordinal);
        Assert.Contains("2 findings.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraAndMissingTargetsAreFindings()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        PeftLoraConfig config = TinyLlama.Config();
        config.TargetModules = ["q_proj", "k_proj"];
        config.AlphaPattern = [new("o_proj", 3.0)];
        config.Save(Path.Combine(adapter, "adapter_config.json"));
        FtgResult result = Ftg.Run("check", adapter, "--base", basePath);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("finding: extra target: module 'model.layers.0.self_attn.v_proj' has LoRA tensors but target_modules (q_proj, k_proj) does not select it.", result.Out, StringComparison.Ordinal);
        Assert.Contains("finding: missing target: target_modules names 'k_proj' but no module of the adapter matches it.", result.Out, StringComparison.Ordinal);
        Assert.Contains("finding: missing target: 2 base modules selected by target_modules have no LoRA factors (first: 'model.layers.0.self_attn.k_proj').", result.Out, StringComparison.Ordinal);
        Assert.Contains("finding: alpha_pattern key 'o_proj' matches no adapted module.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ShapesThatDoNotFitTheBaseAreFindings()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        var config = new PeftLoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["k_proj", "q_proj"] };
        string adapter = dir.Directory("adapter");
        new PeftLoraAdapter(config, [
            new LoraTensorPair("model.layers.0.self_attn.k_proj", 6, 6, 2, new float[12], new float[12], 4, false),
            new LoraTensorPair("model.layers.9.self_attn.q_proj", 6, 6, 2, new float[12], new float[12], 4, false),
        ]).Save(adapter);
        FtgResult result = Ftg.Run("check", adapter, "--base", basePath);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("base 'model.layers.0.self_attn.k_proj.weight' [4, 6] does not fit A [2, 6] and B [6, 2]", result.Out, StringComparison.Ordinal);
        Assert.Contains("the base has no tensor 'model.layers.9.self_attn.q_proj.weight'", result.Out, StringComparison.Ordinal);
        Assert.Contains("note: module 'model.layers.0.self_attn.k_proj': B is all zeros", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void UnpairedAndNonFiniteFactorsAreFindings()
    {
        using var dir = new TempDirectory();
        string adapter = dir.Directory("adapter");
        TinyLlama.Config().Save(Path.Combine(adapter, "adapter_config.json"));
        SafetensorsWriter.WriteFile(Path.Combine(adapter, "adapter_model.safetensors"), [
            SafetensorsTensor.FromFloat32("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", SafetensorsDType.F32, [2, 6], new float[12]),
            SafetensorsTensor.FromFloat32("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", SafetensorsDType.F32, [2, 6], [float.PositiveInfinity, .. new float[11]]),
            SafetensorsTensor.FromFloat32("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", SafetensorsDType.F32, [4, 3], new float[12]),
            SafetensorsTensor.FromFloat32("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight", SafetensorsDType.F32, [2, 6], [float.NaN, .. new float[11]]),
            SafetensorsTensor.FromFloat32("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", SafetensorsDType.F32, [4, 2], new float[8]),
            SafetensorsTensor.FromFloat32("base_model.model.lm_head.modules_to_save.weight", SafetensorsDType.F32, [2], new float[2]),
        ]);
        FtgResult result = Ftg.Run("check", adapter);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("finding: module 'model.layers.0.self_attn.q_proj': lora_A without lora_B.", result.Out, StringComparison.Ordinal);
        Assert.Contains("finding: module 'model.layers.0.self_attn.v_proj': A [2, 6] has rank 2 but B [4, 3] has 3 columns.", result.Out, StringComparison.Ordinal);
        Assert.Contains("finding: module 'model.layers.1.self_attn.v_proj': A holds NaN at element 0.", result.Out, StringComparison.Ordinal);
        Assert.Contains("note: tensor 'base_model.model.lm_head.modules_to_save.weight' is not a LoRA factor", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedConfigIsBadInputNotAFinding()
    {
        using var dir = new TempDirectory();
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), "{\"r\": 8,");
        Ftg.AssertBadInput(Ftg.Run("check", adapter), "ftg check: error:", "adapter_config.json", "malformed JSON");
    }
}
