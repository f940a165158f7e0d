using System;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Serialization;

/// <summary>
/// Conversions between the little-endian bytes of a safetensors float tensor (F32, F16, BF16, F64) and float32.
/// Narrowing rounds to nearest, ties to even, as PyTorch does, so that a tensor written here is bit-identical to the
/// same float32 values cast with <c>tensor.to(torch.bfloat16)</c> or <c>.half()</c>.
/// </summary>
public static class FloatConversion
{
    /// <summary>Converts <paramref name="source"/> (little-endian elements of <paramref name="dtype"/>) to float32.</summary>
    /// <exception cref="ArgumentException">The lengths do not match, or <paramref name="dtype"/> is not a float type.</exception>
    public static void ToFloat32(SafetensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(dtype, source.Length, destination.Length, nameof(source));
        switch (dtype)
        {
            case SafetensorsDType.F32:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                    }
                }

                break;
            case SafetensorsDType.F16:
                if (BitConverter.IsLittleEndian)
                {
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
                    }
                }

                break;
            case SafetensorsDType.BF16:
                if (BitConverter.IsLittleEndian)
                {
                    BFloat16ToSingle(MemoryMarshal.Cast<byte, ushort>(source), destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]));
                    }
                }

                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]);
                }

                break;
            default:
                throw NotFloat(dtype);
        }
    }

    /// <summary>Converts float32 values to little-endian elements of <paramref name="dtype"/>, rounding to nearest even.</summary>
    /// <exception cref="ArgumentException">The lengths do not match, or <paramref name="dtype"/> is not a float type.</exception>
    public static void FromFloat32(SafetensorsDType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(dtype, destination.Length, source.Length, nameof(destination));
        switch (dtype)
        {
            case SafetensorsDType.F32:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.AsBytes(source).CopyTo(destination);
                }
                else
                {
                    for (int i = 0; i < source.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], source[i]);
                    }
                }

                break;
            case SafetensorsDType.F16:
                if (BitConverter.IsLittleEndian)
                {
                    TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
                }
                else
                {
                    for (int i = 0; i < source.Length; i++)
                    {
                        BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)source[i]);
                    }
                }

                break;
            case SafetensorsDType.BF16:
                if (BitConverter.IsLittleEndian)
                {
                    SingleToBFloat16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                }
                else
                {
                    for (int i = 0; i < source.Length; i++)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], SingleToBFloat16(source[i]));
                    }
                }

                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(destination[(i * 8)..], source[i]);
                }

                break;
            default:
                throw NotFloat(dtype);
        }
    }

    /// <summary>The float32 value of a bfloat16 bit pattern (exact: bfloat16 is the upper half of a binary32).</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>
    /// The bfloat16 bit pattern nearest to <paramref name="value"/>, ties to even; NaN stays a (quiet) NaN of the same
    /// sign, values beyond the bfloat16 range round to ±infinity as in PyTorch.
    /// </summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Keep the sign and force a mantissa bit: truncating could otherwise turn a NaN into infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Widens bfloat16 bit patterns to float32, 16 at a time where the hardware allows (exact).</summary>
    public static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"'destination' must hold {source.Length} elements; got {destination.Length}.", nameof(destination));
        }

        ref ushort from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(Vector256.LoadUnsafe(ref from, (nuint)i));
                Vector256.ShiftLeft(lower, 16).AsSingle().StoreUnsafe(ref to, (nuint)i);
                Vector256.ShiftLeft(upper, 16).AsSingle().StoreUnsafe(ref to, (nuint)(i + Vector256<uint>.Count));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = BFloat16ToSingle(source[i]);
        }
    }

    /// <summary>Narrows float32 values to bfloat16 bit patterns (nearest, ties to even), 16 at a time where possible.</summary>
    public static void SingleToBFloat16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"'destination' must hold {source.Length} elements; got {destination.Length}.", nameof(destination));
        }

        ref float from = ref MemoryMarshal.GetReference(source);
        ref ushort to = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= source.Length - (2 * Vector256<float>.Count); i += 2 * Vector256<float>.Count)
            {
                Vector256<uint> lower = RoundToBFloat16(Vector256.LoadUnsafe(ref from, (nuint)i));
                Vector256<uint> upper = RoundToBFloat16(Vector256.LoadUnsafe(ref from, (nuint)(i + Vector256<float>.Count)));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref to, (nuint)i);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = SingleToBFloat16(source[i]);
        }
    }

    // The scalar rule of SingleToBFloat16, lane-wise: (bits + 0x7FFF + lsb) >> 16, and NaN kept a quiet NaN.
    private static Vector256<uint> RoundToBFloat16(Vector256<float> values)
    {
        Vector256<uint> bits = values.AsUInt32();
        Vector256<uint> upper = Vector256.ShiftRightLogical(bits, 16);
        Vector256<uint> rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + (upper & Vector256<uint>.One), 16);
        Vector256<uint> isNaN = ~Vector256.Equals(values, values).AsUInt32();
        return Vector256.ConditionalSelect(isNaN, upper | Vector256.Create(0x0040u), rounded);
    }

    private static void CheckLengths(SafetensorsDType dtype, int byteLength, int elementCount, string name)
    {
        if (!dtype.IsFloatingPoint())
        {
            throw NotFloat(dtype);
        }

        long expected = (long)elementCount * dtype.ElementSize();
        if (byteLength != expected)
        {
            throw new ArgumentException(
                $"'{name}' must hold {expected} bytes ({elementCount} {dtype.ToFormatName()} elements); got {byteLength} bytes.", name);
        }
    }

    private static ArgumentException NotFloat(SafetensorsDType dtype)
        => new($"{dtype.ToFormatName()} is not a floating-point dtype; only F32, F16, BF16 and F64 convert to float32.", nameof(dtype));
}
