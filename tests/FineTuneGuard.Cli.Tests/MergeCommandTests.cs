using System.IO;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli.Tests;

/// <summary>
/// <c>ftg merge</c> end to end on temp files: every adapted weight equals W + s·B·A computed here in double from the
/// files themselves, every other tensor is copied bit for bit, and every refused input leaves nothing behind.
/// </summary>
public class MergeCommandTests
{
    /// <summary>Checks every tensor of <paramref name="merged"/> against the base and the adapter, independently of the runtime.</summary>
    private static void AssertMerged(string basePath, string adapterDirectory, string merged, double relativeTolerance)
    {
        PeftLoraConfig config = PeftLoraConfig.Load(Path.Combine(adapterDirectory, "adapter_config.json"));
        using SafetensorsFile adapter = SafetensorsFile.Open(Path.Combine(adapterDirectory, "adapter_model.safetensors"));
        using SafetensorsModel baseModel = SafetensorsModel.Open(basePath);
        using SafetensorsFile output = SafetensorsFile.Open(merged);
        Assert.Equal(baseModel.Tensors.Count, output.Tensors.Count);
        int adapted = 0;
        foreach (SafetensorsModelTensor source in baseModel.Tensors)
        {
            SafetensorsTensorInfo result = output.GetTensor(source.Info.Name);
            Assert.Equal(source.Info.DType, result.DType);
            Assert.Equal(source.Info.Shape, result.Shape);
            string module = source.Info.Name[..^".weight".Length];
            string aName = "base_model.model." + module + ".lora_A.weight";
            if (!adapter.TryGetTensor(aName, out SafetensorsTensorInfo a))
            {
                Assert.True(source.File.GetBytes(source.Info).SequenceEqual(output.GetBytes(result)), $"{source.Info.Name} changed.");
                continue;
            }

            adapted++;
            float[] aValues = adapter.ReadFloat32(aName);
            float[] bValues = adapter.ReadFloat32("base_model.model." + module + ".lora_B.weight");
            float[] w = new float[source.Info.ElementCount];
            source.File.ReadFloat32(source.Info, w);
            float[] actual = output.ReadFloat32(result.Name);
            int rank = (int)a.Shape[0];
            int input = (int)a.Shape[1];
            int outputs = bValues.Length / rank;
            double alpha = config.AlphaFor(module);
            double scaling = config.UseRsLora ? alpha / Math.Sqrt(config.RankFor(module)) : alpha / config.RankFor(module);
            for (int i = 0; i < outputs; i++)
            {
                for (int j = 0; j < input; j++)
                {
                    double delta = 0;
                    for (int k = 0; k < rank; k++)
                    {
                        delta += (double)bValues[(i * rank) + k] * aValues[(k * input) + j];
                    }

                    int index = config.FanInFanOut ? (j * outputs) + i : (i * input) + j;
                    double expected = w[index] + (scaling * delta);
                    Assert.True(
                        Math.Abs(actual[index] - expected) <= (relativeTolerance * Math.Abs(expected)) + 1e-6,
                        $"{result.Name}[{index}]: {actual[index]} vs {expected}");
                }
            }
        }

        Assert.True(adapted > 0);
    }

    [Fact]
    public void Float32MergeEqualsWPlusAlphaOverRTimesBA()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        FtgResult result = Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("merged 4 LoRA pairs", result.Out, StringComparison.Ordinal);
        AssertMerged(basePath, adapter, dir.File("merged.safetensors"), relativeTolerance: 1e-6);

        // The same names, dtypes and shapes give the same header, byte for byte.
        using SafetensorsFile input = SafetensorsFile.Open(basePath);
        using SafetensorsFile output = SafetensorsFile.Open(dir.File("merged.safetensors"));
        Assert.Equal(input.Header.ToBytes(), output.Header.ToBytes());
        Assert.Equal(["merged.safetensors", "model.safetensors"], dir.FileNames());
    }

    [Theory]
    [InlineData(SafetensorsDType.BF16, 1.0 / 256)] // one bfloat16 rounding: relative error <= 2^-8
    [InlineData(SafetensorsDType.F16, 1.0 / 2048)] // one float16 rounding: relative error <= 2^-11
    public void NarrowBaseDTypesAreMergedInFloat32AndRoundedOnce(SafetensorsDType dtype, double tolerance)
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), dtype);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"), TinyLlama.Adapter(dtype: SafetensorsDType.BF16));
        FtgResult result = Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMerged(basePath, adapter, dir.File("merged.safetensors"), tolerance);
    }

    [Fact]
    public void BFloat16OutputIsTheRoundedFloat32Merge()
    {
        // Bit-level: each merged bfloat16 equals round-to-nearest-even of the float32 merge of the runtime kernel.
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.BF16);
        PeftLoraAdapter adapterModel = TinyLlama.Adapter();
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"), adapterModel);
        Assert.Equal(0, Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors")).ExitCode);

        using SafetensorsFile input = SafetensorsFile.Open(basePath);
        using SafetensorsFile output = SafetensorsFile.Open(dir.File("merged.safetensors"));
        LoraTensorPair pair = adapterModel.Pairs[1];
        float[] w = input.ReadFloat32(pair.BaseWeightName);
        pair.MergeInto(w);
        byte[] expected = new byte[w.Length * 2];
        FloatConversion.FromFloat32(SafetensorsDType.BF16, w, expected);
        Assert.Equal(expected, output.GetBytes(pair.BaseWeightName).ToArray());
    }

    [Fact]
    public void RsLoraRankAndAlphaPatternsAreHonoured()
    {
        using var dir = new TempDirectory();
        PeftLoraConfig config = TinyLlama.Config();
        config.UseRsLora = true;
        config.RankPattern = [new("layers.1.self_attn.q_proj", 3)];
        config.AlphaPattern = [new("v_proj", 11.0)];
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"), TinyLlama.Adapter(config));
        FtgResult result = Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMerged(basePath, adapter, dir.File("merged.safetensors"), 1e-6);
    }

    [Fact]
    public void FanInFanOutWeightsAreStoredInOut()
    {
        using var dir = new TempDirectory();
        var random = new SeededRandom(5);
        float[] w = new float[6 * 4];
        random.FillUniform(w, -1, 1);
        // GPT-2's Conv1D: c_attn weight stored [in, out] = [6, 4].
        SafetensorsWriter.WriteFile(dir.File("gpt2.safetensors"), [SafetensorsTensor.FromFloat32("transformer.h.0.attn.c_attn.weight", SafetensorsDType.F32, [6, 4], w)]);
        var config = new PeftLoraConfig { R = 2, LoraAlpha = 3, TargetModules = ["c_attn"], FanInFanOut = true };
        float[] a = new float[2 * 6];
        float[] b = new float[4 * 2];
        random.FillUniform(a, -1, 1);
        random.FillUniform(b, -1, 1);
        new PeftLoraAdapter(config, [new LoraTensorPair("transformer.h.0.attn.c_attn", 6, 4, 2, a, b, 3, false)]).Save(dir.Directory("adapter"));

        FtgResult result = Ftg.Run("merge", "--base", dir.File("gpt2.safetensors"), "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMerged(dir.File("gpt2.safetensors"), dir.File("adapter"), dir.File("merged.safetensors"), 1e-6);
    }

    [Fact]
    public void AShardedBaseMergesIntoOneFile()
    {
        using var dir = new TempDirectory();
        string index = TinyLlama.WriteShardedBase(dir.Directory("base"), SafetensorsDType.BF16);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        FtgResult result = Ftg.Run("merge", "--base", index, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMerged(index, adapter, dir.File("merged.safetensors"), 1.0 / 256);
    }

    [Fact]
    public void SafeRefusesNaNAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        PeftLoraAdapter adapter = TinyLlama.Adapter();
        adapter.Pairs[2].B[3] = float.NaN;
        TinyLlama.WriteAdapter(dir.Directory("adapter"), adapter);

        FtgResult refused = Ftg.Run("merge", "--base", basePath, "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors"), "--safe");
        Ftg.AssertBadInput(refused, "ftg merge: error: --safe", "model.layers.1.self_attn.q_proj", "nothing was written");
        Assert.Equal(["model.safetensors"], dir.FileNames());

        // Without --safe the merge goes through, as PEFT's merge(safe_merge=False) does.
        Assert.Equal(0, Ftg.Run("merge", "--base", basePath, "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors")).ExitCode);
    }

    [Fact]
    public void SafeRefusesAFloat16Overflow()
    {
        using var dir = new TempDirectory();
        List<SafetensorsTensor> tensors = TinyLlama.BaseTensors(SafetensorsDType.F16);
        int q = tensors.FindIndex(t => t.Name == "model.layers.0.self_attn.q_proj.weight");
        tensors[q] = SafetensorsTensor.FromFloat32(tensors[q].Name, SafetensorsDType.F16, tensors[q].Shape, Enumerable.Repeat(65000f, 36).ToArray());
        SafetensorsWriter.WriteFile(dir.File("model.safetensors"), tensors);
        PeftLoraAdapter adapter = TinyLlama.Adapter();
        Array.Fill(adapter.Pairs[0].A, 100f);
        Array.Fill(adapter.Pairs[0].B, 100f);
        TinyLlama.WriteAdapter(dir.Directory("adapter"), adapter);

        FtgResult refused = Ftg.Run("merge", "--base", dir.File("model.safetensors"), "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors"), "--safe");
        Ftg.AssertBadInput(refused, "overflows F16", "nothing was written");
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> CorruptBases() => new()
    {
        { "truncated", bytes => bytes[..^10], "outside the data section" },
        { "header length beyond the file", bytes => { byte[] b = (byte[])bytes.Clone(); BitConverter.GetBytes(1L << 40).CopyTo(b, 0); return b; }, "exceeds the" },
        { "header length beyond the file but under the cap", bytes => { byte[] b = (byte[])bytes.Clone(); BitConverter.GetBytes((long)bytes.Length).CopyTo(b, 0); return b; }, "extends beyond the end" },
        { "unknown dtype", bytes => Replace(bytes, "\"F32\"", "\"F31\""), "unknown dtype 'F31'" },
        { "malformed JSON", bytes => Replace(bytes, "\"dtype\":", "\"dtype\" "), "malformed JSON" },
        { "shape not an array", bytes => Replace(bytes, "\"shape\":[", "\"shape\":{"), "'shape' must be an array" },
        { "trailing bytes", bytes => [.. bytes, 1, 2, 3, 4], "unaccounted" },
    };

    [Theory]
    [MemberData(nameof(CorruptBases))]
    public void ACorruptBaseIsRefusedAndNothingIsWritten(string caseName, Func<byte[], byte[]> corrupt, string expected)
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        File.WriteAllBytes(basePath, corrupt(File.ReadAllBytes(basePath)));
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        FtgResult result = Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.True(result.ExitCode == 2, caseName);
        Ftg.AssertBadInput(result, "model.safetensors", expected);
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void ACorruptAdapterIsRefusedAndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        string weights = Path.Combine(adapter, "adapter_model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^4]);
        Ftg.AssertBadInput(Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors")), "adapter_model.safetensors", "truncated");
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void AnAdapterForAnotherModelIsRefused()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        var config = new PeftLoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["q_proj"] };
        new PeftLoraAdapter(config, [new LoraTensorPair("model.layers.7.self_attn.q_proj", 6, 6, 2, new float[12], new float[12], 4, false)]).Save(dir.Directory("adapter"));
        Ftg.AssertBadInput(Ftg.Run("merge", "--base", basePath, "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors")), "model.layers.7.self_attn.q_proj.weight");
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void AShapeMismatchIsRefused()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        var config = new PeftLoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["k_proj"] };
        new PeftLoraAdapter(config, [new LoraTensorPair("model.layers.0.self_attn.k_proj", 6, 6, 2, new float[12], new float[12], 4, false)]).Save(dir.Directory("adapter"));
        Ftg.AssertBadInput(Ftg.Run("merge", "--base", basePath, "--adapter", dir.File("adapter"), "--out", dir.File("merged.safetensors")), "[4, 6] does not fit");
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void TheBaseCannotBeTheOutput()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        byte[] before = File.ReadAllBytes(basePath);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        Ftg.AssertBadInput(Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", basePath), "base checkpoint itself");
        Assert.Equal(before, File.ReadAllBytes(basePath));
    }

    [Fact]
    public void ProgressGoesToStandardError()
    {
        using var dir = new TempDirectory();
        string basePath = TinyLlama.WriteBase(dir.File("model.safetensors"), SafetensorsDType.F32);
        string adapter = TinyLlama.WriteAdapter(dir.Directory("adapter"));
        FtgResult result = Ftg.Run("merge", "--base", basePath, "--adapter", adapter, "--out", dir.File("merged.safetensors"));
        Assert.Contains("merging: 100% (lm_head.weight)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("merging:", result.Out, StringComparison.Ordinal);
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0 && from.Length == to.Length);
        byte[] copy = (byte[])bytes.Clone();
        System.Text.Encoding.Latin1.GetBytes(to).CopyTo(copy, at);
        return copy;
    }
}
