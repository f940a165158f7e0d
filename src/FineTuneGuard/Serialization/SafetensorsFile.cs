using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace FineTuneGuard.Serialization;

/// <summary>
/// A safetensors file opened read-only through a memory map: the header is parsed and validated on open, tensor data is
/// paged in only when read, so that opening a 15 GB checkpoint costs its header and nothing more.
/// Spans returned by <see cref="GetBytes(SafetensorsTensorInfo)"/> are valid until the file is disposed.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* pointer, long fileLength, long headerLength, SafetensorsHeader header)
    {
        Path = path;
        _map = map;
        _view = view;
        _pointer = pointer;
        FileLength = fileLength;
        HeaderLength = headerLength;
        Header = header;
    }

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>The file's size in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The JSON header's length in bytes (the value of the 8-byte prefix), padding included.</summary>
    public long HeaderLength { get; }

    /// <summary>Where the data section starts in the file: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataOffset => 8 + HeaderLength;

    /// <summary>The parsed, validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors => Header.Tensors;

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static SafetensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        try
        {
            long length = stream.Length;
            if (length < 8)
            {
                throw new SafetensorsFormatException(path, null, $"the file is truncated: {length} bytes, fewer than the 8-byte header length.");
            }

            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)SafetensorsHeader.MaxHeaderLength)
            {
                throw new SafetensorsFormatException(path, null, $"header length {headerLength} exceeds the {SafetensorsHeader.MaxHeaderLength}-byte cap (corrupt length prefix?).");
            }

            if (8 + (long)headerLength > length)
            {
                throw new SafetensorsFormatException(path, null, $"header length {headerLength} extends beyond the end of the {length}-byte file (truncated file?).");
            }

            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            var headerBytes = new ReadOnlySpan<byte>(pointer + 8, (int)headerLength);
            SafetensorsHeader header = SafetensorsHeader.Parse(headerBytes, path, length - 8 - (long)headerLength);
            return new SafetensorsFile(path, map, view, pointer, length, (long)headerLength, header);
        }
        catch
        {
            if (pointer != null)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            if (map is null)
            {
                stream.Dispose();
            }
            else
            {
                map.Dispose();
            }

            throw;
        }
    }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message names the file.</exception>
    public SafetensorsTensorInfo GetTensor(string name)
        => Header.TryGetTensor(name, out SafetensorsTensorInfo tensor)
            ? tensor
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, out SafetensorsTensorInfo tensor) => Header.TryGetTensor(name, out tensor);

    /// <summary>The raw little-endian bytes of a tensor (at most 2 GB; use the chunked overload beyond).</summary>
    public ReadOnlySpan<byte> GetBytes(SafetensorsTensorInfo tensor)
    {
        if (tensor.ByteLength > int.MaxValue)
        {
            throw new NotSupportedException($"{Path}: tensor '{tensor.Name}' has {tensor.ByteLength} bytes, more than one span can hold; read it in chunks.");
        }

        return GetBytes(tensor, 0, (int)tensor.ByteLength);
    }

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    public ReadOnlySpan<byte> GetBytes(string name) => GetBytes(GetTensor(name));

    /// <summary><paramref name="count"/> raw bytes of a tensor starting <paramref name="offset"/> bytes into its data.</summary>
    public ReadOnlySpan<byte> GetBytes(SafetensorsTensorInfo tensor, long offset, int count)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        CheckOwned(tensor);
        if (offset < 0 || count < 0 || offset + count > tensor.ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + count}) is outside the {tensor.ByteLength} bytes of '{tensor.Name}'.");
        }

        return new ReadOnlySpan<byte>(_pointer + DataOffset + tensor.DataStart + offset, count);
    }

    /// <summary>Reads a float tensor (F32, F16, BF16, F64) as float32.</summary>
    public float[] ReadFloat32(string name)
    {
        SafetensorsTensorInfo tensor = GetTensor(name);
        float[] values = new float[checked((int)tensor.ElementCount)];
        ReadFloat32(tensor, values);
        return values;
    }

    /// <summary>Reads a float tensor (F32, F16, BF16, F64) into <paramref name="destination"/> as float32.</summary>
    /// <exception cref="ArgumentException">Wrong destination length, or not a float tensor.</exception>
    public void ReadFloat32(SafetensorsTensorInfo tensor, Span<float> destination)
    {
        if (!tensor.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{Path}: tensor '{tensor.Name}' is {tensor.DType.ToFormatName()}, not a float type.", nameof(tensor));
        }

        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"'destination' must hold {tensor.ElementCount} elements for '{tensor.Name}' {tensor.ShapeText}; got {destination.Length}.", nameof(destination));
        }

        FloatConversion.ToFloat32(tensor.DType, GetBytes(tensor), destination);
    }

    /// <summary>Reads an I64 tensor.</summary>
    public long[] ReadInt64(string name)
    {
        SafetensorsTensorInfo tensor = RequireDType(name, SafetensorsDType.I64);
        long[] values = new long[checked((int)tensor.ElementCount)];
        ReadOnlySpan<byte> bytes = GetBytes(tensor);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
        }

        return values;
    }

    /// <summary>Reads an I32 tensor.</summary>
    public int[] ReadInt32(string name)
    {
        SafetensorsTensorInfo tensor = RequireDType(name, SafetensorsDType.I32);
        int[] values = new int[checked((int)tensor.ElementCount)];
        ReadOnlySpan<byte> bytes = GetBytes(tensor);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
        }

        return values;
    }

    /// <summary>Copies a tensor's raw bytes to <paramref name="writer"/> in chunks (any size, bit for bit).</summary>
    public void CopyTensorTo(SafetensorsTensorInfo tensor, SafetensorsWriter writer)
    {
        const int Chunk = 16 << 20;
        for (long offset = 0; offset < tensor.ByteLength; offset += Chunk)
        {
            int count = (int)Math.Min(Chunk, tensor.ByteLength - offset);
            writer.Write(GetBytes(tensor, offset, count));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
            _view.Dispose();
            _map.Dispose();
        }
    }

    private SafetensorsTensorInfo RequireDType(string name, SafetensorsDType dtype)
    {
        SafetensorsTensorInfo tensor = GetTensor(name);
        if (tensor.DType != dtype)
        {
            throw new ArgumentException($"{Path}: tensor '{name}' is {tensor.DType.ToFormatName()}, not {dtype.ToFormatName()}.", nameof(name));
        }

        return tensor;
    }

    private void CheckOwned(SafetensorsTensorInfo tensor)
    {
        if (!Header.TryGetTensor(tensor.Name, out SafetensorsTensorInfo own) || !ReferenceEquals(own, tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to {Path}.", nameof(tensor));
        }
    }
}
