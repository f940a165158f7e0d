using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class ShardedSafetensorsTests
{
    private static void WriteShards(TempDirectory dir, string weightMapJson)
    {
        SafetensorsWriter.WriteFile(dir.File("model-00001-of-00002.safetensors"), [
            SafetensorsTensor.FromFloat32("model.embed_tokens.weight", SafetensorsDType.BF16, [2, 2], [1f, 2f, 3f, 4f]),
            SafetensorsTensor.FromFloat32("model.layers.0.self_attn.q_proj.weight", SafetensorsDType.BF16, [2, 2], [5f, 6f, 7f, 8f]),
        ]);
        SafetensorsWriter.WriteFile(dir.File("model-00002-of-00002.safetensors"), [
            SafetensorsTensor.FromFloat32("lm_head.weight", SafetensorsDType.BF16, [2, 2], [9f, 10f, 11f, 12f]),
        ]);
        File.WriteAllText(dir.File(SafetensorsIndex.DefaultFileName), "{\"metadata\": {\"total_size\": 24}, \"weight_map\": " + weightMapJson + "}");
    }

    private const string GoodMap = "{\"lm_head.weight\": \"model-00002-of-00002.safetensors\", \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\", \"model.layers.0.self_attn.q_proj.weight\": \"model-00001-of-00002.safetensors\"}";

    [Fact]
    public void ADirectoryWithAnIndexOpensEveryShard()
    {
        using var dir = new TempDirectory();
        WriteShards(dir, GoodMap);
        using SafetensorsModel model = SafetensorsModel.Open(dir.Path);
        Assert.NotNull(model.Index);
        Assert.Equal(24, model.Index!.TotalSize);
        Assert.Equal(2, model.Files.Count);
        Assert.Equal(["lm_head.weight", "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight"], model.Tensors.Select(t => t.Info.Name).Order(StringComparer.Ordinal));
        Assert.True(model.TryGetTensor("lm_head.weight", out SafetensorsModelTensor head));
        Assert.Equal([9f, 10f, 11f, 12f], head.File.ReadFloat32("lm_head.weight"));
    }

    [Fact]
    public void ASingleFileOpensAsAModel()
    {
        using var dir = new TempDirectory();
        WriteShards(dir, GoodMap);
        using SafetensorsModel model = SafetensorsModel.Open(dir.File("model-00002-of-00002.safetensors"));
        Assert.Null(model.Index);
        Assert.Single(model.Tensors);
    }

    [Theory]
    [InlineData("{\"lm_head.weight\": \"model-00002-of-00002.safetensors\", \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\"}", "does not list it")]
    [InlineData("{\"lm_head.weight\": \"model-00001-of-00002.safetensors\", \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\", \"model.layers.0.self_attn.q_proj.weight\": \"model-00001-of-00002.safetensors\"}", "has no such tensor")]
    [InlineData("{\"lm_head.weight\": \"../elsewhere.safetensors\"}", "not a plain file name")]
    [InlineData("{\"lm_head.weight\": \"model-00003-of-00003.safetensors\"}", "does not exist")]
    [InlineData("{}", "empty")]
    [InlineData("[]", "not an object")]
    [InlineData("{\"lm_head.weight\": ", "malformed JSON")]
    public void AnIndexThatDisagreesWithItsShardsIsRefused(string weightMap, string expected)
    {
        using var dir = new TempDirectory();
        WriteShards(dir, weightMap);
        SafetensorsFormatException error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsModel.Open(dir.File(SafetensorsIndex.DefaultFileName)).Dispose());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(SafetensorsIndex.DefaultFileName, error.Message, StringComparison.Ordinal);
    }
}
