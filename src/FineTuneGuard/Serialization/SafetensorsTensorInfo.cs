using System;
using System.Collections.Generic;

namespace FineTuneGuard.Serialization;

/// <summary>
/// One entry of a safetensors header: name, dtype, shape and the byte range of its data, relative to the start of
/// the data section (the format's <c>data_offsets</c>).
/// </summary>
public sealed class SafetensorsTensorInfo
{
    private readonly long[] _shape;

    /// <summary>Creates an entry. The caller guarantees consistency; <see cref="SafetensorsHeader"/> validates it.</summary>
    public SafetensorsTensorInfo(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, long dataStart, long dataEnd)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        DType = dtype;
        _shape = new long[shape.Count];
        for (int i = 0; i < _shape.Length; i++)
        {
            _shape[i] = shape[i];
        }

        DataStart = dataStart;
        DataEnd = dataEnd;
    }

    /// <summary>The tensor's name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions, outermost first (PyTorch's order: a linear weight is [out, in]).</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>First byte of the data, relative to the start of the data section.</summary>
    public long DataStart { get; }

    /// <summary>One past the last byte of the data, relative to the start of the data section.</summary>
    public long DataEnd { get; }

    /// <summary>Bytes of data: <see cref="DataEnd"/> − <see cref="DataStart"/>.</summary>
    public long ByteLength => DataEnd - DataStart;

    /// <summary>The product of the dimensions (1 for a scalar of shape []).</summary>
    public long ElementCount => CountElements(_shape);

    /// <summary>The shape as PyTorch prints it: <c>[4096, 4096]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", _shape) + "]";

    /// <summary>The product of <paramref name="shape"/>, with overflow reported as <see cref="OverflowException"/>.</summary>
    public static long CountElements(IReadOnlyList<long> shape)
    {
        long count = 1;
        for (int i = 0; i < shape.Count; i++)
        {
            count = checked(count * shape[i]);
        }

        return count;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {DType.ToFormatName()} {ShapeText}";
}
