using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli;

/// <summary>
/// <c>ftg inspect</c>: the tensors of a safetensors file, a sharded checkpoint or a PEFT adapter directory — dtype,
/// shape, parameters — with totals; for an adapter, its config and the effective rank, alpha and scaling per module.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliOutput output)
    {
        var path = new Argument<string>("path") { Description = "A .safetensors file, a model.safetensors.index.json, a checkpoint directory or a PEFT adapter directory." };
        var command = new Command("inspect", "List tensors, dtypes, shapes and parameter counts; recognise a PEFT adapter and print its config.") { path };
        command.SetAction(parse =>
        {
            string target = parse.GetValue(path)!;
            if (Directory.Exists(target) && File.Exists(Path.Combine(target, PeftLoraConfig.FileName)))
            {
                InspectAdapter(target, output.Out);
            }
            else
            {
                using SafetensorsModel model = SafetensorsModel.Open(target);
                InspectModel(model, output.Out);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void InspectModel(SafetensorsModel model, TextWriter writer)
    {
        writer.WriteLine(model.Index is null
            ? $"safetensors file: {model.Path} ({CliOutput.Count(model.Files[0].FileLength)} bytes)"
            : $"sharded checkpoint: {model.Path} ({model.Files.Count} shards)");
        foreach (SafetensorsFile file in model.Files)
        {
            foreach (KeyValuePair<string, string> pair in file.Header.Metadata)
            {
                writer.WriteLine($"metadata{(model.Files.Count > 1 ? " (" + Path.GetFileName(file.Path) + ")" : string.Empty)}: {pair.Key} = {pair.Value}");
            }
        }

        writer.WriteLine();
        bool sharded = model.Files.Count > 1;
        var table = sharded
            ? new TextTable(["tensor", "dtype", "shape", "params", "shard"], [false, false, false, true, false])
            : new TextTable(["tensor", "dtype", "shape", "params"], [false, false, false, true]);
        foreach (SafetensorsModelTensor tensor in model.Tensors.OrderBy(t => t.Info.Name, NaturalNameComparer.Instance))
        {
            string[] cells = [tensor.Info.Name, tensor.Info.DType.ToFormatName(), tensor.Info.ShapeText, CliOutput.Count(tensor.Info.ElementCount)];
            table.Add(sharded ? [.. cells, Path.GetFileName(tensor.File.Path)] : cells);
        }

        table.WriteTo(writer);
        writer.WriteLine();
        long parameters = model.Tensors.Sum(t => t.Info.ElementCount);
        long bytes = model.Tensors.Sum(t => t.Info.ByteLength);
        writer.WriteLine($"tensors: {model.Tensors.Count}  parameters: {CliOutput.Count(parameters)}  data: {CliOutput.Gigabytes(bytes)}");
        foreach (IGrouping<SafetensorsDType, SafetensorsModelTensor> group in model.Tensors.GroupBy(t => t.Info.DType).OrderBy(g => g.Key))
        {
            writer.WriteLine($"  {group.Key.ToFormatName()}: {group.Count()} tensors, {CliOutput.Count(group.Sum(t => t.Info.ElementCount))} parameters");
        }
    }

    private static void InspectAdapter(string directory, TextWriter writer)
    {
        PeftLoraConfig config = PeftLoraConfig.Load(Path.Combine(directory, PeftLoraConfig.FileName));
        writer.WriteLine($"PEFT LoRA adapter: {directory}");
        writer.WriteLine($"  base model:      {config.BaseModelNameOrPath ?? "(not given)"}");
        writer.WriteLine($"  task type:       {config.TaskType ?? "(not given)"}");
        writer.WriteLine($"  r:               {config.R}");
        writer.WriteLine($"  lora_alpha:      {CliOutput.Number(config.LoraAlpha)}");
        writer.WriteLine($"  use_rslora:      {(config.UseRsLora ? "true" : "false")}");
        writer.WriteLine($"  scaling:         {CliOutput.Number(Internal.ParameterArithmetic.LoraScaling((float)config.LoraAlpha, config.R, config.UseRsLora))} ({(config.UseRsLora ? "alpha/sqrt(r)" : "alpha/r")})");
        writer.WriteLine($"  target_modules:  {(config.TargetModulesRegex is null ? string.Join(", ", config.TargetModules) : "regex " + config.TargetModulesRegex)}");
        writer.WriteLine($"  fan_in_fan_out:  {(config.FanInFanOut ? "true" : "false")}");
        writer.WriteLine($"  bias:            {config.Bias}");
        writer.WriteLine($"  lora_dropout:    {CliOutput.Number(config.LoraDropout)}");
        if (config.RankPattern.Count > 0)
        {
            writer.WriteLine($"  rank_pattern:    {string.Join(", ", config.RankPattern.Select(p => $"{p.Key}={p.Value}"))}");
        }

        if (config.AlphaPattern.Count > 0)
        {
            writer.WriteLine($"  alpha_pattern:   {string.Join(", ", config.AlphaPattern.Select(p => $"{p.Key}={CliOutput.Number(p.Value)}"))}");
        }

        string weights = Path.Combine(directory, PeftLoraAdapter.WeightsFileName);
        if (!File.Exists(weights))
        {
            writer.WriteLine($"  (no {PeftLoraAdapter.WeightsFileName})");
            return;
        }

        using SafetensorsFile file = SafetensorsFile.Open(weights);
        writer.WriteLine();
        var table = new TextTable(["tensor", "dtype", "shape", "params", "rank", "alpha", "scaling"], [false, false, false, true, true, true, true]);
        long loraParameters = 0;
        foreach (SafetensorsTensorInfo tensor in file.Tensors.OrderBy(t => t.Name, NaturalNameComparer.Instance))
        {
            string rank = string.Empty, alpha = string.Empty, scaling = string.Empty;
            if (PeftLoraAdapter.TryParseTensorName(tensor.Name, out string module, out _))
            {
                int r = config.RankFor(module);
                double a = config.AlphaFor(module);
                rank = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                alpha = CliOutput.Number(a);
                scaling = CliOutput.Number(Internal.ParameterArithmetic.LoraScaling((float)a, r, config.UseRsLora));
                loraParameters += tensor.ElementCount;
            }

            table.Add(tensor.Name, tensor.DType.ToFormatName(), tensor.ShapeText, CliOutput.Count(tensor.ElementCount), rank, alpha, scaling);
        }

        table.WriteTo(writer);
        writer.WriteLine();
        writer.WriteLine($"tensors: {file.Tensors.Count}  LoRA parameters: {CliOutput.Count(loraParameters)}  other parameters: {CliOutput.Count(file.Tensors.Sum(t => t.ElementCount) - loraParameters)}");
    }
}
