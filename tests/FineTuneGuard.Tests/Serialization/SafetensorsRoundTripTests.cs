using System.IO;
using System.Text;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class SafetensorsRoundTripTests
{
    private static readonly KeyValuePair<string, string>[] PtMetadata = [new("format", "pt")];

    [Fact]
    public void WritesExactlyTheReferenceLayout()
    {
        // What the reference writer produces for {"a": float32 [2]} with metadata {"format": "pt"}: compact JSON,
        // metadata first, entries as dtype/shape/data_offsets, spaces up to a multiple of 8.
        const string Json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] expected = SafetensorsBytes.Padded(Json, SafetensorsBytes.Float32(1.5f, -2f));

        using var dir = new TempDirectory();
        SafetensorsWriter.WriteFile(dir.File("a.safetensors"), [SafetensorsTensor.FromFloat32("a", SafetensorsDType.F32, [2], [1.5f, -2f])], PtMetadata);

        byte[] actual = File.ReadAllBytes(dir.File("a.safetensors"));
        Assert.Equal(expected, actual);
        Assert.Equal(0, (actual.Length - 8) % 8);
    }

    [Fact]
    public void EveryDTypeReadsBackItsValues()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        SafetensorsWriter.WriteFile(
            path,
            [
                SafetensorsTensor.FromFloat32("f32", SafetensorsDType.F32, [2, 2], [1f, 2f, 3f, -4.25f]),
                SafetensorsTensor.FromFloat32("f16", SafetensorsDType.F16, [3], [0.5f, -8f, 1024f]),
                SafetensorsTensor.FromFloat32("bf16", SafetensorsDType.BF16, [1, 3], [0.5f, -8f, 3.0e10f]),
                SafetensorsTensor.FromInt64("i64", [2], [long.MinValue, 7L]),
                SafetensorsTensor.FromInt32("i32", [3], [-1, 0, int.MaxValue]),
                SafetensorsTensor.FromFloat32("scalar", SafetensorsDType.F32, [], [42f]),
                SafetensorsTensor.FromFloat32("empty", SafetensorsDType.F32, [0, 4], []),
            ],
            [new("format", "pt"), new("note", "ünïcode \"quoted\"")]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.Equal(["f32", "f16", "bf16", "i64", "i32", "scalar", "empty"], file.Tensors.Select(t => t.Name));
        Assert.Equal([1f, 2f, 3f, -4.25f], file.ReadFloat32("f32"));
        Assert.Equal([0.5f, -8f, 1024f], file.ReadFloat32("f16"));
        Assert.Equal([0.5f, -8f, FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(3.0e10f))], file.ReadFloat32("bf16"));
        Assert.Equal([long.MinValue, 7L], file.ReadInt64("i64"));
        Assert.Equal([-1, 0, int.MaxValue], file.ReadInt32("i32"));
        Assert.Equal([42f], file.ReadFloat32("scalar"));
        Assert.Empty(file.ReadFloat32("empty"));
        Assert.Equal(new long[] { 1, 3 }, file.GetTensor("bf16").Shape);
        Assert.Equal(SafetensorsDType.BF16, file.GetTensor("bf16").DType);
        Assert.True(file.Header.TryGetMetadata("note", out string note));
        Assert.Equal("ünïcode \"quoted\"", note);
        Assert.Equal(0, file.DataOffset % 8);
    }

    [Fact]
    public void RewritingAWrittenFileIsByteExact()
    {
        using var dir = new TempDirectory();
        string first = dir.File("first.safetensors");
        SafetensorsWriter.WriteFile(
            first,
            [
                SafetensorsTensor.FromFloat32("z.weight", SafetensorsDType.BF16, [3, 5], Enumerable.Range(0, 15).Select(i => i * 0.37f).ToArray()),
                SafetensorsTensor.FromFloat32("a.weight", SafetensorsDType.F16, [7], Enumerable.Range(0, 7).Select(i => -i * 1.1f).ToArray()),
                SafetensorsTensor.FromInt64("m.ids", [3], [1, 2, 3]),
            ],
            PtMetadata);

        string second = dir.File("second.safetensors");
        CopyThroughTheLibrary(first, second);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void ForeignKeyOrderAndPaddingArePreservedAsWritten()
    {
        // Keys in an unusual order (data_offsets first, metadata last), pretty-printed, with newline padding and the
        // data of 'b' before 'a': rewriting through the library must not normalise any of it.
        const string Json = "{\n  \"b\": {\"data_offsets\": [0, 4], \"shape\": [1], \"dtype\": \"F32\"},\n  \"a\": {\"shape\": [2], \"dtype\": \"BF16\", \"data_offsets\": [4, 8]},\n  \"__metadata__\": {\"k\": \"v\"}\n}\n\n\n";
        byte[] data = [.. SafetensorsBytes.Float32(9f), 0x80, 0x3F, 0x00, 0x40];
        byte[] original = SafetensorsBytes.Raw(Json, data);

        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("foreign.safetensors"), original);
        CopyThroughTheLibrary(dir.File("foreign.safetensors"), dir.File("copy.safetensors"));
        Assert.Equal(original, File.ReadAllBytes(dir.File("copy.safetensors")));

        using SafetensorsFile file = SafetensorsFile.Open(dir.File("foreign.safetensors"));
        Assert.Equal([1f, 2f], file.ReadFloat32("a"));
        Assert.Equal([9f], file.ReadFloat32("b"));
    }

    [Fact]
    public void AHeaderParsedFromAPythonStyleFileSerialisesToTheSameBytes()
    {
        const string Json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}";
        byte[] original = SafetensorsBytes.Padded(Json, SafetensorsBytes.Float32(3f));
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("w.safetensors"), original);
        using SafetensorsFile file = SafetensorsFile.Open(dir.File("w.safetensors"));

        // Re-declaring the same tensors from scratch (no original bytes to fall back on) gives the same header.
        SafetensorsHeader recreated = SafetensorsHeader.Create(
            file.Tensors.Select(t => new SafetensorsTensorDeclaration(t.Name, t.DType, t.Shape)), file.Header.Metadata);
        Assert.Equal(file.Header.ToBytes(), recreated.ToBytes());
    }

    private static void CopyThroughTheLibrary(string source, string destination)
    {
        using SafetensorsFile file = SafetensorsFile.Open(source);
        using var writer = new SafetensorsWriter(destination, file.Header);
        while (writer.Current is SafetensorsTensorInfo tensor)
        {
            file.CopyTensorTo(tensor, writer);
        }

        writer.Commit();
    }
}
