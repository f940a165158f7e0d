using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Kernels;

[Collection(KernelTestCollection.Name)]
public class BottleneckAdapterTests
{
    private static readonly AdapterActivation[] Activations = { AdapterActivation.Relu, AdapterActivation.Gelu, AdapterActivation.Tanh, AdapterActivation.Identity };

    // (rows, d, b): the sizes and vector-width remainders; every path, every activation, with and without bias.
    public static TheoryData<string, int, int, int, bool> Shapes()
    {
        var data = new TheoryData<string, int, int, int, bool>();
        int[][] shapes = { new[] { 1, 1, 1 }, new[] { 7, 33, 7 }, new[] { 31, 127, 31 }, new[] { 33, 1000, 64 }, new[] { 127, 40, 1 } };
        foreach (string path in GemmPathScope.PathNames)
        {
            foreach (int[] s in shapes)
            {
                data.Add(path, s[0], s[1], s[2], s[0] % 2 == 1);
                data.Add(path, s[0], s[1], s[2], s[0] % 2 == 0);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndBackwardMatchTheDoubleReference(string path, int rows, int d, int b, bool bias)
    {
        using var scope = GemmPathScope.Force(path);
        foreach (AdapterActivation activation in Activations)
        {
            var random = new SeededRandom((ulong)((rows * 977) + (d * 13) + b + (int)activation));
            var shape = new AdapterShape(d, b);
            float[] x = Reference.Random(random, rows * d), down = Reference.Random(random, b * d), up = Reference.Random(random, d * b);
            float[] downBias = bias ? Reference.Random(random, b) : Array.Empty<float>();
            float[] upBias = bias ? Reference.Random(random, d) : Array.Empty<float>();
            float[] pre = new float[rows * b], y = Reference.Random(random, rows * d);
            Adapter.Forward(shape, activation, rows, x, down, downBias, up, upBias, pre, y);

            var (h, hMagnitude, yExpected) = AdapterReference.Forward(activation, rows, d, b, x, down, downBias, up, upBias);

            // h: d products plus a bias, γ_(d+4)·(Σ|x||down| + |bd|).
            Reference.Close(h, hMagnitude, pre, d + 4, $"{path} {activation} h");

            // y: every act(h_j) carries h's error times |act'| ≤ 1.13 (GELU's maximum slope) plus the activation's own
            // rounding (TensorPrimitives' tanh is within a few ulp: 16u·(|act| + |h|) covers it); the up projection adds
            // γ_(b+4)·(|x| + |bu| + Σ|act||up|).
            double gammaH = (d + 4) * Reference.U, gammaY = (b + 4) * Reference.U;
            for (int i = 0; i < rows; i++)
            {
                for (int p = 0; p < d; p++)
                {
                    double bound = Math.Abs(x[(i * d) + p]) + (bias ? Math.Abs(upBias[p]) : 0);
                    double propagated = 0;
                    for (int j = 0; j < b; j++)
                    {
                        double hij = h[(i * b) + j], act = AdapterReference.Act(activation, hij);
                        bound += Math.Abs(act * up[(p * b) + j]);
                        double actError = (1.13 * gammaH * hMagnitude[(i * b) + j]) + (16 * Reference.U * (Math.Abs(act) + Math.Abs(hij)));
                        propagated += Math.Abs(up[(p * b) + j]) * actError;
                    }

                    double error = Math.Abs(y[(i * d) + p] - yExpected[(i * d) + p]);
                    Assert.True(error <= (gammaY * bound) + propagated + 1e-30, $"{path} {activation} y[{i},{p}] error {error:E3}");
                }
            }

            // Backward from the kernel's own pre-activation (what a caller passes back), against the double formulas
            // evaluated at that same h. Every gradient is a sum of at most max(rows, d) + b + 4 products whose factors
            // carry the activation's few-ulp error; 1e-5 relative to the largest magnitude of the same gradient
            // (≈ 2^-24·(1000 + 64)·10) bounds it with margin, while a wrong formula is off by O(1).
            float[] dy = Reference.Random(random, rows * d);
            float[] dDown = new float[b * d], dUp = new float[d * b], dx = new float[rows * d];
            float[] dDownBias = bias ? new float[b] : Array.Empty<float>(), dUpBias = bias ? new float[d] : Array.Empty<float>();
            Adapter.Backward(shape, activation, rows, x, down, up, pre, dy, dDown, dDownBias, dUp, dUpBias, dx);
            double[] hKernel = pre.Select(v => (double)v).ToArray();
            var expected = AdapterReference.Backward(activation, rows, d, b, x, down, up, hKernel, dy);
            AssertRelative(expected.DDown, dDown, $"{path} {activation} dDown");
            AssertRelative(expected.DUp, dUp, $"{path} {activation} dUp");
            AssertRelative(expected.DX, dx, $"{path} {activation} dx");
            if (bias)
            {
                AssertRelative(expected.DDownBias, dDownBias, $"{path} {activation} dDownBias");
                AssertRelative(expected.DUpBias, dUpBias, $"{path} {activation} dUpBias");
            }
        }
    }

    [Fact]
    public void DoubleReferenceGradientsMatchCentralFiniteDifferences()
    {
        // Validates the analytic formulas the kernel is compared with: central differences of the double forward with
        // step 1e-5 have truncation error O(h²·f''') ≈ 1e-10 and rounding error ≈ 1e-16 / 1e-5; tolerance 1e-6.
        const int rows = 3, d = 5, b = 4;
        const double step = 1e-5;
        foreach (AdapterActivation activation in Activations)
        {
            var random = new SeededRandom(77);
            float[] x = Reference.Random(random, rows * d), down = Reference.Random(random, b * d), up = Reference.Random(random, d * b);
            float[] downBias = Reference.Random(random, b), upBias = Reference.Random(random, d), dy = Reference.Random(random, rows * d);
            var (h, _, _) = AdapterReference.Forward(activation, rows, d, b, x, down, downBias, up, upBias);
            var analytic = AdapterReference.Backward(activation, rows, d, b, x, down, up, h, dy);

            // Loss in double with a double-valued parameter override.
            double Loss(float[] parameter, int index, double value)
            {
                double[] X = x.Select(v => (double)v).ToArray(), Dn = down.Select(v => (double)v).ToArray(), Up = up.Select(v => (double)v).ToArray();
                double[] Bd = downBias.Select(v => (double)v).ToArray(), Bu = upBias.Select(v => (double)v).ToArray();
                double[] target = parameter == x ? X : parameter == down ? Dn : parameter == up ? Up : parameter == downBias ? Bd : Bu;
                target[index] = value;
                double loss = 0;
                for (int i = 0; i < rows; i++)
                {
                    var act = new double[b];
                    for (int j = 0; j < b; j++)
                    {
                        double hij = Bd[j];
                        for (int p = 0; p < d; p++)
                        {
                            hij += X[(i * d) + p] * Dn[(j * d) + p];
                        }

                        act[j] = AdapterReference.Act(activation, hij);
                    }

                    for (int p = 0; p < d; p++)
                    {
                        double yip = X[(i * d) + p] + Bu[p];
                        for (int j = 0; j < b; j++)
                        {
                            yip += act[j] * Up[(p * b) + j];
                        }

                        loss += yip * dy[(i * d) + p];
                    }
                }

                return loss;
            }

            void Check(float[] parameter, double[] gradient, string name)
            {
                for (int i = 0; i < parameter.Length; i++)
                {
                    double numeric = (Loss(parameter, i, parameter[i] + step) - Loss(parameter, i, parameter[i] - step)) / (2 * step);
                    Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6, $"{activation} {name}[{i}]: analytic {gradient[i]}, numeric {numeric}");
                }
            }

            Check(x, analytic.DX, "dx");
            Check(down, analytic.DDown, "dDown");
            Check(up, analytic.DUp, "dUp");
            Check(downBias, analytic.DDownBias, "dDownBias");
            Check(upBias, analytic.DUpBias, "dUpBias");
        }
    }

    [Theory]
    [InlineData(AdapterActivation.Gelu)]
    [InlineData(AdapterActivation.Tanh)]
    [InlineData(AdapterActivation.Identity)]
    public void KernelBackwardMatchesFiniteDifferencesOfTheKernelForward(AdapterActivation activation)
    {
        // Central differences of the float32 kernel itself (smooth activations; ReLU's kink is covered by the double
        // reference above). Step 1e-2: truncation ≈ h²/6·|f'''| ≤ 1e-4, rounding ≈ 2·Σ|dy|·1e-7 / h ≈ 3e-4; tolerance 3e-3.
        const int rows = 3, d = 6, b = 3;
        const float h = 1e-2f;
        var shape = new AdapterShape(d, b);
        var random = new SeededRandom(31);
        float[] x = Reference.Random(random, rows * d), down = Reference.Random(random, b * d), up = Reference.Random(random, d * b);
        float[] downBias = Reference.Random(random, b), upBias = Reference.Random(random, d), dy = Reference.Random(random, rows * d);
        float[] pre = new float[rows * b], y = new float[rows * d];
        Adapter.Forward(shape, activation, rows, x, down, downBias, up, upBias, pre, y);
        float[] dDown = new float[b * d], dDownBias = new float[b], dUp = new float[d * b], dUpBias = new float[d], dx = new float[rows * d];
        Adapter.Backward(shape, activation, rows, x, down, up, pre, dy, dDown, dDownBias, dUp, dUpBias, dx);

        double Loss()
        {
            Adapter.Forward(shape, activation, rows, x, down, downBias, up, upBias, pre, y);
            return y.Select((v, i) => (double)v * dy[i]).Sum();
        }

        void Check(float[] parameter, float[] gradient, string name)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                float saved = parameter[i];
                parameter[i] = saved + h;
                double plus = Loss();
                parameter[i] = saved - h;
                double minus = Loss();
                parameter[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 3e-3, $"{activation} {name}[{i}]: analytic {gradient[i]}, numeric {numeric}");
            }
        }

        Check(x, dx, "dx");
        Check(down, dDown, "dDown");
        Check(downBias, dDownBias, "dDownBias");
        Check(up, dUp, "dUp");
        Check(upBias, dUpBias, "dUpBias");
    }

    [Fact]
    public void ZeroUpProjectionIsTheIdentity()
    {
        var shape = new AdapterShape(33, 5);
        var random = new SeededRandom(4);
        float[] x = Reference.Random(random, 2 * 33), down = new float[5 * 33];
        Adapter.InitializeDown(shape, down, random);
        Assert.All(down, v => Assert.InRange(v, -1 / Math.Sqrt(33), 1 / Math.Sqrt(33)));
        float[] y = new float[2 * 33], pre = new float[2 * 5];
        Adapter.Forward(shape, AdapterActivation.Gelu, 2, x, down, ReadOnlySpan<float>.Empty, new float[33 * 5], ReadOnlySpan<float>.Empty, pre, y);
        Assert.Equal(x, y);
    }

    [Fact]
    public void ShapeMismatchesNameTheParameterAndBothShapes()
    {
        var shape = new AdapterShape(6, 2);
        const int rows = 3;
        float[] x = new float[18], down = new float[12], bd = new float[2], up = new float[12], bu = new float[6], pre = new float[6], y = new float[18];
        var relu = AdapterActivation.Relu;
        LoraTests.AssertShape("x", "[3 x 6]", () => Adapter.Forward(shape, relu, rows, new float[17], down, bd, up, bu, pre, y));
        LoraTests.AssertShape("down", "[2 x 6]", () => Adapter.Forward(shape, relu, rows, x, new float[13], bd, up, bu, pre, y));
        LoraTests.AssertShape("downBias", "[2]", () => Adapter.Forward(shape, relu, rows, x, down, new float[3], up, bu, pre, y));
        LoraTests.AssertShape("up", "[6 x 2]", () => Adapter.Forward(shape, relu, rows, x, down, bd, new float[11], bu, pre, y));
        LoraTests.AssertShape("upBias", "[6]", () => Adapter.Forward(shape, relu, rows, x, down, bd, up, new float[5], pre, y));
        LoraTests.AssertShape("preActivation", "[3 x 2]", () => Adapter.Forward(shape, relu, rows, x, down, bd, up, bu, new float[7], y));
        LoraTests.AssertShape("y", "[3 x 6]", () => Adapter.Forward(shape, relu, rows, x, down, bd, up, bu, pre, new float[1]));

        float[] dy = new float[18], dDown = new float[12], dBd = new float[2], dUp = new float[12], dBu = new float[6], dx = new float[18];
        LoraTests.AssertShape("dy", "[3 x 6]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, new float[2], dDown, dBd, dUp, dBu, dx));
        LoraTests.AssertShape("preActivation", "[3 x 2]", () => Adapter.Backward(shape, relu, rows, x, down, up, new float[5], dy, dDown, dBd, dUp, dBu, dx));
        LoraTests.AssertShape("dDown", "[2 x 6]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, dy, new float[3], dBd, dUp, dBu, dx));
        LoraTests.AssertShape("dDownBias", "[2]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, dy, dDown, new float[1], dUp, dBu, dx));
        LoraTests.AssertShape("dUp", "[6 x 2]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, dy, dDown, dBd, new float[13], dBu, dx));
        LoraTests.AssertShape("dUpBias", "[6]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, dy, dDown, dBd, dUp, new float[7], dx));
        LoraTests.AssertShape("dx", "[3 x 6]", () => Adapter.Backward(shape, relu, rows, x, down, up, pre, dy, dDown, dBd, dUp, dBu, new float[19]));
        LoraTests.AssertShape("down", "[2 x 6]", () => Adapter.InitializeDown(shape, new float[3], new SeededRandom(1)));
    }

    [Fact]
    public void NonPositiveDimensionsThrowOutOfRange()
    {
        float[] any = new float[4];
        Assert.Equal("shape.ModelDim", Assert.Throws<ArgumentOutOfRangeException>(() => Adapter.Forward(new AdapterShape(0, 2), AdapterActivation.Relu, 1, any, any, any, any, any, any, any)).ParamName);
        Assert.Equal("shape.Bottleneck", Assert.Throws<ArgumentOutOfRangeException>(() => Adapter.Backward(new AdapterShape(2, -2), AdapterActivation.Relu, 1, any, any, any, any, any, any, any, any, any, any)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Adapter.Forward(new AdapterShape(2, 2), AdapterActivation.Relu, 0, any, any, any, any, any, any, any)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Adapter.InitializeDown(new AdapterShape(2, 0), any, new SeededRandom(1)));
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        using var scope = GemmPathScope.Force("Vector512", threads: 1);
        var shape = new AdapterShape(300, 16);
        const int rows = 20;
        var random = new SeededRandom(6);
        float[] x = Reference.Random(random, rows * 300), down = Reference.Random(random, 16 * 300), up = Reference.Random(random, 300 * 16);
        float[] bd = Reference.Random(random, 16), bu = Reference.Random(random, 300), pre = new float[rows * 16], y = new float[rows * 300];
        float[] dy = Reference.Random(random, rows * 300), dDown = new float[16 * 300], dBd = new float[16], dUp = new float[300 * 16], dBu = new float[300], dx = new float[rows * 300];

        void Step()
        {
            foreach (AdapterActivation activation in Activations)
            {
                Adapter.Forward(shape, activation, rows, x, down, bd, up, bu, pre, y);
                Adapter.Backward(shape, activation, rows, x, down, up, pre, dy, dDown, dBd, dUp, dBu, dx);
            }
        }

        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertRelative(double[] expected, float[] actual, string what)
    {
        double scale = Math.Max(1e-30, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= 1e-5 * scale, $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R} (error {error:E3}, scale {scale:E3})");
        }
    }
}
