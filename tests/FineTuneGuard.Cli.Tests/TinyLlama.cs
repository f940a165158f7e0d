using System.IO;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli.Tests;

/// <summary>
/// A 2-layer Llama-shaped checkpoint (hidden 6, kv width 4, intermediate 8, vocab 10) in a chosen dtype, and a PEFT
/// adapter for it (q_proj and v_proj, r = 2, alpha = 5: alpha != r so that a scaling bug cannot hide), built here.
/// </summary>
internal static class TinyLlama
{
    public const int Hidden = 6;
    public const int KvWidth = 4;
    public const int Intermediate = 8;
    public const int Vocab = 10;
    public const int Layers = 2;

    public static IEnumerable<(string Name, long[] Shape)> Tensors()
    {
        yield return ("model.embed_tokens.weight", [Vocab, Hidden]);
        for (int layer = 0; layer < Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            yield return (p + "input_layernorm.weight", [Hidden]);
            yield return (p + "self_attn.q_proj.weight", [Hidden, Hidden]);
            yield return (p + "self_attn.k_proj.weight", [KvWidth, Hidden]);
            yield return (p + "self_attn.v_proj.weight", [KvWidth, Hidden]);
            yield return (p + "self_attn.o_proj.weight", [Hidden, Hidden]);
            yield return (p + "mlp.gate_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.up_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.down_proj.weight", [Hidden, Intermediate]);
            yield return (p + "post_attention_layernorm.weight", [Hidden]);
        }

        yield return ("model.norm.weight", [Hidden]);
        yield return ("lm_head.weight", [Vocab, Hidden]);
    }

    public static List<SafetensorsTensor> BaseTensors(SafetensorsDType dtype, ulong seed = 1)
    {
        var random = new SeededRandom(seed);
        var tensors = new List<SafetensorsTensor>();
        foreach ((string name, long[] shape) in Tensors())
        {
            float[] values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            random.FillUniform(values, -2, 2);
            tensors.Add(SafetensorsTensor.FromFloat32(name, dtype, shape, values));
        }

        return tensors;
    }

    public static string WriteBase(string path, SafetensorsDType dtype, ulong seed = 1)
    {
        SafetensorsWriter.WriteFile(path, BaseTensors(dtype, seed), [new("format", "pt")]);
        return path;
    }

    /// <summary>Writes the base as two shards plus model.safetensors.index.json into <paramref name="directory"/>.</summary>
    public static string WriteShardedBase(string directory, SafetensorsDType dtype)
    {
        List<SafetensorsTensor> tensors = BaseTensors(dtype);
        int half = tensors.Count / 2;
        SafetensorsWriter.WriteFile(Path.Combine(directory, "model-00001-of-00002.safetensors"), tensors.Take(half), [new("format", "pt")]);
        SafetensorsWriter.WriteFile(Path.Combine(directory, "model-00002-of-00002.safetensors"), tensors.Skip(half), [new("format", "pt")]);
        string map = string.Join(",\n    ", tensors.Select((t, i) => $"\"{t.Name}\": \"model-0000{(i < half ? 1 : 2)}-of-00002.safetensors\""));
        string index = Path.Combine(directory, SafetensorsIndex.DefaultFileName);
        File.WriteAllText(index, "{\n  \"metadata\": {\"total_size\": " + tensors.Sum(t => t.Data.Length) + "},\n  \"weight_map\": {\n    " + map + "\n  }\n}\n");
        return index;
    }

    public static PeftLoraConfig Config() => new()
    {
        R = 2,
        LoraAlpha = 5,
        TargetModules = ["q_proj", "v_proj"],
        TaskType = "CAUSAL_LM",
        BaseModelNameOrPath = "tiny-llama",
        LoraDropout = 0.05,
    };

    public static PeftLoraAdapter Adapter(PeftLoraConfig? config = null, ulong seed = 3, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        config ??= Config();
        var random = new SeededRandom(seed);
        var pairs = new List<LoraTensorPair>();
        for (int layer = 0; layer < Layers; layer++)
        {
            foreach ((string module, int output) in new[] { ("q_proj", Hidden), ("v_proj", KvWidth) })
            {
                string path = $"model.layers.{layer}.self_attn.{module}";
                int rank = config.RankFor(path);
                float[] a = new float[rank * Hidden];
                float[] b = new float[output * rank];
                random.FillUniform(a, -1, 1);
                random.FillUniform(b, -1, 1);
                pairs.Add(new LoraTensorPair(path, Hidden, output, rank, a, b, config.AlphaFor(path), config.UseRsLora, dtype));
            }
        }

        return new PeftLoraAdapter(config, pairs);
    }

    public static string WriteAdapter(string directory, PeftLoraAdapter? adapter = null)
    {
        (adapter ?? Adapter()).Save(directory);
        return directory;
    }
}
