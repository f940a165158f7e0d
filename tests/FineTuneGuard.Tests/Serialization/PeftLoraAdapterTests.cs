using System.IO;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class PeftLoraAdapterTests
{
    /// <summary>A PEFT-layout adapter for a 2-layer model (hidden 6, kv width 4), q_proj and v_proj, r = 2, alpha = 5.</summary>
    internal static PeftLoraAdapter BuildAdapter(bool useRsLora = false, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        var random = new SeededRandom(7);
        var config = new PeftLoraConfig
        {
            R = 2,
            LoraAlpha = 5,
            TargetModules = ["q_proj", "v_proj"],
            UseRsLora = useRsLora,
            TaskType = "CAUSAL_LM",
            BaseModelNameOrPath = "tiny-llama",
        };
        var pairs = new List<LoraTensorPair>();
        for (int layer = 0; layer < 2; layer++)
        {
            foreach ((string module, int output) in new[] { ("q_proj", 6), ("v_proj", 4) })
            {
                float[] a = new float[2 * 6];
                float[] b = new float[output * 2];
                random.FillUniform(a, -1, 1);
                random.FillUniform(b, -1, 1);
                pairs.Add(new LoraTensorPair($"model.layers.{layer}.self_attn.{module}", 6, output, 2, a, b, 5, useRsLora, dtype));
            }
        }

        return new PeftLoraAdapter(config, pairs);
    }

    [Fact]
    public void SavesWithPeftsNamesShapesAndMetadata()
    {
        using var dir = new TempDirectory();
        BuildAdapter().Save(dir.Path);
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], dir.FileNames());

        using SafetensorsFile file = SafetensorsFile.Open(dir.File("adapter_model.safetensors"));
        Assert.Equal(8, file.Tensors.Count);
        SafetensorsTensorInfo a = file.GetTensor("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight");
        SafetensorsTensorInfo b = file.GetTensor("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        Assert.Equal(new long[] { 2, 6 }, a.Shape); // [r, in]
        Assert.Equal(new long[] { 4, 2 }, b.Shape); // [out, r]
        Assert.True(file.Header.TryGetMetadata("format", out string format));
        Assert.Equal("pt", format);
    }

    [Fact]
    public void LoadGivesBackTheSameFactorsAndScaling()
    {
        PeftLoraAdapter original = BuildAdapter(useRsLora: true, dtype: SafetensorsDType.F32);
        using var dir = new TempDirectory();
        original.Save(dir.Path);
        PeftLoraAdapter loaded = PeftLoraAdapter.Load(dir.Path);

        Assert.Equal(original.Pairs.Select(p => p.ModulePath), loaded.Pairs.Select(p => p.ModulePath));
        for (int i = 0; i < original.Pairs.Count; i++)
        {
            Assert.Equal(original.Pairs[i].A, loaded.Pairs[i].A);
            Assert.Equal(original.Pairs[i].B, loaded.Pairs[i].B);
            Assert.Equal(original.Pairs[i].Shape, loaded.Pairs[i].Shape);
        }

        LoraTensorPair pair = loaded.Pairs[3];
        Assert.Equal(1, pair.LayerIndex);
        Assert.Equal("v_proj", pair.ModuleName);
        Assert.Equal(new LoraShape(6, 4, 2), pair.Shape);
        Assert.Equal((float)(5 / Math.Sqrt(2)), pair.Scaling); // rsLoRA: alpha / sqrt(r)
        Assert.Equal(2 * 2 * (6 + 6), loaded.Pairs.Where(p => p.ModuleName == "q_proj").Sum(p => p.ParameterCount));
        Assert.Equal((2 * 2 * (6 + 6)) + (2 * 2 * (6 + 4)), loaded.ParameterCount);
    }

    [Fact]
    public void PlainScalingIsAlphaOverRank()
        => Assert.Equal(2.5f, BuildAdapter().Pairs[0].Scaling);

    [Fact]
    public void BFloat16FactorsAreRoundedOnSave()
    {
        PeftLoraAdapter original = BuildAdapter(dtype: SafetensorsDType.BF16);
        using var dir = new TempDirectory();
        original.Save(dir.Path);
        LoraTensorPair loaded = PeftLoraAdapter.Load(dir.Path).Pairs[0];
        Assert.Equal(SafetensorsDType.BF16, loaded.DType);
        Assert.Equal(original.Pairs[0].A.Select(v => FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(v))), loaded.A);
    }

    [Fact]
    public void ALayerMapsToAndFromAPair()
    {
        var shape = new LoraShape(InFeatures: 3, OutFeatures: 2, Rank: 1);
        float[] a = [1, 2, 3];
        float[] b = [4, 5];
        LoraTensorPair pair = LoraTensorPair.FromLayer("model.layers.0.mlp.down_proj", shape, a, b, alpha: 2);
        float[] a2 = new float[3];
        float[] b2 = new float[2];
        pair.CopyTo(shape, a2, b2);
        Assert.Equal(a, a2);
        Assert.Equal(b, b2);
        Assert.Throws<ArgumentException>(() => pair.CopyTo(new LoraShape(3, 2, 2), new float[6], new float[4]));
        Assert.Throws<ArgumentException>(() => LoraTensorPair.FromLayer("m", shape, new float[4], b, 2));
    }

    [Fact]
    public void ALonelyFactorIsRefused()
    {
        using var dir = new TempDirectory();
        BuildAdapter().Save(dir.Path);
        string weights = dir.File("adapter_model.safetensors");
        using (SafetensorsFile file = SafetensorsFile.Open(weights))
        {
            var kept = file.Tensors.Where(t => !t.Name.EndsWith("layers.0.self_attn.q_proj.lora_B.weight", StringComparison.Ordinal))
                .Select(t => new SafetensorsTensor(t.Name, t.DType, t.Shape, file.GetBytes(t).ToArray())).ToList();
            SafetensorsWriter.WriteFile(dir.File("pruned.safetensors"), kept);
        }

        File.Move(dir.File("pruned.safetensors"), weights, overwrite: true);
        SafetensorsFormatException error = Assert.Throws<SafetensorsFormatException>(() => PeftLoraAdapter.Load(dir.Path));
        Assert.Contains("lora_A has no matching lora_B", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARankThatDisagreesWithTheConfigIsRefused()
    {
        using var dir = new TempDirectory();
        PeftLoraAdapter adapter = BuildAdapter();
        adapter.Save(dir.Path);
        adapter.Config.R = 3;
        adapter.Config.Save(dir.File("adapter_config.json"));
        SafetensorsFormatException error = Assert.Throws<SafetensorsFormatException>(() => PeftLoraAdapter.Load(dir.Path));
        Assert.Contains("rank 2 from the tensors differs from the config's rank 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APickleOnlyAdapterIsExplained()
    {
        using var dir = new TempDirectory();
        BuildAdapter().Config.Save(dir.File("adapter_config.json"));
        File.WriteAllBytes(dir.File("adapter_model.bin"), [0x80, 0x02]);
        FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => PeftLoraAdapter.Load(dir.Path));
        Assert.Contains("safe_serialization=True", error.Message, StringComparison.Ordinal);
    }
}
