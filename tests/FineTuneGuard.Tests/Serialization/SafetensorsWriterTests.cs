using System.IO;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class SafetensorsWriterTests
{
    private static SafetensorsHeader TwoTensors()
        => SafetensorsHeader.Create([new("x", SafetensorsDType.F32, [2]), new("y", SafetensorsDType.BF16, [3])]);

    [Fact]
    public void AnAbandonedWriteLeavesNothingAndKeepsTheOldFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "previous content");

        using (var writer = new SafetensorsWriter(path, TwoTensors()))
        {
            writer.WriteTensor("x", [1f, 2f]);

            // Disposed before y is written and before Commit.
        }

        Assert.Equal(["model.safetensors"], dir.FileNames());
        Assert.Equal("previous content", File.ReadAllText(path));
    }

    [Fact]
    public void CommitRefusesAnIncompleteFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        using var writer = new SafetensorsWriter(path, TwoTensors());
        writer.WriteTensor("x", [1f, 2f]);
        writer.WriteFloat32([1f]);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(writer.Commit);
        Assert.Contains("'y' is incomplete (2 of 6 bytes)", error.Message, StringComparison.Ordinal);
        writer.Dispose();
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void ChunksMayNotRunPastTheCurrentTensor()
    {
        using var dir = new TempDirectory();
        using var writer = new SafetensorsWriter(dir.File("m.safetensors"), TwoTensors());
        Assert.Throws<InvalidOperationException>(() => writer.Write(new byte[12]));
    }

    [Fact]
    public void TensorsAreWrittenInDataOrder()
    {
        using var dir = new TempDirectory();
        using var writer = new SafetensorsWriter(dir.File("m.safetensors"), TwoTensors());
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => writer.WriteTensor("y", [1f, 2f, 3f]));
        Assert.Contains("'x' comes next", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChunkedWritesEqualAWholeWrite()
    {
        using var dir = new TempDirectory();
        float[] x = [1f, 2f];
        float[] y = [0.1f, 0.2f, 0.3f];
        using (var whole = new SafetensorsWriter(dir.File("whole.safetensors"), TwoTensors()))
        {
            whole.WriteTensor("x", x);
            whole.WriteTensor("y", y);
            whole.Commit();
        }

        using (var chunked = new SafetensorsWriter(dir.File("chunked.safetensors"), TwoTensors()))
        {
            chunked.WriteFloat32(x.AsSpan(0, 1));
            chunked.WriteFloat32(x.AsSpan(1, 1));
            chunked.WriteFloat32(y.AsSpan(0, 2));
            chunked.WriteFloat32(y.AsSpan(2, 1));
            Assert.Null(chunked.Current);
            chunked.Commit();
        }

        Assert.Equal(File.ReadAllBytes(dir.File("whole.safetensors")), File.ReadAllBytes(dir.File("chunked.safetensors")));
        Assert.Equal(["chunked.safetensors", "whole.safetensors"], dir.FileNames());
    }

    [Fact]
    public void CreateRefusesDuplicateNamesAndNegativeDimensions()
    {
        Assert.Throws<ArgumentException>(() => SafetensorsHeader.Create([new("x", SafetensorsDType.F32, [1]), new("x", SafetensorsDType.F32, [1])]));
        Assert.Throws<ArgumentException>(() => SafetensorsHeader.Create([new("x", SafetensorsDType.F32, [-1])]));
        Assert.Throws<ArgumentException>(() => SafetensorsHeader.Create([new("__metadata__", SafetensorsDType.F32, [1])]));
    }

    [Theory]
    [InlineData(long.MaxValue / 2, 3L)]
    [InlineData(4611686018427387904L, 1L)]
    public void CreateNamesTheTensorWhoseSizeOverflows(long rows, long cols)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SafetensorsHeader.Create(
            [new("fine", SafetensorsDType.F32, [2]), new("huge", SafetensorsDType.F32, [rows, cols])]));
        Assert.Contains("'huge'", e.Message, StringComparison.Ordinal);
        Assert.Equal("tensors", e.ParamName);
    }

    [Theory]
    [InlineData(4_294_967_296L, 4_294_967_296L)]
    [InlineData(long.MaxValue / 2, 3L)]
    public void AnInMemoryTensorWhoseSizeOverflowsIsNamedAndNothingIsWritten(long rows, long cols)
    {
        // WriteFile takes SafetensorsTensor values: the refusal comes from building one, before any file exists.
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        ArgumentException e = Assert.Throws<ArgumentException>(() => SafetensorsWriter.WriteFile(
            path, [new SafetensorsTensor("huge", SafetensorsDType.F32, [rows, cols], ReadOnlyMemory<byte>.Empty)]));
        Assert.Contains("'huge'", e.Message, StringComparison.Ordinal);
        Assert.Contains("overflows", e.Message, StringComparison.Ordinal);
        Assert.Equal("shape", e.ParamName);
        Assert.False(File.Exists(path));
    }
}
