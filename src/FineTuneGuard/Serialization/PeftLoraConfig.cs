using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FineTuneGuard.Serialization;

/// <summary>
/// PEFT's <c>adapter_config.json</c> for a LoRA adapter. The fields PEFT's LoRA merge depends on are typed; every
/// other key (PEFT adds some with most releases) is kept as raw JSON and written back unchanged, so a config survives a
/// round trip through .NET. Written as PEFT writes it: keys sorted, two-space indentation.
/// </summary>
public sealed class PeftLoraConfig
{
    /// <summary>The config file name PEFT reads and writes.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>The default rank r.</summary>
    public int R { get; set; } = 8;

    /// <summary>The default alpha (<c>lora_alpha</c>).</summary>
    public double LoraAlpha { get; set; } = 8;

    /// <summary>
    /// <c>target_modules</c> in its list form: a module is targeted when its name equals an entry or ends with
    /// "." + entry. Empty when the config uses the regex form (<see cref="TargetModulesRegex"/>).
    /// </summary>
    public IReadOnlyList<string> TargetModules { get; set; } = [];

    /// <summary>
    /// <c>target_modules</c> in its string form: a regular expression that must match the whole module name (PEFT's
    /// <c>re.fullmatch</c>). Evaluated with .NET's regex engine, which agrees with Python's <c>re</c> on the patterns
    /// used in practice (alternation, classes, <c>.*</c>) but not on every construct.
    /// </summary>
    public string? TargetModulesRegex { get; set; }

    /// <summary><c>use_rslora</c>: scaling alpha/√r instead of alpha/r.</summary>
    public bool UseRsLora { get; set; }

    /// <summary><c>fan_in_fan_out</c>: the base weights are stored (in, out), as GPT-2's Conv1D.</summary>
    public bool FanInFanOut { get; set; }

    /// <summary><c>bias</c>: "none", "all" or "lora_only".</summary>
    public string Bias { get; set; } = "none";

    /// <summary><c>base_model_name_or_path</c>, or null.</summary>
    public string? BaseModelNameOrPath { get; set; }

    /// <summary><c>rank_pattern</c>: module-name pattern → rank, overriding <see cref="R"/> (first matching pattern wins).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> RankPattern { get; set; } = [];

    /// <summary><c>alpha_pattern</c>: module-name pattern → alpha, overriding <see cref="LoraAlpha"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> AlphaPattern { get; set; } = [];

    /// <summary><c>peft_type</c>; "LORA" for the adapters this type describes.</summary>
    public string PeftType { get; set; } = "LORA";

    /// <summary><c>task_type</c>, e.g. "CAUSAL_LM", or null.</summary>
    public string? TaskType { get; set; }

    /// <summary><c>lora_dropout</c> (training only; no effect on merge).</summary>
    public double LoraDropout { get; set; }

    /// <summary>Keys this type does not model, with their raw JSON values, kept for the round trip.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AdditionalProperties { get; set; } = [];

    /// <summary>True when <paramref name="modulePath"/> (e.g. <c>model.layers.0.self_attn.q_proj</c>) is a target.</summary>
    public bool IsTargeted(string modulePath)
    {
        if (TargetModulesRegex is not null)
        {
            return Regex.IsMatch(modulePath, $"^(?:{TargetModulesRegex})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        foreach (string target in TargetModules)
        {
            if (modulePath == target || modulePath.EndsWith("." + target, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rank of <paramref name="modulePath"/>: the first matching <c>rank_pattern</c> entry, else r.</summary>
    public int RankFor(string modulePath)
    {
        foreach (KeyValuePair<string, int> pair in RankPattern)
        {
            if (PatternMatches(pair.Key, modulePath))
            {
                return pair.Value;
            }
        }

        return R;
    }

    /// <summary>The alpha of <paramref name="modulePath"/>: the first matching <c>alpha_pattern</c> entry, else lora_alpha.</summary>
    public double AlphaFor(string modulePath)
    {
        foreach (KeyValuePair<string, double> pair in AlphaPattern)
        {
            if (PatternMatches(pair.Key, modulePath))
            {
                return pair.Value;
            }
        }

        return LoraAlpha;
    }

    /// <summary>
    /// PEFT's pattern rule for <c>rank_pattern</c> / <c>alpha_pattern</c> keys: the key, as a regex, must match a
    /// dot-separated suffix of the module name (<c>re.match(rf"(.*\.)?({key})$", name)</c>).
    /// </summary>
    public static bool PatternMatches(string pattern, string modulePath)
        => Regex.IsMatch(modulePath, $"^(?:.*\\.)?(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Reads <c>adapter_config.json</c>.</summary>
    /// <exception cref="SafetensorsFormatException">Malformed JSON, a wrong type for a known key, or not a LoRA config.</exception>
    public static PeftLoraConfig Load(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return FromJson(document.RootElement, path);
        }
        catch (JsonException exception)
        {
            throw new SafetensorsFormatException(path, null, $"malformed JSON: {exception.Message}", exception);
        }
    }

    /// <summary>Parses the JSON of an adapter config; <paramref name="path"/> only names the source in errors.</summary>
    public static PeftLoraConfig Parse(string json, string path = FileName)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return FromJson(document.RootElement, path);
        }
        catch (JsonException exception)
        {
            throw new SafetensorsFormatException(path, null, $"malformed JSON: {exception.Message}", exception);
        }
    }

    /// <summary>Writes the config atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, ToJson(), new UTF8Encoding(false));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The config as PEFT writes it: every key, sorted ordinally, indented by two spaces.</summary>
    public string ToJson()
    {
        var entries = new SortedDictionary<string, Action<Utf8JsonWriter>>(StringComparer.Ordinal)
        {
            ["alpha_pattern"] = w => WriteMap(w, AlphaPattern, static (writer, value) => WriteNumber(writer, value)),
            ["base_model_name_or_path"] = w => WriteNullableString(w, BaseModelNameOrPath),
            ["bias"] = w => w.WriteStringValue(Bias),
            ["fan_in_fan_out"] = w => w.WriteBooleanValue(FanInFanOut),
            ["lora_alpha"] = w => WriteNumber(w, LoraAlpha),
            ["lora_dropout"] = w => WriteNumber(w, LoraDropout),
            ["peft_type"] = w => w.WriteStringValue(PeftType),
            ["r"] = w => w.WriteNumberValue(R),
            ["rank_pattern"] = w => WriteMap(w, RankPattern, static (writer, value) => writer.WriteNumberValue(value)),
            ["target_modules"] = WriteTargets,
            ["task_type"] = w => WriteNullableString(w, TaskType),
            ["use_rslora"] = w => w.WriteBooleanValue(UseRsLora),
        };
        foreach (KeyValuePair<string, string> pair in AdditionalProperties)
        {
            string raw = pair.Value;
            entries[pair.Key] = w => w.WriteRawValue(raw, skipInputValidation: false);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, Action<Utf8JsonWriter>> entry in entries)
            {
                writer.WritePropertyName(entry.Key);
                entry.Value(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private void WriteTargets(Utf8JsonWriter writer)
    {
        if (TargetModulesRegex is not null)
        {
            writer.WriteStringValue(TargetModulesRegex);
            return;
        }

        writer.WriteStartArray();
        foreach (string target in TargetModules)
        {
            writer.WriteStringValue(target);
        }

        writer.WriteEndArray();
    }

    private static void WriteMap<T>(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, T>> map, Action<Utf8JsonWriter, T> write)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, T> pair in map)
        {
            writer.WritePropertyName(pair.Key);
            write(writer, pair.Value);
        }

        writer.WriteEndObject();
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    // Python writes 16 for an int and 16.0 for a float; alpha is an int in almost every config, so integral values are
    // written without a fraction and the rest with the shortest round-trippable form.
    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            writer.WriteNumberValue((long)value);
        }
        else
        {
            writer.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static PeftLoraConfig FromJson(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, null, "the adapter config is not a JSON object.");
        }

        var config = new PeftLoraConfig();
        var additional = new List<KeyValuePair<string, string>>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            JsonElement value = property.Value;
            switch (property.Name)
            {
                case "r": config.R = Integer(value, path, "r"); break;
                case "lora_alpha": config.LoraAlpha = Number(value, path, "lora_alpha"); break;
                case "lora_dropout": config.LoraDropout = value.ValueKind == JsonValueKind.Null ? 0 : Number(value, path, "lora_dropout"); break;
                case "use_rslora": config.UseRsLora = Boolean(value, path, "use_rslora"); break;
                case "fan_in_fan_out": config.FanInFanOut = Boolean(value, path, "fan_in_fan_out"); break;
                case "bias": config.Bias = String(value, path, "bias") ?? "none"; break;
                case "base_model_name_or_path": config.BaseModelNameOrPath = String(value, path, "base_model_name_or_path"); break;
                case "peft_type": config.PeftType = String(value, path, "peft_type") ?? string.Empty; break;
                case "task_type": config.TaskType = String(value, path, "task_type"); break;
                case "target_modules": ReadTargets(config, value, path); break;
                case "rank_pattern":
                    config.RankPattern = Map(value, path, "rank_pattern", (v, key) => Integer(v, path, "rank_pattern." + key));
                    break;
                case "alpha_pattern":
                    config.AlphaPattern = Map(value, path, "alpha_pattern", (v, key) => Number(v, path, "alpha_pattern." + key));
                    break;
                default:
                    additional.Add(new KeyValuePair<string, string>(property.Name, value.GetRawText()));
                    break;
            }
        }

        if (config.PeftType != "LORA")
        {
            throw new SafetensorsFormatException(path, null, $"peft_type is '{config.PeftType}'; only LORA adapters are supported.");
        }

        if (config.R <= 0)
        {
            throw new SafetensorsFormatException(path, null, $"r must be > 0; got {config.R}.");
        }

        config.AdditionalProperties = additional;
        return config;
    }

    private static void ReadTargets(PeftLoraConfig config, JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                config.TargetModulesRegex = value.GetString();
                config.TargetModules = [];
                break;
            case JsonValueKind.Array:
                var targets = new List<string>();
                foreach (JsonElement item in value.EnumerateArray())
                {
                    targets.Add(String(item, path, "target_modules") ?? throw new SafetensorsFormatException(path, null, "target_modules holds null."));
                }

                config.TargetModules = targets;
                config.TargetModulesRegex = null;
                break;
            case JsonValueKind.Null:
                config.TargetModules = [];
                config.TargetModulesRegex = null;
                break;
            default:
                throw new SafetensorsFormatException(path, null, $"target_modules must be a list of names or a regex string; got {value.ValueKind}.");
        }
    }

    private static List<KeyValuePair<string, T>> Map<T>(JsonElement value, string path, string name, Func<JsonElement, string, T> read)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return new List<KeyValuePair<string, T>>();
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, null, $"{name} must be an object; got {value.ValueKind}.");
        }

        var map = new List<KeyValuePair<string, T>>();
        foreach (JsonProperty property in value.EnumerateObject())
        {
            map.Add(new KeyValuePair<string, T>(property.Name, read(property.Value, property.Name)));
        }

        return map;
    }

    private static int Integer(JsonElement value, string path, string name)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result))
        {
            return result;
        }

        throw new SafetensorsFormatException(path, null, $"{name} must be an integer; got {value.GetRawText()}.");
    }

    private static double Number(JsonElement value, string path, string name)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        throw new SafetensorsFormatException(path, null, $"{name} must be a number; got {value.GetRawText()}.");
    }

    private static bool Boolean(JsonElement value, string path, string name)
        => value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => false,
            _ => throw new SafetensorsFormatException(path, null, $"{name} must be true or false; got {value.GetRawText()}."),
        };

    private static string? String(JsonElement value, string path, string name)
        => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new SafetensorsFormatException(path, null, $"{name} must be a string; got {value.GetRawText()}."),
        };
}
