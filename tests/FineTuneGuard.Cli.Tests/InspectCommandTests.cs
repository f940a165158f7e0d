using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void ListsTensorsDTypesShapesAndCounts()
    {
        using var dir = new TempDirectory();
        string path = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.BF16);
        FtgResult result = Ftg.Run("inspect", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("model.layers.1.self_attn.v_proj.weight", StringComparison.Ordinal) && l.Contains("BF16", StringComparison.Ordinal) && l.Contains("[4, 6]", StringComparison.Ordinal) && l.EndsWith(" 24", StringComparison.Ordinal));
        Assert.Contains("metadata: format = pt", result.Out, StringComparison.Ordinal);

        // 2 embeddings (10·6) + final norm (6) + 2 layers of (2 norms 12 + q 36 + k 24 + v 24 + o 36 + gate 48 + up 48 + down 48).
        long expected = (2 * 60) + 6 + (2 * (12 + 36 + 24 + 24 + 36 + 48 + 48 + 48));
        Assert.Contains($"tensors: 21  parameters: {expected}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"BF16: 21 tensors, {expected} parameters", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AShardedCheckpointShowsItsShards()
    {
        using var dir = new TempDirectory();
        TinyLlama.WriteShardedBase(dir.Directory("base"), SafetensorsDType.F16);
        FtgResult result = Ftg.Run("inspect", dir.File("base"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(2 shards)", result.Out, StringComparison.Ordinal);
        Assert.Contains(result.Out.Split('\n'), l => l.StartsWith("lm_head.weight", StringComparison.Ordinal) && l.EndsWith("model-00002-of-00002.safetensors", StringComparison.Ordinal));
    }

    [Fact]
    public void RecognisesAPeftAdapterAndPrintsItsConfig()
    {
        using var dir = new TempDirectory();
        PeftLoraConfig config = TinyLlama.Config();
        config.RankPattern = [new("layers.1.self_attn.q_proj", 4)];
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"), TinyLlama.Adapter(config));
        FtgResult result = Ftg.Run("inspect", adapter);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("PEFT LoRA adapter", result.Out, StringComparison.Ordinal);
        Assert.Contains("lora_alpha:      5", result.Out, StringComparison.Ordinal);
        Assert.Contains("scaling:         2.5 (alpha/r)", result.Out, StringComparison.Ordinal);
        Assert.Contains("target_modules:  q_proj, v_proj", result.Out, StringComparison.Ordinal);
        Assert.Contains("rank_pattern:    layers.1.self_attn.q_proj=4", result.Out, StringComparison.Ordinal);
        string[] lines = result.Out.Split('\n');
        string layer1Q = Assert.Single(lines, l => l.StartsWith("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", StringComparison.Ordinal));
        string[] cells = layer1Q.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["F32", "[4, 6]", "24", "4", "5", "1.25"], cells[1..]); // dtype, shape, params, rank, alpha, scaling

        // LoRA parameters: layer 0 q (2·12) and v (2·10), layer 1 q (4·12) and v (2·10).
        Assert.Contains("LoRA parameters: 112", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptFileIsBadInput()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("bad.safetensors"), [1, 0, 0]);
        Ftg.AssertBadInput(Ftg.Run("inspect", dir.File("bad.safetensors")), "ftg inspect: error:", "bad.safetensors", "truncated");
    }

    [Fact]
    public void AMissingPathIsBadInput()
    {
        using var dir = new TempDirectory();
        Ftg.AssertBadInput(Ftg.Run("inspect", dir.File("nothing.safetensors")), "no such file");
    }
}
