using System;
using System.Collections.Generic;
using System.IO;

namespace FineTuneGuard.Serialization;

/// <summary>
/// A checkpoint as one safetensors file or as shards listed by <c>model.safetensors.index.json</c>: every tensor with
/// the file that holds it. Opening validates each shard's header and that the index and the shards agree exactly.
/// </summary>
public sealed class SafetensorsModel : IDisposable
{
    private readonly List<SafetensorsFile> _files;
    private readonly List<SafetensorsModelTensor> _tensors;
    private readonly Dictionary<string, SafetensorsModelTensor> _byName;

    private SafetensorsModel(string path, SafetensorsIndex? index, List<SafetensorsFile> files, List<SafetensorsModelTensor> tensors)
    {
        Path = path;
        Index = index;
        _files = files;
        _tensors = tensors;
        _byName = new Dictionary<string, SafetensorsModelTensor>(StringComparer.Ordinal);
        foreach (SafetensorsModelTensor tensor in tensors)
        {
            _byName.Add(tensor.Info.Name, tensor);
        }
    }

    /// <summary>The path the checkpoint was opened from (a .safetensors file or an index file).</summary>
    public string Path { get; }

    /// <summary>The shard index, or null for a single file.</summary>
    public SafetensorsIndex? Index { get; }

    /// <summary>The open files: one, or the shards in index order.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>Every tensor, shard by shard, each in its file's data order.</summary>
    public IReadOnlyList<SafetensorsModelTensor> Tensors => _tensors;

    /// <summary>
    /// Opens a checkpoint: a <c>.safetensors</c> file, a <c>*.index.json</c> file, or a directory holding
    /// <c>model.safetensors.index.json</c> or <c>model.safetensors</c>.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">A malformed file, or an index that disagrees with its shards.</exception>
    /// <exception cref="FileNotFoundException">Nothing to open at <paramref name="path"/>.</exception>
    public static SafetensorsModel Open(string path)
    {
        if (Directory.Exists(path))
        {
            string index = System.IO.Path.Combine(path, SafetensorsIndex.DefaultFileName);
            string single = System.IO.Path.Combine(path, "model.safetensors");
            if (File.Exists(index))
            {
                return OpenIndex(index);
            }

            if (File.Exists(single))
            {
                return OpenSingle(single);
            }

            throw new FileNotFoundException($"{path}: neither {SafetensorsIndex.DefaultFileName} nor model.safetensors is in this directory.", single);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(path) : OpenSingle(path);
    }

    /// <summary>The tensor called <paramref name="name"/>, with its file.</summary>
    public bool TryGetTensor(string name, out SafetensorsModelTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafetensorsFile file in _files)
        {
            file.Dispose();
        }
    }

    private static SafetensorsModel OpenSingle(string path)
    {
        SafetensorsFile file = SafetensorsFile.Open(path);
        var tensors = new List<SafetensorsModelTensor>();
        AddInDataOrder(file, tensors);
        return new SafetensorsModel(path, null, [file], tensors);
    }

    private static SafetensorsModel OpenIndex(string path)
    {
        SafetensorsIndex index = SafetensorsIndex.Load(path);
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var files = new List<SafetensorsFile>();
        try
        {
            var fileByName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (string shard in index.ShardFileNames)
            {
                string shardPath = System.IO.Path.Combine(directory, shard);
                if (!File.Exists(shardPath))
                {
                    throw new SafetensorsFormatException(path, null, $"shard '{shard}' listed in weight_map does not exist.");
                }

                SafetensorsFile file = SafetensorsFile.Open(shardPath);
                files.Add(file);
                fileByName.Add(shard, file);
            }

            var listed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in index.WeightMap)
            {
                listed.Add(pair.Key, pair.Value);
                if (!fileByName[pair.Value].TryGetTensor(pair.Key, out _))
                {
                    throw new SafetensorsFormatException(path, pair.Key, $"weight_map places it in '{pair.Value}', which has no such tensor.");
                }
            }

            var tensors = new List<SafetensorsModelTensor>();
            foreach (SafetensorsFile file in files)
            {
                foreach (SafetensorsTensorInfo tensor in file.Tensors)
                {
                    if (!listed.ContainsKey(tensor.Name))
                    {
                        throw new SafetensorsFormatException(path, tensor.Name, $"shard '{System.IO.Path.GetFileName(file.Path)}' holds it but weight_map does not list it.");
                    }
                }

                AddInDataOrder(file, tensors);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (SafetensorsModelTensor tensor in tensors)
            {
                if (!seen.Add(tensor.Info.Name))
                {
                    throw new SafetensorsFormatException(path, tensor.Info.Name, "more than one shard holds this tensor.");
                }

                if (!ReferenceEquals(fileByName[listed[tensor.Info.Name]], tensor.File))
                {
                    throw new SafetensorsFormatException(path, tensor.Info.Name, "weight_map places it in another shard than the one holding it.");
                }
            }

            return new SafetensorsModel(path, index, files, tensors);
        }
        catch
        {
            foreach (SafetensorsFile file in files)
            {
                file.Dispose();
            }

            throw;
        }
    }

    private static void AddInDataOrder(SafetensorsFile file, List<SafetensorsModelTensor> tensors)
    {
        var ordered = new List<SafetensorsTensorInfo>(file.Tensors);
        ordered.Sort(static (x, y) => x.DataStart != y.DataStart ? x.DataStart.CompareTo(y.DataStart) : x.DataEnd.CompareTo(y.DataEnd));
        foreach (SafetensorsTensorInfo tensor in ordered)
        {
            tensors.Add(new SafetensorsModelTensor(file, tensor));
        }
    }
}
