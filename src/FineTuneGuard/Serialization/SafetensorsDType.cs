namespace FineTuneGuard.Serialization;

/// <summary>
/// The element types of the safetensors format that this library reads and writes. The spelling of each member is
/// the format's own (<c>"F32"</c>, <c>"BF16"</c>, …). Float types convert to and from float32; the others are copied
/// bit for bit and read as integers.
/// </summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 binary32.</summary>
    F32,

    /// <summary>IEEE 754 binary16.</summary>
    F16,

    /// <summary>bfloat16: the upper 16 bits of a binary32.</summary>
    BF16,

    /// <summary>IEEE 754 binary64.</summary>
    F64,

    /// <summary>Signed 64-bit integer.</summary>
    I64,

    /// <summary>Signed 32-bit integer.</summary>
    I32,

    /// <summary>Signed 16-bit integer.</summary>
    I16,

    /// <summary>Signed 8-bit integer.</summary>
    I8,

    /// <summary>Unsigned 8-bit integer.</summary>
    U8,

    /// <summary>Boolean stored as one byte.</summary>
    BOOL,
}
