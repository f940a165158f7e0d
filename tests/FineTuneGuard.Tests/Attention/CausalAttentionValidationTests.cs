using FineTuneGuard.Attention;

namespace FineTuneGuard.Tests.Attention;

/// <summary>Wrong shapes are refused with a message that names the buffer, the expected shape and the call's shape.</summary>
public class CausalAttentionValidationTests
{
    private static readonly AttentionShape Shape = new(2, 8, 2, 16, 32, 4);

    [Fact]
    public void HeadsThatAreNotAMultipleOfKvHeadsAreRefused()
    {
        var shape = new AttentionShape(1, 6, 4, 8, 16, 0);
        var buffers = new Buffers(shape with { KvHeads = 6 });
        var error = Assert.Throws<ArgumentException>(() => Forward(shape, buffers));
        Assert.Contains("heads=6", error.Message, StringComparison.Ordinal);
        Assert.Contains("kvHeads=4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysLaidOutPerQueryHeadAreRefusedNamingBothShapes()
    {
        var buffers = new Buffers(Shape) { K = new float[Shape.QueryLength] };
        var error = Assert.Throws<ArgumentException>(() => Forward(Shape, buffers));
        Assert.Equal("k", error.ParamName);
        Assert.Contains("[batch=2, kvHeads=2, t=16, headDim=32]", error.Message, StringComparison.Ordinal);
        Assert.Contains(Shape.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains($"got {Shape.QueryLength} elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APrefixForEveryQueryHeadIsRefusedUnderGroupedQueryAttention()
    {
        var buffers = new Buffers(Shape) { PrefixKeys = new float[Shape.Heads * Shape.PrefixLength * Shape.HeadDim] };
        var error = Assert.Throws<ArgumentException>(() => Forward(Shape, buffers));
        Assert.Equal("prefixKeys", error.ParamName);
        Assert.Contains("[kvHeads=2, p=4, headDim=32]", error.Message, StringComparison.Ordinal);
        Assert.Contains(Shape.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AQueryOfAnotherHeadDimIsRefused()
    {
        var buffers = new Buffers(Shape) { Q = new float[Shape.QueryLength / 2] };
        var error = Assert.Throws<ArgumentException>(() => Forward(Shape, buffers));
        Assert.Equal("q", error.ParamName);
        Assert.Contains("headDim=32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMaskOfTheWrongSizeIsRefused()
    {
        var buffers = new Buffers(Shape);
        var mask = new float[Shape.SequenceLength * Shape.SequenceLength]; // forgot the prefix columns
        var error = Assert.Throws<ArgumentException>(() => CausalAttention.Forward(
            Shape, buffers.Q, buffers.K, buffers.V, buffers.PrefixKeys, buffers.PrefixValues, buffers.Output, buffers.Lse, AttentionMask.Additive(mask)));
        Assert.Equal("mask", error.ParamName);
        Assert.Contains("[t=16 x keys=20]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackwardNeedsTheLogSumExpAndBothOrNeitherPrefixGradient()
    {
        var b = new Buffers(Shape);
        var error = Assert.Throws<ArgumentException>(() => CausalAttention.Backward(
            Shape, b.Q, b.K, b.V, b.PrefixKeys, b.PrefixValues, b.Output, default, b.Output, b.Dq, b.Dk, b.Dv, b.DPrefixKeys, b.DPrefixValues));
        Assert.Equal("logSumExp", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => CausalAttention.Backward(
            Shape, b.Q, b.K, b.V, b.PrefixKeys, b.PrefixValues, b.Output, b.Lse, b.Output, b.Dq, b.Dk, b.Dv, b.DPrefixKeys, default));
        Assert.Contains("both", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => CausalAttention.Backward(
            Shape, b.Q, b.K, b.V, b.PrefixKeys, b.PrefixValues, b.Output, b.Lse, b.Output, b.Dq, b.Dq, b.Dv, b.DPrefixKeys, b.DPrefixValues));
        Assert.Equal("dk", error.ParamName);
    }

    [Theory]
    [InlineData(0, 1, 1, 1, 1, 0)]
    [InlineData(1, 0, 1, 1, 1, 0)]
    [InlineData(1, 1, 0, 1, 1, 0)]
    [InlineData(1, 1, 1, 0, 1, 0)]
    [InlineData(1, 1, 1, 1, 0, 0)]
    [InlineData(1, 1, 1, 1, 1, -1)]
    public void NonPositiveDimensionsAreOutOfRange(int batch, int heads, int kvHeads, int t, int headDim, int p)
    {
        var shape = new AttentionShape(batch, heads, kvHeads, t, headDim, p);
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalAttention.Forward(shape, default, default, default, default, default, default, default));
    }

    private static void Forward(AttentionShape shape, Buffers b)
        => CausalAttention.Forward(shape, b.Q, b.K, b.V, b.PrefixKeys, b.PrefixValues, b.Output, b.Lse);

    private sealed class Buffers(AttentionShape shape)
    {
        public float[] Q { get; init; } = new float[shape.QueryLength];

        public float[] K { get; init; } = new float[shape.KeyValueLength];

        public float[] V { get; init; } = new float[shape.KeyValueLength];

        public float[] PrefixKeys { get; init; } = new float[shape.PrefixKeyValueLength];

        public float[] PrefixValues { get; init; } = new float[shape.PrefixKeyValueLength];

        public float[] Output { get; } = new float[shape.QueryLength];

        public float[] Lse { get; } = new float[shape.LogSumExpLength];

        public float[] Dq { get; } = new float[shape.QueryLength];

        public float[] Dk { get; } = new float[shape.KeyValueLength];

        public float[] Dv { get; } = new float[shape.KeyValueLength];

        public float[] DPrefixKeys { get; } = new float[shape.PrefixKeyValueLength];

        public float[] DPrefixValues { get; } = new float[shape.PrefixKeyValueLength];
    }
}
