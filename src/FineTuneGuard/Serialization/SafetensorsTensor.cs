using System;
using System.Collections.Generic;

namespace FineTuneGuard.Serialization;

/// <summary>A whole tensor held in memory: name, dtype, shape and its raw little-endian bytes.</summary>
public sealed class SafetensorsTensor
{
    /// <summary>Creates a tensor from raw bytes, checking that their length fits the shape and dtype.</summary>
    public SafetensorsTensor(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        DType = dtype;
        Shape = [.. shape];
        long expected;
        try
        {
            expected = checked(SafetensorsTensorInfo.CountElements(Shape) * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new ArgumentException(
                $"Tensor '{name}' [{string.Join(", ", Shape)}] {dtype.ToFormatName()}: its byte size overflows a 64-bit length; no file can hold it.", nameof(shape));
        }

        if (data.Length != expected)
        {
            throw new ArgumentException($"Tensor '{name}' [{string.Join(", ", Shape)}] {dtype.ToFormatName()} takes {expected} bytes; got {data.Length}.", nameof(data));
        }

        Data = data;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The raw little-endian bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>A float tensor from float32 values, stored as <paramref name="dtype"/> (rounded to nearest even).</summary>
    public static SafetensorsTensor FromFloat32(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[checked(values.Length * dtype.ElementSize())];
        FloatConversion.FromFloat32(dtype, values, bytes);
        return new SafetensorsTensor(name, dtype, shape, bytes);
    }

    /// <summary>An I64 tensor.</summary>
    public static SafetensorsTensor FromInt64(string name, IReadOnlyList<long> shape, ReadOnlySpan<long> values)
    {
        byte[] bytes = new byte[checked(values.Length * 8)];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return new SafetensorsTensor(name, SafetensorsDType.I64, shape, bytes);
    }

    /// <summary>An I32 tensor.</summary>
    public static SafetensorsTensor FromInt32(string name, IReadOnlyList<long> shape, ReadOnlySpan<int> values)
    {
        byte[] bytes = new byte[checked(values.Length * 4)];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new SafetensorsTensor(name, SafetensorsDType.I32, shape, bytes);
    }
}
