using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace FineTuneGuard.Serialization;

/// <summary>
/// A sharded checkpoint's <c>model.safetensors.index.json</c>: <c>weight_map</c> (tensor name → shard file name, in
/// the index's order) and the optional <c>metadata</c> object (e.g. <c>total_size</c>).
/// </summary>
public sealed class SafetensorsIndex
{
    /// <summary>The index file name the Hugging Face libraries write.</summary>
    public const string DefaultFileName = "model.safetensors.index.json";

    private SafetensorsIndex(string path, IReadOnlyList<KeyValuePair<string, string>> weightMap, long? totalSize)
    {
        Path = path;
        WeightMap = weightMap;
        TotalSize = totalSize;
    }

    /// <summary>The index file.</summary>
    public string Path { get; }

    /// <summary>Tensor name → shard file name (relative to the index's directory), in the index's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> WeightMap { get; }

    /// <summary><c>metadata.total_size</c> when present: the bytes of tensor data over all shards.</summary>
    public long? TotalSize { get; }

    /// <summary>The shard file names in order of first appearance.</summary>
    public IReadOnlyList<string> ShardFileNames
    {
        get
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var names = new List<string>();
            foreach (KeyValuePair<string, string> pair in WeightMap)
            {
                if (seen.Add(pair.Value))
                {
                    names.Add(pair.Value);
                }
            }

            return names;
        }
    }

    /// <summary>Reads and validates an index file.</summary>
    /// <exception cref="SafetensorsFormatException">Malformed JSON, a missing or empty weight_map, a shard name that
    /// is not a plain file name, or a tensor listed twice.</exception>
    public static SafetensorsIndex Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException(path, null, "the index is not a JSON object.");
            }

            if (!root.TryGetProperty("weight_map", out JsonElement map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException(path, null, "'weight_map' is missing or not an object.");
            }

            var weightMap = new List<KeyValuePair<string, string>>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw new SafetensorsFormatException(path, entry.Name, $"the weight_map value must be a shard file name; got {entry.Value.ValueKind}.");
                }

                string shard = entry.Value.GetString()!;
                if (shard.Length == 0 || shard != System.IO.Path.GetFileName(shard) || shard is "." or ".." || shard.Contains('\\', StringComparison.Ordinal))
                {
                    throw new SafetensorsFormatException(path, entry.Name, $"shard '{shard}' is not a plain file name next to the index.");
                }

                if (!names.Add(entry.Name))
                {
                    throw new SafetensorsFormatException(path, entry.Name, "weight_map lists this tensor twice.");
                }

                weightMap.Add(new KeyValuePair<string, string>(entry.Name, shard));
            }

            if (weightMap.Count == 0)
            {
                throw new SafetensorsFormatException(path, null, "'weight_map' is empty.");
            }

            long? totalSize = null;
            if (root.TryGetProperty("metadata", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("total_size", out JsonElement total) && total.ValueKind == JsonValueKind.Number)
            {
                // Some writers store total_size as a float (e.g. 13476839424.0); accept any integral value.
                if (total.TryGetInt64(out long integer))
                {
                    totalSize = integer;
                }
                else if (total.TryGetDouble(out double real) && real == Math.Floor(real) && real >= 0)
                {
                    totalSize = (long)real;
                }
            }

            return new SafetensorsIndex(path, weightMap, totalSize);
        }
        catch (JsonException exception)
        {
            throw new SafetensorsFormatException(path, null, $"malformed JSON: {exception.Message}", exception);
        }
    }
}
