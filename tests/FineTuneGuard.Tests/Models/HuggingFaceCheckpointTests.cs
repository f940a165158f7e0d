using System.IO;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;
using FineTuneGuard.Tests.Serialization;

namespace FineTuneGuard.Tests.Models;

public class HuggingFaceCheckpointTests
{
    private static readonly TransformerConfig Small = new(2, 8, 2, 12, 10) { KvHeads = 1, AttentionBias = true, ModelType = "qwen2" };

    private static List<(string Name, int[] Shape, float[] Values)> RandomTensors(TransformerConfig config, int seed = 1)
    {
        var rng = new Random(seed);
        return config.HuggingFaceTensorShapes()
            .Select(p => (p.Key, p.Value, Enumerable.Range(0, p.Value.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()))
            .ToList();
    }

    private static void AssertSame(List<(string Name, int[] Shape, float[] Values)> written, Dictionary<string, float[]> read)
    {
        Assert.Equal(written.Count, read.Count);
        foreach (var (name, _, values) in written)
            Assert.Equal(values, read[name]);
    }

    [Fact]
    public void RoundTripsConfigAndTensorsBitForBit()
    {
        using var dir = new TempDirectory();
        var tensors = RandomTensors(Small);
        HuggingFaceCheckpoint.Write(dir.Path, Small, tensors);
        Assert.Equal(new[] { "config.json", "model.safetensors" }, dir.FileNames());
        var (config, read) = HuggingFaceCheckpoint.Read(dir.Path);
        Assert.Equal(Small with { HeadDim = 4 }, config);
        AssertSame(tensors, read);
    }

    [Fact]
    public void ShardsAboveTheShardSizeAndRoundTrips()
    {
        using var dir = new TempDirectory();
        var tensors = RandomTensors(Small);
        long total = tensors.Sum(t => t.Values.Length * 4L);
        HuggingFaceCheckpoint.Write(dir.Path, Small, tensors, maxShardBytes: total / 3);
        string[] files = dir.FileNames();
        Assert.Contains("model.safetensors.index.json", files);
        Assert.DoesNotContain("model.safetensors", files);
        int shards = files.Count(f => f.StartsWith("model-", StringComparison.Ordinal));
        Assert.True(shards >= 3, $"{shards} shards");
        Assert.Contains($"model-00001-of-{shards:D5}.safetensors", files);
        var index = SafetensorsIndex.Load(dir.File("model.safetensors.index.json"));
        Assert.Equal(total, index.TotalSize);
        AssertSame(tensors, HuggingFaceCheckpoint.Read(dir.Path).Tensors);

        // rewriting unsharded removes the shards and the index
        HuggingFaceCheckpoint.Write(dir.Path, Small, tensors);
        Assert.Equal(new[] { "config.json", "model.safetensors" }, dir.FileNames());
    }

    [Fact]
    public void Bf16StorageRoundsToNearestEven()
    {
        using var dir = new TempDirectory();
        var tensors = RandomTensors(Small);
        HuggingFaceCheckpoint.Write(dir.Path, Small, tensors, dtype: SafetensorsDType.BF16);
        var read = HuggingFaceCheckpoint.Read(dir.Path).Tensors;
        foreach (var (name, _, values) in tensors)
            Assert.Equal(values.Select(v => FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(v))).ToArray(), read[name]);
        Assert.Contains("\"torch_dtype\": \"bfloat16\"", File.ReadAllText(dir.File("config.json")), StringComparison.Ordinal);
    }

    private static CheckpointException Refused(TempDirectory dir, IReadOnlyDictionary<string, int[]>? shapes = null)
        => Assert.Throws<CheckpointException>(() => HuggingFaceCheckpoint.Read(dir.Path, shapes ?? Small.HuggingFaceTensorShapes()));

    private static void WriteRaw(TempDirectory dir, IEnumerable<(string Name, long[] Shape)> tensors)
        => SafetensorsWriter.WriteFile(dir.File("model.safetensors"),
            tensors.Select(t => SafetensorsTensor.FromFloat32(t.Name, SafetensorsDType.F32, t.Shape, new float[t.Shape.Aggregate(1L, (a, b) => a * b)])));

    private static IEnumerable<(string Name, long[] Shape)> Declared(TransformerConfig c)
        => c.HuggingFaceTensorShapes().Select(p => (p.Key, p.Value.Select(d => (long)d).ToArray()));

    [Fact]
    public void OneErrorListsEveryMissingExtraAndMisShapedTensor()
    {
        using var dir = new TempDirectory();
        var declared = Declared(Small)
            .Where(t => t.Name != "model.layers.1.mlp.up_proj.weight" && t.Name != "model.norm.weight")
            .Select(t => t.Name == "model.layers.0.self_attn.k_proj.weight" ? (t.Name, new long[] { 8, 8 }) : t)
            .Append(("model.layers.0.self_attn.o_proj.bias", new long[] { 8 }));
        WriteRaw(dir, declared);
        var e = Refused(dir);
        Assert.Contains("4 tensors do not match", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing model.layers.1.mlp.up_proj.weight (expected [12, 8])", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing model.norm.weight (expected [8])", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.layers.0.self_attn.k_proj.weight: expected [4, 8], found [8, 8]", e.Message, StringComparison.Ordinal);
        Assert.Contains("extra model.layers.0.self_attn.o_proj.bias [8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesANonFloatTensor()
    {
        using var dir = new TempDirectory();
        var tensors = Declared(Small).Select(t => t.Name == "model.norm.weight"
            ? SafetensorsTensor.FromInt32(t.Name, t.Shape, new int[8])
            : SafetensorsTensor.FromFloat32(t.Name, SafetensorsDType.F32, t.Shape, new float[t.Shape.Aggregate(1L, (a, b) => a * b)]));
        SafetensorsWriter.WriteFile(dir.File("model.safetensors"), tensors);
        Assert.Contains("model.norm.weight: I32 is not a float type", Refused(dir).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TiedCheckpointMayCarryLmHeadOnlyAsACopyOfTheEmbedding()
    {
        var tied = Small with { TiedEmbeddings = true };
        var tensors = RandomTensors(tied);
        var embedding = tensors.Single(t => t.Name == "model.embed_tokens.weight");
        using var dir = new TempDirectory();

        SafetensorsWriter.WriteFile(dir.File("model.safetensors"), WithHead(tensors, embedding.Shape, (float[])embedding.Values.Clone())
            .Select(t => SafetensorsTensor.FromFloat32(t.Name, SafetensorsDType.F32, t.Shape.Select(d => (long)d).ToArray(), t.Values)));
        var read = HuggingFaceCheckpoint.Read(dir.Path, tied.HuggingFaceTensorShapes());
        Assert.False(read.ContainsKey("lm_head.weight"));
        AssertSame(tensors, read);

        var other = (float[])embedding.Values.Clone();
        other[3] += 1;
        SafetensorsWriter.WriteFile(dir.File("model.safetensors"), WithHead(tensors, embedding.Shape, other)
            .Select(t => SafetensorsTensor.FromFloat32(t.Name, SafetensorsDType.F32, t.Shape.Select(d => (long)d).ToArray(), t.Values)));
        Assert.Contains("lm_head.weight: tied embeddings, but its values differ", Refused(dir, tied.HuggingFaceTensorShapes()).Message, StringComparison.Ordinal);
    }

    private static List<(string Name, int[] Shape, float[] Values)> WithHead(List<(string Name, int[] Shape, float[] Values)> tensors, int[] shape, float[] values)
        => new(tensors) { ("lm_head.weight", shape, values) };

    [Fact]
    public void RefusesACorruptFile()
    {
        using var dir = new TempDirectory();
        HuggingFaceCheckpoint.Write(dir.Path, Small, RandomTensors(Small));
        byte[] bytes = File.ReadAllBytes(dir.File("model.safetensors"));
        File.WriteAllBytes(dir.File("model.safetensors"), bytes[..^7]); // truncated data
        Assert.Throws<SafetensorsFormatException>(() => HuggingFaceCheckpoint.Read(dir.Path));
        File.WriteAllBytes(dir.File("model.safetensors"), new byte[] { 1, 2, 3 });
        Assert.Throws<SafetensorsFormatException>(() => HuggingFaceCheckpoint.Read(dir.Path));
    }

    [Fact]
    public void RefusesAMissingConfigOrWeights()
    {
        using var dir = new TempDirectory();
        HuggingFaceCheckpoint.Write(dir.Path, Small, RandomTensors(Small));
        File.Delete(dir.File("config.json"));
        Assert.Throws<FileNotFoundException>(() => HuggingFaceCheckpoint.Read(dir.Path));
        HuggingFaceCheckpoint.Write(dir.Path, Small, RandomTensors(Small));
        File.Delete(dir.File("model.safetensors"));
        Assert.Throws<FileNotFoundException>(() => HuggingFaceCheckpoint.Read(dir.Path));
    }

    [Fact]
    public void WriterRefusesATensorSetThatIsNotTheConfigs()
    {
        using var dir = new TempDirectory();
        var tensors = RandomTensors(Small);
        Assert.Throws<ArgumentException>(() => HuggingFaceCheckpoint.Write(dir.Path, Small, tensors.Skip(1)));
        Assert.Throws<ArgumentException>(() => HuggingFaceCheckpoint.Write(dir.Path, Small, tensors.Append(tensors[0])));
        Assert.Throws<ArgumentException>(() => HuggingFaceCheckpoint.Write(dir.Path, Small, tensors.Append(("x", new[] { 1 }, new float[1]))));
        Assert.Throws<ArgumentException>(() => HuggingFaceCheckpoint.Write(dir.Path, Small, tensors.Select((t, i) => i == 0 ? (t.Name, t.Shape.Reverse().ToArray(), t.Values) : t)));
        Assert.Throws<ArgumentException>(() => HuggingFaceCheckpoint.Write(dir.Path, Small, tensors.Select((t, i) => i == 0 ? (t.Name, t.Shape, new float[1]) : t)));
        Assert.Empty(dir.FileNames());
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Decoder", name, "checkpoint");

    [Theory]
    [InlineData("tiny", false, false, 16)]
    [InlineData("tied", true, false, 16)]
    [InlineData("qwen2-bias", false, true, 16)]
    [InlineData("head-dim", false, false, 24)]
    [InlineData("bf16", false, false, 16)]
    [InlineData("sharded", false, false, 16)]
    public void ReadsEveryFixtureWithTheShapesOfItsConfig(string name, bool tied, bool bias, int headDim)
    {
        var (config, tensors) = HuggingFaceCheckpoint.Read(Fixture(name));
        Assert.Equal((2, 64, 4, 2, 160, 256), (config.Layers, config.Hidden, config.Heads, config.EffectiveKvHeads, config.Intermediate, config.Vocab));
        Assert.Equal((tied, bias, headDim, 1e-5), (config.TiedEmbeddings, config.AttentionBias, config.EffectiveHeadDim, config.RmsNormEps));
        var shapes = config.HuggingFaceTensorShapes();
        Assert.Equal(shapes.Keys.Order(), tensors.Keys.Order());
        foreach (var (tensor, shape) in shapes)
            Assert.Equal(shape.Aggregate(1, (a, b) => a * b), tensors[tensor].Length);
        Assert.Equal(new[] { 4 * headDim, 64 }, shapes["model.layers.0.self_attn.q_proj.weight"]);
        Assert.All(tensors.Values, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        // the peer draws RMSNorm weights as 1 + N(0, 0.1): a wrongly decoded tensor would not average near 1
        Assert.InRange(tensors["model.norm.weight"].Average(), 0.9, 1.1);
    }

    [Fact]
    public void Bf16FixtureHoldsExactlyRepresentableValues()
    {
        var tensors = HuggingFaceCheckpoint.Read(Fixture("bf16")).Tensors;
        Assert.All(tensors["model.layers.0.self_attn.q_proj.weight"], v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v) & 0xFFFF));
    }

    [Fact]
    public void ShardedFixtureEqualsWhatTheWriterReadsBack()
    {
        var (config, tensors) = HuggingFaceCheckpoint.Read(Fixture("sharded"));
        using var dir = new TempDirectory();
        var list = config.HuggingFaceTensorShapes().Select(p => (p.Key, p.Value, tensors[p.Key])).ToList();
        HuggingFaceCheckpoint.Write(dir.Path, config, list, maxShardBytes: 200_000);
        Assert.True(File.Exists(dir.File("model.safetensors.index.json")));
        AssertSame(list, HuggingFaceCheckpoint.Read(dir.Path).Tensors);
    }
}
