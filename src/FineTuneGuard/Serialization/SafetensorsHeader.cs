using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FineTuneGuard.Serialization;

/// <summary>
/// The JSON header of a safetensors file: the tensors in the order the header lists them, and the optional
/// <c>__metadata__</c> string map. Parsing validates the whole layout (dtypes, shapes, offsets that tile the data
/// section exactly); a header built with <see cref="Create"/> lays its tensors out back to back in the given order.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted (100 MB), the same cap as the reference implementation: a corrupt length
    /// must not make a reader allocate gigabytes.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The key of the metadata map in the JSON header.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly SafetensorsTensorInfo[] _tensors;
    private readonly KeyValuePair<string, string>[] _metadata;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    // The header exactly as read (JSON plus its padding), so that rewriting an unchanged header is byte-exact even when
    // the writer that produced it ordered keys or padded differently from us.
    private readonly byte[]? _originalBytes;

    private SafetensorsHeader(SafetensorsTensorInfo[] tensors, KeyValuePair<string, string>[] metadata, byte[]? originalBytes)
    {
        _tensors = tensors;
        _metadata = metadata;
        _originalBytes = originalBytes;
        _byName = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        long dataLength = 0;
        foreach (SafetensorsTensorInfo tensor in tensors)
        {
            _byName.Add(tensor.Name, tensor);
            dataLength = Math.Max(dataLength, tensor.DataEnd);
        }

        DataLength = dataLength;
    }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors => _tensors;

    /// <summary>The <c>__metadata__</c> entries in header order (empty when the header has none).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => _metadata;

    /// <summary>Bytes of the data section that the tensors cover.</summary>
    public long DataLength { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public SafetensorsTensorInfo this[string name]
        => _byName.TryGetValue(name, out SafetensorsTensorInfo? info)
            ? info
            : throw new KeyNotFoundException($"No tensor named '{name}' (the header has {_tensors.Length} tensors).");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, out SafetensorsTensorInfo tensor)
        => _byName.TryGetValue(name, out tensor!);

    /// <summary>Looks a metadata value up by key.</summary>
    public bool TryGetMetadata(string key, out string value)
    {
        foreach (KeyValuePair<string, string> pair in _metadata)
        {
            if (pair.Key == key)
            {
                value = pair.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>
    /// Lays <paramref name="tensors"/> out back to back in the given order (which is also the header order), as the
    /// reference writer does.
    /// </summary>
    /// <exception cref="ArgumentException">A duplicate or empty name, a negative dimension, or the reserved name.</exception>
    public static SafetensorsHeader Create(IEnumerable<SafetensorsTensorDeclaration> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var infos = new List<SafetensorsTensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (SafetensorsTensorDeclaration declaration in tensors)
        {
            if (string.IsNullOrEmpty(declaration.Name) || declaration.Name == MetadataKey)
            {
                throw new ArgumentException($"'{declaration.Name}' cannot name a tensor.", nameof(tensors));
            }

            if (!names.Add(declaration.Name))
            {
                throw new ArgumentException($"Tensor '{declaration.Name}' is declared twice.", nameof(tensors));
            }

            foreach (long dimension in declaration.Shape)
            {
                if (dimension < 0)
                {
                    throw new ArgumentException($"Tensor '{declaration.Name}' has a negative dimension in [{string.Join(", ", declaration.Shape)}].", nameof(tensors));
                }
            }

            long bytes;
            long end;
            try
            {
                bytes = checked(SafetensorsTensorInfo.CountElements(declaration.Shape) * declaration.DType.ElementSize());
                end = checked(offset + bytes);
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"Tensor '{declaration.Name}' [{string.Join(", ", declaration.Shape)}] {declaration.DType.ToFormatName()} takes more bytes than a file can hold (the size overflows a 64-bit integer).", nameof(tensors));
            }

            infos.Add(new SafetensorsTensorInfo(declaration.Name, declaration.DType, declaration.Shape, offset, end));
            offset += bytes;
        }

        var entries = new List<KeyValuePair<string, string>>();
        if (metadata is not null)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (!keys.Add(pair.Key))
                {
                    throw new ArgumentException($"Metadata key '{pair.Key}' is given twice.", nameof(metadata));
                }

                entries.Add(new KeyValuePair<string, string>(pair.Key, pair.Value ?? throw new ArgumentException($"Metadata '{pair.Key}' is null.", nameof(metadata))));
            }
        }

        return new SafetensorsHeader(infos.ToArray(), entries.ToArray(), originalBytes: null);
    }

    /// <summary>
    /// The header as stored in a file: the JSON padded with spaces to a multiple of 8 bytes (the 8-byte length prefix
    /// excluded). A parsed header returns the bytes it was parsed from; a created one is written compactly with
    /// <c>__metadata__</c> first and each entry as <c>{"dtype","shape","data_offsets"}</c>, as the reference writer does.
    /// </summary>
    public byte[] ToBytes()
    {
        if (_originalBytes is not null)
        {
            return (byte[])_originalBytes.Clone();
        }

        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (_metadata.Length > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in _metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
            }

            foreach (SafetensorsTensorInfo tensor in _tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.ToFormatName());
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(tensor.DataStart);
                json.WriteNumberValue(tensor.DataEnd);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Pad with spaces so that the data section starts 8-byte aligned (8 + header length ≡ 0 mod 8).
        int padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Parses and validates a header. <paramref name="dataLength"/> is the number of bytes that follow the header in
    /// the file: the tensors must tile exactly [0, dataLength) — no gap, no overlap, nothing outside, nothing left over.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">Anything malformed, with a message naming the file and tensor.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> headerBytes, string filePath, long dataLength)
    {
        var tensors = new List<SafetensorsTensorInfo>();
        var metadata = new List<KeyValuePair<string, string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(headerBytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SafetensorsFormatException(filePath, null, "the header is not a JSON object.");
            }

            while (true)
            {
                Next(ref reader, filePath, null);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                string name = reader.GetString()!;
                if (!names.Add(name))
                {
                    throw new SafetensorsFormatException(filePath, name, "the header lists this name twice.");
                }

                Next(ref reader, filePath, name);
                if (name == MetadataKey)
                {
                    ReadMetadata(ref reader, filePath, metadata);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, filePath, name));
                }
            }

            // Only the padding may follow the object.
            for (long i = reader.BytesConsumed; i < headerBytes.Length; i++)
            {
                byte b = headerBytes[(int)i];
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
                {
                    throw new SafetensorsFormatException(filePath, null, $"unexpected byte 0x{b:X2} after the JSON header at offset {8 + i}.");
                }
            }
        }
        catch (JsonException exception)
        {
            throw new SafetensorsFormatException(filePath, null, $"malformed JSON header: {exception.Message}", exception);
        }
        catch (InvalidOperationException exception)
        {
            // Utf8JsonReader's typed getters throw this for invalid UTF-8 in a string token.
            throw new SafetensorsFormatException(filePath, null, $"malformed JSON header: {exception.Message}", exception);
        }

        CheckTiling(tensors, filePath, dataLength);
        return new SafetensorsHeader(tensors.ToArray(), metadata.ToArray(), headerBytes.ToArray());
    }

    private static void Next(ref Utf8JsonReader reader, string filePath, string? tensor)
    {
        if (!reader.Read())
        {
            throw new SafetensorsFormatException(filePath, tensor, "malformed JSON header: it ends before the object is closed.");
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, string filePath, List<KeyValuePair<string, string>> metadata)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SafetensorsFormatException(filePath, null, $"'{MetadataKey}' must be an object of strings; got {reader.TokenType}.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            Next(ref reader, filePath, null);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            string key = reader.GetString()!;
            Next(ref reader, filePath, null);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new SafetensorsFormatException(filePath, null, $"'{MetadataKey}' value of '{key}' must be a string; got {reader.TokenType}.");
            }

            if (!keys.Add(key))
            {
                throw new SafetensorsFormatException(filePath, null, $"'{MetadataKey}' lists '{key}' twice.");
            }

            metadata.Add(new KeyValuePair<string, string>(key, reader.GetString()!));
        }
    }

    private static SafetensorsTensorInfo ReadTensor(ref Utf8JsonReader reader, string filePath, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SafetensorsFormatException(filePath, name, $"the entry must be an object with dtype, shape and data_offsets; got {reader.TokenType}.");
        }

        string? dtypeName = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (true)
        {
            Next(ref reader, filePath, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string property = reader.GetString()!;
            Next(ref reader, filePath, name);
            switch (property)
            {
                case "dtype" when dtypeName is null:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new SafetensorsFormatException(filePath, name, $"'dtype' must be a string; got {reader.TokenType}.");
                    }

                    dtypeName = reader.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, filePath, name, "shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, filePath, name, "data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new SafetensorsFormatException(filePath, name, $"'{property}' is given twice.");
                default:
                    throw new SafetensorsFormatException(filePath, name, $"unknown key '{property}' (expected dtype, shape, data_offsets).");
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            string missing = dtypeName is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new SafetensorsFormatException(filePath, name, $"'{missing}' is missing.");
        }

        if (!SafetensorsDTypes.TryParse(dtypeName, out SafetensorsDType dtype))
        {
            throw new SafetensorsFormatException(filePath, name, $"unknown dtype '{dtypeName}' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).");
        }

        if (offsets.Count != 2)
        {
            throw new SafetensorsFormatException(filePath, name, $"'data_offsets' must be [begin, end]; got {offsets.Count} numbers.");
        }

        if (offsets[1] < offsets[0])
        {
            throw new SafetensorsFormatException(filePath, name, $"'data_offsets' [{offsets[0]}, {offsets[1]}] end before they begin.");
        }

        long elements;
        long expectedBytes;
        try
        {
            elements = SafetensorsTensorInfo.CountElements(shape);
            expectedBytes = checked(elements * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(filePath, name, $"shape [{string.Join(", ", shape)}] overflows a 64-bit byte count.");
        }

        long actualBytes = offsets[1] - offsets[0];
        if (actualBytes != expectedBytes)
        {
            throw new SafetensorsFormatException(
                filePath,
                name,
                $"shape [{string.Join(", ", shape)}] x {dtypeName} ({dtype.ElementSize()} bytes) needs {expectedBytes} bytes but data_offsets [{offsets[0]}, {offsets[1]}] span {actualBytes}.");
        }

        return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string filePath, string name, string property)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new SafetensorsFormatException(filePath, name, $"'{property}' must be an array of non-negative integers; got {reader.TokenType}.");
        }

        var values = new List<long>();
        while (true)
        {
            Next(ref reader, filePath, name);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return values;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            {
                string text = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : reader.TokenType.ToString();
                throw new SafetensorsFormatException(filePath, name, $"'{property}' must hold non-negative integers; got {text}.");
            }

            if (value < 0)
            {
                throw new SafetensorsFormatException(filePath, name, $"'{property}' must hold non-negative integers; got {value}.");
            }

            values.Add(value);
        }
    }

    private static void CheckTiling(List<SafetensorsTensorInfo> tensors, string filePath, long dataLength)
    {
        // Every end against the data length first: a tensor whose offsets point past the data sorts last, and the
        // contiguity walk would otherwise blame the hole it leaves on the tensor that follows it ("a gap precedes").
        foreach (SafetensorsTensorInfo tensor in tensors)
        {
            if (tensor.DataEnd > dataLength)
            {
                throw new SafetensorsFormatException(
                    filePath,
                    tensor.Name,
                    $"data_offsets [{tensor.DataStart}, {tensor.DataEnd}] lie outside the data section of {dataLength} bytes (truncated file?).");
            }
        }

        var ordered = new List<SafetensorsTensorInfo>(tensors);
        ordered.Sort(static (x, y) => x.DataStart != y.DataStart ? x.DataStart.CompareTo(y.DataStart) : x.DataEnd.CompareTo(y.DataEnd));
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (SafetensorsTensorInfo tensor in ordered)
        {
            if (tensor.DataStart < expected)
            {
                throw new SafetensorsFormatException(
                    filePath,
                    tensor.Name,
                    $"data_offsets [{tensor.DataStart}, {tensor.DataEnd}] overlap tensor '{previous!.Name}' [{previous.DataStart}, {previous.DataEnd}].");
            }

            if (tensor.DataStart > expected)
            {
                throw new SafetensorsFormatException(
                    filePath,
                    tensor.Name,
                    $"a gap of {tensor.DataStart - expected} bytes precedes data_offsets [{tensor.DataStart}, {tensor.DataEnd}] (data must be contiguous).");
            }

            expected = tensor.DataEnd;
            previous = tensor;
        }

        if (expected != dataLength)
        {
            throw new SafetensorsFormatException(
                filePath,
                null,
                $"the tensors cover {expected} bytes of data but the data section holds {dataLength} ({dataLength - expected} unaccounted bytes at the end).");
        }
    }
}
