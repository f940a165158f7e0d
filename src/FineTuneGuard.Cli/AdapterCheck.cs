using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FineTuneGuard.Internal;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli;

/// <summary>
/// Compares a PEFT adapter's config with its tensors (and, when given, with the base checkpoint) and lists every
/// disagreement: unpaired or misshapen factors, ranks that differ from r / rank_pattern, modules adapted but not
/// targeted or targeted but not adapted, patterns that match nothing, non-finite values, a scaling that cannot work.
/// Unlike <see cref="PeftLoraAdapter.Load"/>, which refuses the first problem, this reports them all.
/// </summary>
internal sealed class AdapterCheck
{
    private readonly List<string> _findings = [];
    private readonly List<string> _notes = [];

    /// <summary>Problems: each makes <c>ftg check</c> exit with 1.</summary>
    public IReadOnlyList<string> Findings => _findings;

    /// <summary>Facts worth knowing that are not problems (the scaling in force, modules_to_save tensors, …).</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Checks the adapter in <paramref name="directory"/>, against <paramref name="baseModel"/> when not null.</summary>
    public static AdapterCheck Run(string directory, SafetensorsModel? baseModel)
    {
        var check = new AdapterCheck();
        PeftLoraConfig config = PeftLoraConfig.Load(Path.Combine(directory, PeftLoraConfig.FileName));
        string weightsPath = Path.Combine(directory, PeftLoraAdapter.WeightsFileName);
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"{directory}: no {PeftLoraAdapter.WeightsFileName}.", weightsPath);
        }

        using SafetensorsFile file = SafetensorsFile.Open(weightsPath);
        check.CheckTensors(config, file, baseModel);
        return check;
    }

    private void CheckTensors(PeftLoraConfig config, SafetensorsFile file, SafetensorsModel? baseModel)
    {
        var a = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var b = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var modules = new List<string>();
        foreach (SafetensorsTensorInfo tensor in file.Tensors)
        {
            if (!PeftLoraAdapter.TryParseTensorName(tensor.Name, out string module, out char factor))
            {
                _notes.Add($"tensor '{tensor.Name}' is not a LoRA factor (modules_to_save, bias or embedding LoRA?); ftg merge refuses such adapters.");
                continue;
            }

            if (!a.ContainsKey(module) && !b.ContainsKey(module))
            {
                modules.Add(module);
            }

            (factor == 'A' ? a : b)[module] = tensor;
        }

        var scalings = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var adapted = new HashSet<string>(StringComparer.Ordinal);
        foreach (string module in modules)
        {
            adapted.Add(module);
            if (!a.TryGetValue(module, out SafetensorsTensorInfo? ta))
            {
                _findings.Add($"module '{module}': lora_B without lora_A.");
                continue;
            }

            if (!b.TryGetValue(module, out SafetensorsTensorInfo? tb))
            {
                _findings.Add($"module '{module}': lora_A without lora_B.");
                continue;
            }

            if (!config.IsTargeted(module))
            {
                _findings.Add($"extra target: module '{module}' has LoRA tensors but target_modules ({TargetsText(config)}) does not select it.");
            }

            if (ta.Shape.Count != 2 || tb.Shape.Count != 2)
            {
                _findings.Add($"module '{module}': factors must be 2-D; A is {ta.ShapeText}, B is {tb.ShapeText}.");
                continue;
            }

            if (!ta.DType.IsFloatingPoint() || !tb.DType.IsFloatingPoint())
            {
                _findings.Add($"module '{module}': factors must be float; A is {ta.DType.ToFormatName()}, B is {tb.DType.ToFormatName()}.");
                continue;
            }

            long rank = ta.Shape[0];
            if (tb.Shape[1] != rank)
            {
                _findings.Add($"module '{module}': A {ta.ShapeText} has rank {rank} but B {tb.ShapeText} has {tb.Shape[1]} columns.");
                continue;
            }

            int configRank = config.RankFor(module);
            if (rank != configRank)
            {
                _findings.Add($"module '{module}': rank {rank} in the tensors, but the config gives {configRank} ({RankSource(config, module)}); the scaling would use {configRank}.");
            }

            CheckFinite(file, ta, module, "A");
            CheckFinite(file, tb, module, "B");

            double alpha = config.AlphaFor(module);
            int r = configRank;
            float scaling = ParameterArithmetic.LoraScaling((float)alpha, r, config.UseRsLora);
            if (!(alpha > 0) || !float.IsFinite(scaling))
            {
                _findings.Add($"module '{module}': alpha {CliOutput.Number(alpha)} with r {r} gives scaling {scaling}; alpha must be > 0.");
            }

            string key = config.UseRsLora
                ? $"alpha/sqrt(r) = {CliOutput.Number(alpha)}/sqrt({r}) = {CliOutput.Number(scaling)}"
                : $"alpha/r = {CliOutput.Number(alpha)}/{r} = {CliOutput.Number(scaling)}";
            if (!scalings.TryGetValue(key, out List<string>? list))
            {
                scalings[key] = list = [];
            }

            list.Add(module);

            if (baseModel is not null)
            {
                CheckAgainstBase(config, baseModel, module, ta, tb);
            }
        }

        foreach (KeyValuePair<string, List<string>> pair in scalings)
        {
            string names = string.Join(", ", pair.Value.Select(m => m[(m.LastIndexOf('.') + 1)..]).Distinct(StringComparer.Ordinal));
            _notes.Add($"scaling {pair.Key} for {pair.Value.Count} modules ({names}).");
        }

        CheckTargets(config, adapted, baseModel);
        CheckPatterns(config.RankPattern.Select(p => p.Key), "rank_pattern", adapted);
        CheckPatterns(config.AlphaPattern.Select(p => p.Key), "alpha_pattern", adapted);
        if (modules.Count == 0)
        {
            _findings.Add("the adapter holds no LoRA factors.");
        }
    }

    private void CheckFinite(SafetensorsFile file, SafetensorsTensorInfo tensor, string module, string factor)
    {
        float[] values = new float[tensor.ElementCount];
        file.ReadFloat32(tensor, values);
        int index = NonFinite.IndexOf(values);
        if (index >= 0)
        {
            _findings.Add($"module '{module}': {factor} holds {values[index]} at element {index}.");
        }
        else if (factor == "B" && Array.TrueForAll(values, v => v == 0))
        {
            _notes.Add($"module '{module}': B is all zeros (untrained: merging changes nothing).");
        }
    }

    private void CheckAgainstBase(PeftLoraConfig config, SafetensorsModel baseModel, string module, SafetensorsTensorInfo ta, SafetensorsTensorInfo tb)
    {
        string weightName = module + ".weight";
        if (!baseModel.TryGetTensor(weightName, out SafetensorsModelTensor weight))
        {
            _findings.Add($"module '{module}': the base has no tensor '{weightName}'.");
            return;
        }

        long inFeatures = ta.Shape[1];
        long outFeatures = tb.Shape[0];
        IReadOnlyList<long> shape = weight.Info.Shape;
        bool direct = shape.Count == 2 && shape[0] == outFeatures && shape[1] == inFeatures;
        bool transposed = shape.Count == 2 && shape[0] == inFeatures && shape[1] == outFeatures;
        bool fits = config.FanInFanOut ? transposed : direct;
        if (!fits)
        {
            string hint = (config.FanInFanOut ? direct : transposed) && inFeatures != outFeatures
                ? $" It fits with fan_in_fan_out={(config.FanInFanOut ? "false" : "true")}."
                : string.Empty;
            _findings.Add(
                $"module '{module}': base '{weightName}' {weight.Info.ShapeText} does not fit A {ta.ShapeText} and B {tb.ShapeText} ({(config.FanInFanOut ? "[in, out] expected with fan_in_fan_out" : "[out, in] expected")}).{hint}");
        }
    }

    private void CheckTargets(PeftLoraConfig config, HashSet<string> adapted, SafetensorsModel? baseModel)
    {
        foreach (string target in config.TargetModules)
        {
            if (!adapted.Any(m => m == target || m.EndsWith("." + target, StringComparison.Ordinal)))
            {
                _findings.Add($"missing target: target_modules names '{target}' but no module of the adapter matches it.");
            }
        }

        if (baseModel is null)
        {
            return;
        }

        int missing = 0;
        string? first = null;
        foreach (SafetensorsModelTensor tensor in baseModel.Tensors)
        {
            string name = tensor.Info.Name;
            if (tensor.Info.Shape.Count != 2 || !name.EndsWith(".weight", StringComparison.Ordinal))
            {
                continue;
            }

            string module = name[..^".weight".Length];
            if (config.IsTargeted(module) && !adapted.Contains(module))
            {
                missing++;
                first ??= module;
            }
        }

        if (missing > 0)
        {
            _findings.Add($"missing target: {missing} base modules selected by target_modules have no LoRA factors (first: '{first}').");
        }
    }

    private void CheckPatterns(IEnumerable<string> patterns, string name, HashSet<string> adapted)
    {
        foreach (string pattern in patterns)
        {
            if (!adapted.Any(m => PeftLoraConfig.PatternMatches(pattern, m)))
            {
                _findings.Add($"{name} key '{pattern}' matches no adapted module.");
            }
        }
    }

    private static string RankSource(PeftLoraConfig config, string module)
    {
        foreach (KeyValuePair<string, int> pair in config.RankPattern)
        {
            if (PeftLoraConfig.PatternMatches(pair.Key, module))
            {
                return $"rank_pattern '{pair.Key}'";
            }
        }

        return $"r = {config.R}";
    }

    private static string TargetsText(PeftLoraConfig config)
        => config.TargetModulesRegex is null ? string.Join(", ", config.TargetModules) : "regex " + config.TargetModulesRegex;
}
