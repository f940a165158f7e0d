using System;
using System.Collections.Generic;
using System.IO;
using FineTuneGuard.Accounting;

namespace FineTuneGuard.Serialization;

/// <summary>
/// A PEFT LoRA adapter directory: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> with PEFT's tensor
/// names (<c>base_model.model.{module}.lora_A.weight</c> [r, in], <c>….lora_B.weight</c> [out, r]). Loading pairs the
/// factors and checks them against each other and against the config's rank for the module; saving writes both files
/// atomically in the same layout, so PEFT's <c>PeftModel.from_pretrained</c> loads what this type saves.
/// </summary>
public sealed class PeftLoraAdapter
{
    /// <summary>The weights file name PEFT reads and writes.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>The prefix PEFT puts before a module's name in the adapter file.</summary>
    public const string TensorPrefix = "base_model.model.";

    private const string ASuffix = ".lora_A.weight";
    private const string BSuffix = ".lora_B.weight";

    /// <summary>Creates an adapter from a config and the factor pairs.</summary>
    public PeftLoraAdapter(PeftLoraConfig config, IEnumerable<LoraTensorPair> pairs, IEnumerable<string>? otherTensors = null)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        var list = new List<LoraTensorPair>(pairs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (LoraTensorPair pair in list)
        {
            if (!seen.Add(pair.ModulePath))
            {
                throw new ArgumentException($"Module '{pair.ModulePath}' has two LoRA pairs.", nameof(pairs));
            }
        }

        Pairs = list;
        OtherTensors = otherTensors is null ? [] : new List<string>(otherTensors);
    }

    /// <summary>The adapter config.</summary>
    public PeftLoraConfig Config { get; }

    /// <summary>The LoRA factor pairs in the adapter file's order.</summary>
    public IReadOnlyList<LoraTensorPair> Pairs { get; }

    /// <summary>Tensors of the adapter file that are not LoRA factors of a linear module (e.g. modules_to_save, biases,
    /// embedding LoRA); a merge that ignored them would silently drop part of the fine-tune.</summary>
    public IReadOnlyList<string> OtherTensors { get; }

    /// <summary>Trainable parameters in the LoRA factors: Σ r·(in + out).</summary>
    public long ParameterCount
    {
        get
        {
            long total = 0;
            foreach (LoraTensorPair pair in Pairs)
            {
                total = checked(total + pair.ParameterCount);
            }

            return total;
        }
    }

    /// <summary>The pair adapting <paramref name="modulePath"/>, if any.</summary>
    public bool TryGetPair(string modulePath, out LoraTensorPair pair)
    {
        foreach (LoraTensorPair candidate in Pairs)
        {
            if (candidate.ModulePath == modulePath)
            {
                pair = candidate;
                return true;
            }
        }

        pair = null!;
        return false;
    }

    /// <summary>
    /// Splits a PEFT adapter tensor name into module path and factor: <c>base_model.model.X.lora_A.weight</c> → (X, 'A').
    /// </summary>
    public static bool TryParseTensorName(string tensorName, out string modulePath, out char factor)
    {
        modulePath = string.Empty;
        factor = '\0';
        if (!tensorName.StartsWith(TensorPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (tensorName.EndsWith(ASuffix, StringComparison.Ordinal))
        {
            factor = 'A';
        }
        else if (tensorName.EndsWith(BSuffix, StringComparison.Ordinal))
        {
            factor = 'B';
        }
        else
        {
            return false;
        }

        modulePath = tensorName[TensorPrefix.Length..^ASuffix.Length];
        return modulePath.Length > 0;
    }

    /// <summary>Loads an adapter directory.</summary>
    /// <exception cref="SafetensorsFormatException">A malformed file, an A without its B (or the reverse), factors whose
    /// shapes disagree, or a rank that differs from the config's rank for the module.</exception>
    /// <exception cref="FileNotFoundException">A file is missing (including a pickle-only <c>adapter_model.bin</c>).</exception>
    public static PeftLoraAdapter Load(string directory)
    {
        string configPath = Path.Combine(directory, PeftLoraConfig.FileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"{directory}: no {PeftLoraConfig.FileName} (not a PEFT adapter directory).", configPath);
        }

        if (!File.Exists(weightsPath))
        {
            string hint = File.Exists(Path.Combine(directory, "adapter_model.bin"))
                ? " Only adapter_model.bin (a pickle) is there; re-save it with safe_serialization=True."
                : string.Empty;
            throw new FileNotFoundException($"{directory}: no {WeightsFileName}.{hint}", weightsPath);
        }

        PeftLoraConfig config = PeftLoraConfig.Load(configPath);
        using SafetensorsFile file = SafetensorsFile.Open(weightsPath);
        var aByModule = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var bByModule = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var modules = new List<string>();
        var others = new List<string>();
        foreach (SafetensorsTensorInfo tensor in file.Tensors)
        {
            if (!TryParseTensorName(tensor.Name, out string module, out char factor))
            {
                others.Add(tensor.Name);
                continue;
            }

            if (!aByModule.ContainsKey(module) && !bByModule.ContainsKey(module))
            {
                modules.Add(module);
            }

            (factor == 'A' ? aByModule : bByModule)[module] = tensor;
        }

        var pairs = new List<LoraTensorPair>();
        foreach (string module in modules)
        {
            if (!aByModule.TryGetValue(module, out SafetensorsTensorInfo? a))
            {
                throw new SafetensorsFormatException(weightsPath, TensorPrefix + module + BSuffix, "lora_B has no matching lora_A.");
            }

            if (!bByModule.TryGetValue(module, out SafetensorsTensorInfo? b))
            {
                throw new SafetensorsFormatException(weightsPath, a.Name, "lora_A has no matching lora_B.");
            }

            if (a.Shape.Count != 2 || b.Shape.Count != 2 || !a.DType.IsFloatingPoint() || !b.DType.IsFloatingPoint())
            {
                throw new SafetensorsFormatException(weightsPath, a.Name, $"LoRA factors must be 2-D float tensors; got A {a.DType.ToFormatName()} {a.ShapeText}, B {b.DType.ToFormatName()} {b.ShapeText}.");
            }

            long rank = a.Shape[0];
            long inFeatures = a.Shape[1];
            long outFeatures = b.Shape[0];
            if (b.Shape[1] != rank)
            {
                throw new SafetensorsFormatException(weightsPath, b.Name, $"B {b.ShapeText} must be [out, r] with r = {rank} from A {a.ShapeText}.");
            }

            if (rank <= 0 || inFeatures <= 0 || outFeatures <= 0 || inFeatures > int.MaxValue || outFeatures > int.MaxValue)
            {
                throw new SafetensorsFormatException(weightsPath, a.Name, $"A {a.ShapeText} and B {b.ShapeText} must have positive dimensions.");
            }

            int configRank = config.RankFor(module);
            if (rank != configRank)
            {
                throw new SafetensorsFormatException(weightsPath, a.Name, $"rank {rank} from the tensors differs from the config's rank {configRank} for '{module}' (r / rank_pattern).");
            }

            pairs.Add(new LoraTensorPair(
                module,
                (int)inFeatures,
                (int)outFeatures,
                (int)rank,
                file.ReadFloat32(a.Name),
                file.ReadFloat32(b.Name),
                config.AlphaFor(module),
                config.UseRsLora,
                a.DType));
        }

        return new PeftLoraAdapter(config, pairs, others);
    }

    /// <summary>
    /// Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> (each atomically) into
    /// <paramref name="directory"/>, creating it if needed. The factors are stored in each pair's dtype, A before B,
    /// module by module, with PEFT's <c>{"format": "pt"}</c> metadata. Other tensors are not written.
    /// </summary>
    public void Save(string directory)
    {
        if (OtherTensors.Count > 0)
        {
            throw new InvalidOperationException($"The adapter holds {OtherTensors.Count} non-LoRA tensors (e.g. '{OtherTensors[0]}') whose data was not loaded; saving would drop them.");
        }

        Directory.CreateDirectory(directory);
        var tensors = new List<SafetensorsTensor>(Pairs.Count * 2);
        foreach (LoraTensorPair pair in Pairs)
        {
            tensors.Add(SafetensorsTensor.FromFloat32(pair.ATensorName, pair.DType, [pair.Rank, pair.InFeatures], pair.A));
            tensors.Add(SafetensorsTensor.FromFloat32(pair.BTensorName, pair.DType, [pair.OutFeatures, pair.Rank], pair.B));
        }

        SafetensorsWriter.WriteFile(Path.Combine(directory, WeightsFileName), tensors, [new KeyValuePair<string, string>("format", "pt")]);
        Config.Save(Path.Combine(directory, PeftLoraConfig.FileName));
    }
}
