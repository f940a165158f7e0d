using System.Buffers.Binary;
using System.Text;

namespace FineTuneGuard.Tests.Serialization;

/// <summary>Builds safetensors files byte by byte, independently of the library, to feed it exact (and corrupt) inputs.</summary>
internal static class SafetensorsBytes
{
    /// <summary>8-byte little-endian length + header (as given, no padding added) + data.</summary>
    public static byte[] Raw(string headerJson, byte[] data, long? declaredHeaderLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(file, declaredHeaderLength ?? header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>Like <see cref="Raw"/> with the header padded by spaces to a multiple of 8, as the reference writer does.</summary>
    public static byte[] Padded(string headerJson, byte[] data)
    {
        int length = Encoding.UTF8.GetByteCount(headerJson);
        return Raw(headerJson + new string(' ', (8 - (length % 8)) % 8), data);
    }

    public static byte[] Float32(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
