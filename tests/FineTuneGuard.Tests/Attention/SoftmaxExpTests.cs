using System.Runtime.Intrinsics;
using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>The softmax's float exponential against Math.Exp on its whole domain x ≤ 0, and its special values.</summary>
public class SoftmaxExpTests
{
    [Fact]
    public void WithinTwoUlpOnTheSoftmaxDomainAndExactlyZeroBelowIt()
    {
        var random = new SeededRandom(1);
        for (int i = 0; i < 20_000; i++)
        {
            float x = i < 100 ? -i * 0.5f : (float)(-random.NextDouble() * 87.3);
            double expected = Math.Exp(x);
            float v512 = SoftmaxExp.Exp(Vector512.Create(x)).GetElement(3);
            float v256 = SoftmaxExp.Exp(Vector256.Create(x)).GetElement(5);
            double ulp = MathF.BitIncrement((float)expected) - (float)expected;
            Assert.True(Math.Abs(v512 - expected) <= 2 * ulp, $"512: e^{x} = {expected}, got {v512}");
            Assert.True(Math.Abs(v256 - expected) <= 2 * ulp, $"256: e^{x} = {expected}, got {v256}");
        }

        Assert.Equal(1f, SoftmaxExp.Exp(Vector512<float>.Zero).GetElement(0));
        Assert.Equal(0f, SoftmaxExp.Exp(Vector512.Create(float.NegativeInfinity)).GetElement(0));
        Assert.Equal(0f, SoftmaxExp.Exp(Vector256.Create(-88f)).GetElement(0));
        Assert.True(float.IsNaN(SoftmaxExp.Exp(Vector512.Create(float.NaN)).GetElement(0)));
        Assert.True(float.IsNaN(SoftmaxExp.Exp(Vector256.Create(float.NaN)).GetElement(7)));
    }
}
