using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace FineTuneGuard.Serialization;

/// <summary>
/// Writes a safetensors file tensor by tensor, so that a model larger than memory can be written one tensor at a time.
/// The header is fixed up front; data is then appended in data-offset order (<see cref="Current"/> says which tensor is
/// next). Everything goes to a temporary file in the target's directory; <see cref="Commit"/> flushes it to disk and
/// renames it over the target, so a reader never sees a half-written file and a failed write leaves nothing behind.
/// Disposing without committing deletes the temporary file.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly SafetensorsTensorInfo[] _order;
    private readonly string _temporaryPath;
    private FileStream? _stream;
    private int _index;
    private long _writtenInCurrent;
    private bool _committed;

    /// <summary>Starts writing <paramref name="path"/> with <paramref name="header"/>.</summary>
    public SafetensorsWriter(string path, SafetensorsHeader header)
    {
        Path = System.IO.Path.GetFullPath(path ?? throw new ArgumentNullException(nameof(path)));
        Header = header ?? throw new ArgumentNullException(nameof(header));
        var order = new List<SafetensorsTensorInfo>(header.Tensors);
        order.Sort(static (x, y) => x.DataStart != y.DataStart ? x.DataStart.CompareTo(y.DataStart) : x.DataEnd.CompareTo(y.DataEnd));
        _order = order.ToArray();

        string directory = System.IO.Path.GetDirectoryName(Path)!;
        _temporaryPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        byte[] headerBytes = header.ToBytes();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerBytes.Length);
        _stream.Write(prefix);
        _stream.Write(headerBytes);
        SkipEmpty();
    }

    /// <summary>The file being written (full path).</summary>
    public string Path { get; }

    /// <summary>The header being written.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>The tensor whose data comes next, or null when every tensor is complete.</summary>
    public SafetensorsTensorInfo? Current => _index < _order.Length ? _order[_index] : null;

    /// <summary>
    /// Appends raw little-endian bytes to <see cref="Current"/>; a tensor may be written in several chunks, but a
    /// chunk never spans two tensors.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every tensor is complete, or the chunk runs past the current tensor.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(SafetensorsWriter));
        SafetensorsTensorInfo tensor = Current ?? throw new InvalidOperationException($"{Path}: every tensor is already written; {data.Length} more bytes were given.");
        if (_writtenInCurrent + data.Length > tensor.ByteLength)
        {
            throw new InvalidOperationException(
                $"{Path}: tensor '{tensor.Name}' takes {tensor.ByteLength} bytes; {_writtenInCurrent} written and {data.Length} more given.");
        }

        stream.Write(data);
        _writtenInCurrent += data.Length;
        if (_writtenInCurrent == tensor.ByteLength)
        {
            _index++;
            _writtenInCurrent = 0;
            SkipEmpty();
        }
    }

    /// <summary>Appends float32 values to <see cref="Current"/>, converted to its float dtype (round to nearest even).</summary>
    public void WriteFloat32(ReadOnlySpan<float> values)
    {
        SafetensorsTensorInfo tensor = Current ?? throw new InvalidOperationException($"{Path}: every tensor is already written.");
        if (!tensor.DType.IsFloatingPoint())
        {
            throw new InvalidOperationException($"{Path}: tensor '{tensor.Name}' is {tensor.DType.ToFormatName()}; float values cannot be written to it.");
        }

        const int ChunkElements = 1 << 18;
        int size = tensor.DType.ElementSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(values.Length, ChunkElements) * size);
        try
        {
            for (int start = 0; start < values.Length; start += ChunkElements)
            {
                int count = Math.Min(ChunkElements, values.Length - start);
                Span<byte> bytes = buffer.AsSpan(0, count * size);
                FloatConversion.FromFloat32(tensor.DType, values.Slice(start, count), bytes);
                Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the whole of tensor <paramref name="name"/>, which must be <see cref="Current"/> and not yet begun.</summary>
    public void WriteTensor(string name, ReadOnlySpan<byte> data)
    {
        if (ExpectWhole(name, data.Length))
        {
            Write(data);
        }
    }

    /// <summary>Writes the whole of float tensor <paramref name="name"/> from float32 values, converted to its dtype.</summary>
    public void WriteTensor(string name, ReadOnlySpan<float> values)
    {
        if (ExpectWhole(name, (long)values.Length * Header[name].DType.ElementSize()))
        {
            WriteFloat32(values);
        }
    }

    /// <summary>Flushes to disk and atomically replaces the target with the new file.</summary>
    /// <exception cref="InvalidOperationException">Some tensor is incomplete.</exception>
    public void Commit()
    {
        FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(SafetensorsWriter));
        if (Current is SafetensorsTensorInfo missing)
        {
            throw new InvalidOperationException($"{Path}: tensor '{missing.Name}' is incomplete ({_writtenInCurrent} of {missing.ByteLength} bytes); nothing was written.");
        }

        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _stream = null;
        File.Move(_temporaryPath, Path, overwrite: true);
        _committed = true;
    }

    /// <summary>Abandons an uncommitted file: the temporary file is deleted and the target is left as it was.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed && File.Exists(_temporaryPath))
        {
            File.Delete(_temporaryPath);
        }
    }

    /// <summary>
    /// Writes whole in-memory tensors to <paramref name="path"/> atomically, laid out in the given order.
    /// </summary>
    public static void WriteFile(string path, IEnumerable<SafetensorsTensor> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var list = new List<SafetensorsTensor>(tensors);
        var declarations = new List<SafetensorsTensorDeclaration>(list.Count);
        foreach (SafetensorsTensor tensor in list)
        {
            declarations.Add(new SafetensorsTensorDeclaration(tensor.Name, tensor.DType, tensor.Shape));
        }

        SafetensorsHeader header = SafetensorsHeader.Create(declarations, metadata);
        using var writer = new SafetensorsWriter(path, header);
        foreach (SafetensorsTensor tensor in list)
        {
            writer.WriteTensor(tensor.Name, tensor.Data.Span);
        }

        writer.Commit();
    }

    // False for an empty tensor, which has no data to write (and is skipped in data order).
    private bool ExpectWhole(string name, long byteLength)
    {
        SafetensorsTensorInfo declared = Header[name];
        if (declared.ByteLength == 0)
        {
            return byteLength == 0
                ? false
                : throw new ArgumentException($"Tensor '{name}' {declared.ShapeText} is empty; got data for {byteLength} bytes.", nameof(name));
        }

        SafetensorsTensorInfo tensor = Current ?? throw new InvalidOperationException($"{Path}: every tensor is already written; '{name}' was given.");
        if (tensor.Name != name || _writtenInCurrent != 0)
        {
            throw new InvalidOperationException($"{Path}: tensors are written in data order; '{tensor.Name}' comes next, '{name}' was given.");
        }

        if (byteLength != tensor.ByteLength)
        {
            throw new ArgumentException($"Tensor '{name}' {tensor.ShapeText} {tensor.DType.ToFormatName()} takes {tensor.ByteLength} bytes; got data for {byteLength}.", nameof(name));
        }

        return true;
    }

    private void SkipEmpty()
    {
        while (_index < _order.Length && _order[_index].ByteLength == 0)
        {
            _index++;
        }
    }
}
