using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli;

/// <summary>
/// <c>ftg merge</c>: W + s·B·A for every weight the adapter targets, in the base tensor's dtype; every other tensor
/// copied bit for bit. Tensor by tensor, so memory holds one weight at a time, never the model. Everything is checked
/// before the first byte is written, and the output appears atomically or not at all.
/// </summary>
internal static class MergeCommand
{
    public static Command Create(CliOutput output)
    {
        var basePath = new Option<string>("--base") { Description = "The base checkpoint: model.safetensors, model.safetensors.index.json or its directory.", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "The PEFT adapter directory (adapter_config.json + adapter_model.safetensors).", Required = true };
        var outPath = new Option<string>("--out") { Description = "The merged .safetensors file to write (replaced atomically).", Required = true };
        var safe = new Option<bool>("--safe") { Description = "Refuse NaN or infinity in the factors or the merged weights, and write nothing." };
        var command = new Command("merge", "Merge a PEFT LoRA adapter into a safetensors checkpoint (W + s·B·A), streaming tensor by tensor.")
        {
            basePath, adapter, outPath, safe,
        };
        command.SetAction(parse => Merge(parse.GetValue(basePath)!, parse.GetValue(adapter)!, parse.GetValue(outPath)!, parse.GetValue(safe), output));
        return command;
    }

    private static int Merge(string basePath, string adapterDirectory, string outPath, bool safe, CliOutput output)
    {
        PeftLoraAdapter adapter = PeftLoraAdapter.Load(adapterDirectory);
        if (adapter.OtherTensors.Count > 0)
        {
            throw new InvalidDataException(
                $"{adapterDirectory}: the adapter holds {adapter.OtherTensors.Count} tensors that are not LoRA factors of a linear layer (e.g. '{adapter.OtherTensors[0]}': modules_to_save, biases or embedding LoRA); merging only the factors would drop them.");
        }

        using SafetensorsModel model = SafetensorsModel.Open(basePath);
        string fullOut = Path.GetFullPath(outPath);
        foreach (SafetensorsFile file in model.Files)
        {
            if (string.Equals(Path.GetFullPath(file.Path), fullOut, StringComparison.Ordinal))
            {
                throw new ArgumentException($"--out {outPath} is the base checkpoint itself; write the merged model elsewhere.");
            }
        }

        if (!Directory.Exists(Path.GetDirectoryName(fullOut)))
        {
            throw new DirectoryNotFoundException($"--out {outPath}: the directory does not exist.");
        }

        Dictionary<string, LoraTensorPair> pairsByWeight = MatchPairs(adapter, model, adapterDirectory, basePath);

        // A single file keeps its header byte for byte (same names, dtypes and shapes, so the same offsets); shards are
        // laid out in shard order with the reference writer's metadata.
        SafetensorsHeader header = model.Index is null
            ? model.Files[0].Header
            : SafetensorsHeader.Create(
                EnumerateDeclarations(model),
                [new KeyValuePair<string, string>("format", "pt")]);

        long totalBytes = header.DataLength;
        var progress = new ProgressBar(output, "merging", totalBytes);
        long doneBytes = 0;
        int merged = 0;
        using (var writer = new SafetensorsWriter(fullOut, header))
        {
            while (writer.Current is SafetensorsTensorInfo target)
            {
                if (!model.TryGetTensor(target.Name, out SafetensorsModelTensor source))
                {
                    throw new InvalidOperationException($"Tensor '{target.Name}' vanished from the base checkpoint.");
                }

                if (pairsByWeight.TryGetValue(target.Name, out LoraTensorPair? pair))
                {
                    MergeTensor(source, pair, adapter.Config.FanInFanOut, safe, writer);
                    merged++;
                }
                else
                {
                    source.File.CopyTensorTo(source.Info, writer);
                }

                doneBytes += target.ByteLength;
                progress.Report(doneBytes, target.Name);
            }

            writer.Commit();
        }

        progress.Finish();
        output.Out.WriteLine($"merged {merged} LoRA pairs into {fullOut}; {header.Tensors.Count - merged} other tensors copied unchanged ({CliOutput.Gigabytes(totalBytes)}).");
        return ExitCodes.Success;
    }

    private static Dictionary<string, LoraTensorPair> MatchPairs(PeftLoraAdapter adapter, SafetensorsModel model, string adapterDirectory, string basePath)
    {
        var pairs = new Dictionary<string, LoraTensorPair>(StringComparer.Ordinal);
        foreach (LoraTensorPair pair in adapter.Pairs)
        {
            if (!model.TryGetTensor(pair.BaseWeightName, out SafetensorsModelTensor weight))
            {
                throw new InvalidDataException($"{adapterDirectory}: module '{pair.ModulePath}' has no weight '{pair.BaseWeightName}' in {basePath}; is this the adapter's base model?");
            }

            SafetensorsTensorInfo info = weight.Info;
            long rows = adapter.Config.FanInFanOut ? pair.InFeatures : pair.OutFeatures;
            long cols = adapter.Config.FanInFanOut ? pair.OutFeatures : pair.InFeatures;
            if (info.Shape.Count != 2 || info.Shape[0] != rows || info.Shape[1] != cols)
            {
                string layout = adapter.Config.FanInFanOut ? "[in, out] (fan_in_fan_out)" : "[out, in]";
                throw new InvalidDataException(
                    $"{basePath}: tensor '{info.Name}' {info.ShapeText} does not fit the adapter's A [{pair.Rank}, {pair.InFeatures}] and B [{pair.OutFeatures}, {pair.Rank}]: expected {layout} = [{rows}, {cols}].");
            }

            if (!info.DType.IsFloatingPoint())
            {
                throw new InvalidDataException($"{basePath}: tensor '{info.Name}' is {info.DType.ToFormatName()}; only float weights can be merged.");
            }

            if (info.ElementCount > Array.MaxLength)
            {
                throw new InvalidDataException($"{basePath}: tensor '{info.Name}' {info.ShapeText} is too large to merge in one buffer.");
            }

            pairs.Add(pair.BaseWeightName, pair);
        }

        return pairs;
    }

    private static IEnumerable<SafetensorsTensorDeclaration> EnumerateDeclarations(SafetensorsModel model)
    {
        foreach (SafetensorsModelTensor tensor in model.Tensors)
        {
            yield return new SafetensorsTensorDeclaration(tensor.Info.Name, tensor.Info.DType, tensor.Info.Shape);
        }
    }

    private static void MergeTensor(SafetensorsModelTensor source, LoraTensorPair pair, bool fanInFanOut, bool safe, SafetensorsWriter writer)
    {
        SafetensorsTensorInfo info = source.Info;
        float[] weight = new float[info.ElementCount];
        source.File.ReadFloat32(info, weight);
        try
        {
            pair.MergeInto(weight, fanInFanOut, safe);
        }
        catch (NonFiniteValueException exception)
        {
            throw new InvalidDataException(
                $"--safe: merging '{pair.ModulePath}' into '{info.Name}' gives a non-finite value ({exception.Value}) in '{exception.ParameterName}' at element {exception.Index}; nothing was written.",
                exception);
        }

        byte[] bytes = new byte[info.ByteLength];
        FloatConversion.FromFloat32(info.DType, weight, bytes);
        if (safe && info.DType is SafetensorsDType.F16 or SafetensorsDType.BF16)
        {
            // A finite float32 can still overflow the narrower dtype (F16 tops out at 65504): read back and check.
            FloatConversion.ToFloat32(info.DType, bytes, weight);
            int index = NonFinite.IndexOf(weight);
            if (index >= 0)
            {
                throw new InvalidDataException(
                    $"--safe: the merged '{info.Name}' overflows {info.DType.ToFormatName()} at element {index}; nothing was written.");
            }
        }

        writer.Write(bytes);
    }
}
