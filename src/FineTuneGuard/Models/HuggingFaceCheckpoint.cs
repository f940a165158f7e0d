using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using FineTuneGuard.Serialization;

namespace FineTuneGuard;

/// <summary>
/// Reads and writes a decoder checkpoint in Hugging Face layout: <c>config.json</c> plus <c>model.safetensors</c>, or
/// shards <c>model-0000i-of-0000N.safetensors</c> with <c>model.safetensors.index.json</c>. Tensors are float32 in
/// memory, stored F32, BF16 or F16 on disk.
/// </summary>
internal static class HuggingFaceCheckpoint
{
    /// <summary>transformers' default <c>max_shard_size</c> (5 GB).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    private const string EmbeddingName = "model.embed_tokens.weight";
    private const string LmHeadName = "lm_head.weight";

    /// <summary>
    /// Reads <c>config.json</c> and every tensor of <paramref name="checkpointDirectory"/>, checked against
    /// <see cref="TransformerConfig.HuggingFaceTensorShapes"/> of that config.
    /// </summary>
    /// <exception cref="CheckpointException">A config field that cannot be computed, or a tensor set that does not match.</exception>
    /// <exception cref="SafetensorsFormatException">A corrupt safetensors file or index.</exception>
    /// <exception cref="FileNotFoundException">No config.json, or no model.safetensors / index.</exception>
    public static (TransformerConfig Config, Dictionary<string, float[]> Tensors) Read(string checkpointDirectory)
    {
        var config = TransformerConfig.FromHuggingFaceJson(Path.Combine(checkpointDirectory, "config.json"));
        return (config, Read(checkpointDirectory, config.HuggingFaceTensorShapes()));
    }

    /// <summary>
    /// Reads every tensor of the checkpoint as float32 and checks the set against <paramref name="expectedShapes"/>:
    /// one <see cref="CheckpointException"/> lists every missing, extra, mis-shaped or non-float tensor (name, expected
    /// and actual shape), and nothing is returned then. A <c>lm_head.weight</c> that is not expected (tied embeddings)
    /// but present is accepted, and dropped, only if it equals <c>model.embed_tokens.weight</c> element for element
    /// (transformers may save the tied copy); otherwise it is reported.
    /// </summary>
    public static Dictionary<string, float[]> Read(string checkpointDirectory, IReadOnlyDictionary<string, int[]> expectedShapes)
    {
        ArgumentNullException.ThrowIfNull(checkpointDirectory);
        ArgumentNullException.ThrowIfNull(expectedShapes);
        using var model = SafetensorsModel.Open(checkpointDirectory);
        var problems = new List<string>();
        var present = new Dictionary<string, SafetensorsModelTensor>(StringComparer.Ordinal);
        foreach (var t in model.Tensors)
            present[t.Info.Name] = t;

        foreach (var (name, shape) in expectedShapes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!present.TryGetValue(name, out var t))
            {
                problems.Add($"missing {name} (expected {ShapeText(shape)})");
            }
            else if (!SameShape(shape, t.Info.Shape))
            {
                problems.Add($"{name}: expected {ShapeText(shape)}, found {t.Info.ShapeText}");
            }
            else if (!t.Info.DType.IsFloatingPoint())
            {
                problems.Add($"{name}: {t.Info.DType.ToFormatName()} is not a float type (F32, BF16, F16 expected)");
            }
        }

        bool tiedCopy = false;
        foreach (var name in present.Keys.Where(n => !expectedShapes.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
        {
            if (name == LmHeadName && expectedShapes.ContainsKey(EmbeddingName) && present.ContainsKey(EmbeddingName))
            {
                tiedCopy = true; // compared with the embedding below, once the expected set is known to be sound
                continue;
            }
            problems.Add($"extra {name} {present[name].Info.ShapeText}");
        }

        if (problems.Count == 0 && tiedCopy)
        {
            var head = present[LmHeadName];
            var embedding = present[EmbeddingName];
            if (!SameShape(expectedShapes[EmbeddingName], head.Info.Shape) || !head.Info.DType.IsFloatingPoint())
                problems.Add($"extra {LmHeadName} {head.Info.ShapeText}: tied embeddings, and it is not a copy of {EmbeddingName} {embedding.Info.ShapeText}");
            else if (!ReadFloat32(head).AsSpan().SequenceEqual(ReadFloat32(embedding)))
                problems.Add($"extra {LmHeadName}: tied embeddings, but its values differ from {EmbeddingName}");
        }

        if (problems.Count > 0)
        {
            throw new CheckpointException(checkpointDirectory, null,
                $"{problems.Count} tensor{(problems.Count == 1 ? "" : "s")} do not match the config:" + Environment.NewLine + "  " +
                string.Join(Environment.NewLine + "  ", problems));
        }

        var tensors = new Dictionary<string, float[]>(expectedShapes.Count, StringComparer.Ordinal);
        foreach (var name in expectedShapes.Keys)
            tensors[name] = ReadFloat32(present[name]);
        return tensors;
    }

    /// <summary>
    /// Writes <paramref name="config"/> as <c>config.json</c> and the tensors (exactly the set and shapes of
    /// <see cref="TransformerConfig.HuggingFaceTensorShapes"/>) as <c>model.safetensors</c>, or, when they exceed
    /// <paramref name="maxShardBytes"/>, as shards filled in the given order with <c>model.safetensors.index.json</c>,
    /// the way transformers' <c>save_pretrained</c> lays them out. Earlier weight files in the directory are removed
    /// first, so a reader never sees a mix. <paramref name="dtype"/> is F32, BF16 or F16 (rounded to nearest even).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor missing, extra, mis-shaped or of the wrong length, or another dtype.</exception>
    public static void Write(string directory, TransformerConfig config, IEnumerable<(string Name, int[] Shape, float[] Values)> tensors,
        long maxShardBytes = DefaultMaxShardBytes, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        if (maxShardBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "must be positive");
        if (dtype is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
            throw new ArgumentException($"{dtype.ToFormatName()} is not a checkpoint dtype (F32, BF16, F16).", nameof(dtype));

        var expected = config.HuggingFaceTensorShapes();
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape, values) in list)
        {
            if (!expected.TryGetValue(name, out var want))
                throw new ArgumentException($"{name} is not a tensor of this config.", nameof(tensors));
            if (!seen.Add(name))
                throw new ArgumentException($"{name} is given twice.", nameof(tensors));
            if (!shape.AsSpan().SequenceEqual(want))
                throw new ArgumentException($"{name}: shape {ShapeText(shape)}, the config's is {ShapeText(want)}.", nameof(tensors));
            if (values.Length != shape.Aggregate(1L, (a, b) => a * b))
                throw new ArgumentException($"{name} {ShapeText(shape)} has {values.Length} values.", nameof(tensors));
        }
        var missing = expected.Keys.Where(n => !seen.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException("Missing tensors: " + string.Join(", ", missing), nameof(tensors));

        int elementBytes = dtype == SafetensorsDType.F32 ? 4 : 2;
        var shards = new List<List<(string Name, int[] Shape, float[] Values)>> { new() };
        long inShard = 0;
        foreach (var t in list)
        {
            long bytes = (long)t.Values.Length * elementBytes;
            if (inShard > 0 && inShard + bytes > maxShardBytes)
            {
                shards.Add(new());
                inShard = 0;
            }
            shards[^1].Add(t);
            inShard += bytes;
        }

        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.EnumerateFiles(directory, "model*.safetensors").Concat(Directory.EnumerateFiles(directory, SafetensorsIndex.DefaultFileName)).ToList())
            File.Delete(stale);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToHuggingFaceJson(dtype switch
        {
            SafetensorsDType.BF16 => "bfloat16",
            SafetensorsDType.F16 => "float16",
            _ => "float32",
        }));

        var metadata = new[] { new KeyValuePair<string, string>("format", "pt") };
        if (shards.Count == 1)
        {
            SafetensorsWriter.WriteFile(Path.Combine(directory, "model.safetensors"), shards[0].Select(t => ToTensor(t, dtype)), metadata);
            return;
        }

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        for (int s = 0; s < shards.Count; s++)
        {
            string file = string.Format(CultureInfo.InvariantCulture, "model-{0:D5}-of-{1:D5}.safetensors", s + 1, shards.Count);
            SafetensorsWriter.WriteFile(Path.Combine(directory, file), shards[s].Select(t => ToTensor(t, dtype)), metadata);
            foreach (var t in shards[s])
            {
                weightMap[t.Name] = file;
                total += (long)t.Values.Length * elementBytes;
            }
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            w.WriteNumber("total_size", total);
            w.WriteEndObject();
            w.WriteStartObject("weight_map");
            foreach (var (name, file) in weightMap)
                w.WriteString(name, file);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        File.WriteAllText(Path.Combine(directory, SafetensorsIndex.DefaultFileName), Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }

    private static SafetensorsTensor ToTensor((string Name, int[] Shape, float[] Values) t, SafetensorsDType dtype)
        => SafetensorsTensor.FromFloat32(t.Name, dtype, t.Shape.Select(d => (long)d).ToArray(), t.Values);

    private static float[] ReadFloat32(SafetensorsModelTensor t)
    {
        var values = new float[checked((int)t.Info.ElementCount)];
        t.File.ReadFloat32(t.Info, values);
        return values;
    }

    private static bool SameShape(int[] expected, IReadOnlyList<long> actual)
    {
        if (expected.Length != actual.Count)
            return false;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
                return false;
        }
        return true;
    }

    private static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
