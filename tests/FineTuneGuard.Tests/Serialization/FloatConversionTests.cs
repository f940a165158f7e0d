using FineTuneGuard.Numerics;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Tests.Serialization;

public class FloatConversionTests
{
    // bfloat16 keeps 7 mantissa bits: the spacing at 1.0 is 2^-7, so 1 + 2^-8 is exactly halfway.
    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(1.00390625f, 0x3F80)] // 1 + 2^-8: halfway, ties to the even 0x3F80
    [InlineData(1.01171875f, 0x3F82)] // 1 + 2^-7 + 2^-8: halfway, ties to the even 0x3F82
    [InlineData(-2.0f, 0xC000)]
    [InlineData(3.4028235e38f, 0x7F80)] // float.MaxValue rounds to +inf in bfloat16, as in PyTorch
    [InlineData(float.NegativeInfinity, 0xFF80)]
    [InlineData(0.0f, 0x0000)]
    public void BFloat16RoundsToNearestEven(float value, int expectedBits)
        => Assert.Equal((ushort)expectedBits, FloatConversion.SingleToBFloat16(value));

    [Fact]
    public void BFloat16JustAboveHalfwayRoundsUp()
        => Assert.Equal(0x3F81, FloatConversion.SingleToBFloat16(BitConverter.Int32BitsToSingle(0x3F808001)));

    [Fact]
    public void BFloat16KeepsNaNANaN()
    {
        ushort bits = FloatConversion.SingleToBFloat16(BitConverter.Int32BitsToSingle(0x7F800001)); // payload only in the low bits
        Assert.True(float.IsNaN(FloatConversion.BFloat16ToSingle(bits)));
    }

    [Theory]
    [InlineData(1.0f, 0x3C00)]
    [InlineData(1.00048828125f, 0x3C00)] // 1 + 2^-11: halfway between 1 and 1 + 2^-10, ties to even
    [InlineData(1.00146484375f, 0x3C02)] // 1 + 3·2^-11: halfway, ties to the even 0x3C02
    [InlineData(65504f, 0x7BFF)]
    [InlineData(65520f, 0x7C00)] // halfway to the next binade: rounds to +inf
    public void Float16RoundsToNearestEven(float value, int expectedBits)
    {
        byte[] bytes = new byte[2];
        FloatConversion.FromFloat32(SafetensorsDType.F16, [value], bytes);
        Assert.Equal((ushort)expectedBits, BitConverter.ToUInt16(bytes));
    }

    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    [InlineData(SafetensorsDType.F64)]
    public void ValuesRepresentableInTheDTypeSurviveARoundTrip(SafetensorsDType dtype)
    {
        float[] values = [0f, 1f, -1.5f, 0.25f, 1024f, -0.0078125f, 3f];
        byte[] bytes = new byte[values.Length * dtype.ElementSize()];
        FloatConversion.FromFloat32(dtype, values, bytes);
        float[] back = new float[values.Length];
        FloatConversion.ToFloat32(dtype, bytes, back);
        Assert.Equal(values, back);
    }

    [Fact]
    public void IntegerDTypesDoNotConvert()
        => Assert.Throws<ArgumentException>(() => FloatConversion.ToFloat32(SafetensorsDType.I32, new byte[4], new float[1]));

    [Fact]
    public void LengthMismatchIsRefused()
        => Assert.Throws<ArgumentException>(() => FloatConversion.ToFloat32(SafetensorsDType.BF16, new byte[6], new float[2]));

    [Fact]
    public void TheVectorisedBFloat16PathsEqualTheScalarRuleOnEveryKindOfValue()
    {
        // Random bit patterns cover normals, subnormals, infinities, NaNs and ties; 1003 elements cover the vector
        // loop and the scalar tail.
        var random = new SeededRandom(42);
        float[] values = new float[1003];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextUInt64());
        }

        values[5] = float.NaN;
        values[6] = float.PositiveInfinity;
        values[7] = BitConverter.UInt32BitsToSingle(0x3F808000); // exact tie
        values[8] = BitConverter.UInt32BitsToSingle(0x7F7FFFFF); // rounds up to infinity

        ushort[] narrowed = new ushort[values.Length];
        FloatConversion.SingleToBFloat16(values, narrowed);
        float[] widened = new float[values.Length];
        FloatConversion.BFloat16ToSingle(narrowed, widened);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(FloatConversion.SingleToBFloat16(values[i]), narrowed[i]);
            Assert.Equal(BitConverter.SingleToUInt32Bits(FloatConversion.BFloat16ToSingle(narrowed[i])), BitConverter.SingleToUInt32Bits(widened[i]));
        }
    }
}
