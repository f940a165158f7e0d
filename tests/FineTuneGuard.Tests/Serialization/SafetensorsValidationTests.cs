using System.Buffers.Binary;
using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

/// <summary>Every way a safetensors file can be malformed is refused on open, with the file and the problem named.</summary>
public class SafetensorsValidationTests
{
    private const string Good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";

    public static TheoryData<string, byte[], string, string?> CorruptFiles()
    {
        byte[] data12 = SafetensorsBytes.Float32(1f, 2f, 3f);
        byte[] good = SafetensorsBytes.Padded(Good, data12);
        return new TheoryData<string, byte[], string, string?>
        {
            { "empty file", [], "truncated", null },
            { "shorter than the length prefix", [1, 2, 3, 4, 5], "truncated", null },
            { "header length beyond the file", SafetensorsBytes.Raw(Good, data12, declaredHeaderLength: 5000), "extends beyond the end", null },
            { "header length above the cap", SafetensorsBytes.Raw(Good, data12, declaredHeaderLength: 200_000_000), "exceeds the 100000000-byte cap", null },
            { "header length that is negative as a signed number", SafetensorsBytes.Raw(Good, data12, declaredHeaderLength: -8), "exceeds the", null },
            { "malformed JSON", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",", data12), "malformed JSON", null },
            { "trailing comma", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", data12[..8]), "malformed JSON", null },
            { "header that is an array", SafetensorsBytes.Padded("[1,2]", []), "not a JSON object", null },
            { "truncated data", good[..^4], "outside the data section", "b" },
            { "unaccounted trailing bytes", [.. good, 0, 0, 0, 0], "unaccounted", null },
            { "offsets outside the data", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", data12[..8]), "outside the data section", "a" },
            { "middle tensor moved past the data", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"m\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[100,104]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data12), "data_offsets [100, 104] lie outside the data section of 12 bytes", "m" },
            { "overlap", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data12), "overlap tensor 'a'", "b" },
            { "gap", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data12), "gap of 4 bytes", "b" },
            { "shape x dtype size != byte length", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data12), "needs 12 bytes but data_offsets [0, 8] span 8", "a" },
            { "unknown dtype", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F31\",\"shape\":[3],\"data_offsets\":[0,12]}}", data12), "unknown dtype 'F31'", "a" },
            { "negative dimension", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[-3],\"data_offsets\":[0,12]}}", data12), "non-negative integers; got -3", "a" },
            { "non-integer dimension", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,12]}}", data12), "non-negative integers; got 1.5", "a" },
            { "end before begin", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,0]}}", data12), "end before they begin", "a" },
            { "three offsets", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12,12]}}", data12), "[begin, end]", "a" },
            { "missing shape", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,12]}}", data12), "'shape' is missing", "a" },
            { "unknown entry key", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12],\"x\":1}}", data12), "unknown key 'x'", "a" },
            { "duplicate tensor", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data12), "twice", "a" },
            { "non-string metadata", SafetensorsBytes.Padded("{\"__metadata__\":{\"n\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", data12), "must be a string", null },
            { "shape overflowing 64 bits", SafetensorsBytes.Padded("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,12]}}", data12), "overflows", "a" },
            { "bytes after the JSON object", SafetensorsBytes.Raw(Good + "xx      ", data12), "after the JSON header", null },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void CorruptFilesAreRefusedWithAClearMessage(string caseName, byte[] bytes, string expectedProblem, string? expectedTensor)
    {
        using var dir = new TempDirectory();
        string path = dir.File("corrupt.safetensors");
        File.WriteAllBytes(path, bytes);

        SafetensorsFormatException error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.True(error.Message.Contains(expectedProblem, StringComparison.Ordinal), $"{caseName}: '{error.Message}' lacks '{expectedProblem}'.");
        Assert.StartsWith(path + ":", error.Message, StringComparison.Ordinal);
        Assert.Equal(expectedTensor, error.TensorName);
        if (expectedTensor is not null)
        {
            Assert.Contains($"tensor '{expectedTensor}'", error.Message, StringComparison.Ordinal);
        }

        Assert.IsAssignableFrom<IOException>(error);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TheGoodFileOfTheCorruptCasesOpens()
    {
        // Guards the theory above: each corrupt case is a small edit of this file, which must itself be valid.
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("good.safetensors"), SafetensorsBytes.Padded(Good, SafetensorsBytes.Float32(1f, 2f, 3f)));
        using SafetensorsFile file = SafetensorsFile.Open(dir.File("good.safetensors"));
        Assert.Equal([3f], file.ReadFloat32("b"));
    }

    [Fact]
    public void AnEmptyHeaderWithNoDataIsValid()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("none.safetensors"), SafetensorsBytes.Padded("{}", []));
        using SafetensorsFile file = SafetensorsFile.Open(dir.File("none.safetensors"));
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void TheLengthPrefixIsLittleEndian()
    {
        byte[] bytes = SafetensorsBytes.Padded(Good, SafetensorsBytes.Float32(1f, 2f, 3f));
        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        BinaryPrimitives.WriteInt64BigEndian(bytes, length);
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("be.safetensors"), bytes);
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(dir.File("be.safetensors")).Dispose());
    }
}
