using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FineTuneGuard.Optimization;
using FineTuneGuard.Serialization;

namespace FineTuneGuard;

/// <summary>
/// Checkpoints of the trainable tensors only — the adapter, not the multi-gigabyte frozen base — as a safetensors file
/// (F32, one 1-D tensor per trainable parameter, named as the parameter; metadata <c>format = pt</c>, the step, and each
/// tensor's <see cref="ParameterRole"/>), written atomically by the runtime's safetensors writer.
/// </summary>
public static class TrainableCheckpoint
{
    /// <summary>Metadata key holding the optimizer step of the checkpoint.</summary>
    public const string StepKey = "finetuneguard.step";

    /// <summary>Writes the trainable tensors of <paramref name="model"/> to <paramref name="path"/>.</summary>
    /// <returns>The names written, in order.</returns>
    public static IReadOnlyList<string> Save(string path, ICausalLanguageModel model, int step = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ModelParameter[] trainable = model.Parameters.Where(p => p.Trainable).ToArray();
        if (trainable.Length == 0)
        {
            throw new ArgumentException("The model has no trainable parameter to checkpoint.", nameof(model));
        }

        string? duplicate = trainable.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two trainable parameters are named '{duplicate}'; checkpoint tensors are matched by name.", nameof(model));
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new("format", "pt"),
            new(StepKey, step.ToString(CultureInfo.InvariantCulture)),
        };
        metadata.AddRange(trainable.Select(p => new KeyValuePair<string, string>("finetuneguard.role." + p.Name, p.Role.ToString())));
        SafetensorsWriter.WriteFile(
            path,
            trainable.Select(p => SafetensorsTensor.FromFloat32(p.Name, SafetensorsDType.F32, [p.Parameter.Value.Length], p.Parameter.Value)),
            metadata);
        return trainable.Select(p => p.Name).ToArray();
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/> into the trainable tensors of <paramref name="model"/>, matched by
    /// name. Every trainable tensor must be present with its length; a tensor naming a frozen parameter is refused (a
    /// checkpoint never writes frozen weights); unknown tensors are refused.
    /// </summary>
    /// <returns>The step stored in the checkpoint.</returns>
    public static int Load(string path, ICausalLanguageModel model)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        using SafetensorsFile file = SafetensorsFile.Open(path);
        var byName = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (SafetensorsTensorInfo tensor in file.Tensors)
        {
            if (!byName.TryGetValue(tensor.Name, out ModelParameter? parameter))
            {
                throw new ArgumentException($"{path}: tensor '{tensor.Name}' matches no parameter of the model.", nameof(path));
            }

            if (!parameter.Trainable)
            {
                throw new ArgumentException($"{path}: tensor '{tensor.Name}' names a frozen parameter; a trainable-only checkpoint never overwrites frozen weights.", nameof(path));
            }
        }

        // Check everything before writing anything, so that a bad checkpoint leaves the model untouched.
        var reads = new List<(SafetensorsTensorInfo Tensor, Parameter Parameter)>();
        foreach (ModelParameter parameter in model.Parameters.Where(p => p.Trainable))
        {
            if (!file.Header.TryGetTensor(parameter.Name, out SafetensorsTensorInfo tensor))
            {
                throw new ArgumentException($"{path}: no tensor for the trainable parameter '{parameter.Name}'.", nameof(path));
            }

            if (tensor.ElementCount != parameter.Parameter.Value.Length)
            {
                throw new ArgumentException($"{path}: tensor '{parameter.Name}' has {tensor.ElementCount} elements; the parameter has {parameter.Parameter.Value.Length}.", nameof(path));
            }

            reads.Add((tensor, parameter.Parameter));
        }

        foreach ((SafetensorsTensorInfo tensor, Parameter parameter) in reads)
        {
            file.ReadFloat32(tensor, parameter.Value);
        }

        return file.Header.TryGetMetadata(StepKey, out string step) && int.TryParse(step, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : 0;
    }
}
