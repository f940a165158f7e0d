using FineTuneGuard.Kernels;
using static FineTuneGuard.Tests.Kernels.DecoderKernelChecks;

namespace FineTuneGuard.Tests.Kernels;

public class SwiGluTests
{
    private static double Sigmoid(double g) => 1 / (1 + Math.Exp(-g));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    [InlineData(1027)]
    public void ForwardAndBackwardMatchDoubleReference(int n)
    {
        float[] gate = Random(n, 11, -8f, 8f), up = Random(n, 12), dh = Random(n, 13);
        float[] h = new float[n], dGate = new float[n], dUp = new float[n];
        SwiGlu.Forward(gate, up, h);
        SwiGlu.Backward(gate, up, dh, dGate, dUp);

        var eh = new double[n];
        var eGate = new double[n];
        var eUp = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = gate[i], s = Sigmoid(g);
            eh[i] = g * s * up[i];
            eUp[i] = dh[i] * g * s;
            eGate[i] = dh[i] * up[i] * s * (1 + (g * (1 - s)));
        }

        // TensorPrimitives' sigmoid is within a few ulp of float32; each output has ≤ 5 more roundings: 1e-6 relative + 1e-7.
        AssertNear(eh, h, 1e-7, 1e-6);
        AssertNear(eUp, dUp, 1e-7, 1e-6);
        AssertNear(eGate, dGate, 1e-7, 1e-6);
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        const int n = 21;
        float[] gate = Random(n, 14, -4f, 4f), up = Random(n, 15), dh = Random(n, 16);
        float[] dGate = new float[n], dUp = new float[n];
        SwiGlu.Backward(gate, up, dh, dGate, dUp);

        double Loss()
        {
            float[] h = new float[n];
            SwiGlu.Forward(gate, up, h);
            return Dot(dh, h);
        }

        // h = 1e-2: truncation O(h²) ≈ 1e-4, float rounding of the loss ≈ 1e-5 / h ≈ 1e-4.
        for (int i = 0; i < n; i++)
        {
            double fdGate = Derivative(gate, i, 1e-2f, Loss);
            double fdUp = Derivative(up, i, 1e-2f, Loss);
            Assert.True(Math.Abs(fdGate - dGate[i]) <= 1e-3 + (1e-3 * Math.Abs(fdGate)), $"dGate[{i}]: fd {fdGate}, kernel {dGate[i]}");
            Assert.True(Math.Abs(fdUp - dUp[i]) <= 1e-3 + (1e-3 * Math.Abs(fdUp)), $"dUp[{i}]: fd {fdUp}, kernel {dUp[i]}");
        }
    }

    [Fact]
    public void ShapeErrorsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => SwiGlu.Forward(new float[4], new float[3], new float[4]));
        Assert.Contains("'up' must have shape [4]; got [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => SwiGlu.Backward(new float[4], new float[4], new float[4], new float[4], new float[5]));
        Assert.Contains("'dUp' must have shape [4]; got [5]", e.Message);
    }
}
