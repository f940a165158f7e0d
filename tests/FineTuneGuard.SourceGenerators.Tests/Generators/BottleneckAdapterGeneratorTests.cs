using System.Reflection;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>[BottleneckAdapter]: the seeds' counts, identity at start, and the runtime kernels behind Forward/Backward.</summary>
public class BottleneckAdapterGeneratorTests
{
    private const string Probe = """
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        [BottleneckAdapter(16, 4)]
        public partial class Adapter { }
        public static class Probe
        {
            public static float[][] Forward(float[] x, bool train)
            {
                var adapter = new Adapter(seed: 2);
                if (train) { new SeededRandom(3).FillUniform(adapter.Up, -1f, 1f); new SeededRandom(4).FillUniform(adapter.UpBias, -1f, 1f); }
                var pre = new float[(x.Length / 16) * 4];
                var y = new float[x.Length];
                adapter.Forward(x.Length / 16, x, pre, y);
                return new[] { y, pre, adapter.Down, adapter.DownBias, adapter.Up, adapter.UpBias };
            }
            public static float[][] Backward(float[] x, float[] dy)
            {
                var adapter = new Adapter(seed: 2);
                new SeededRandom(3).FillUniform(adapter.Up, -1f, 1f);
                var pre = new float[(x.Length / 16) * 4];
                var y = new float[x.Length];
                var dx = new float[x.Length];
                adapter.Forward(x.Length / 16, x, pre, y);
                adapter.Backward(x.Length / 16, x, pre, dy, dx);
                return new[] { adapter.GradDown, adapter.GradDownBias, adapter.GradUp, adapter.GradUpBias, dx, adapter.Down, adapter.Up, pre };
            }
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() => GeneratedAssembly.Load(Probe));

    [Theory]
    [InlineData(4096, 64, false, 524_288L)]
    [InlineData(1024, 32, false, 65_536L)]
    [InlineData(768, 64, true, (2L * 768 * 64) + 64 + 768)]
    public void CountsMatchTheSeeds(int modelDim, int bottleneck, bool bias, long expected)
    {
        var h = GeneratorHarness.Run($$"""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [BottleneckAdapter({{modelDim}}, {{bottleneck}}, Bias = {{(bias ? "true" : "false")}})]
            public partial class Adapter { }
            """).AssertClean();
        Assert.Equal(expected, h.Constant("Adapter", "TrainableParameterCount"));
        Assert.Equal(bias, h.Constant("Adapter", "HasBias"));
    }

    [Fact]
    public void ThirtyTwoLayersOfTheSeedAdapterAre16777216()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [BottleneckAdapter(4096, 64, Bias = false)] public partial class Adapter { }
            public static class Model { public const long Total = 32 * Adapter.TrainableParameterCount; }
            """).AssertClean();
        var total = h.Output.GetTypeByMetadataName("Model")!.GetMembers("Total").OfType<Microsoft.CodeAnalysis.IFieldSymbol>().Single();
        Assert.Equal(16_777_216L, total.ConstantValue);
    }

    [Fact]
    public void AFreshAdapterIsTheIdentity()
    {
        float[] x = new float[32];
        new SeededRandom(1).FillUniform(x, -1f, 1f);
        float[][] result = Compiled.Value.Call<float[][]>("Probe", "Forward", x, false);
        Assert.Equal(x, result[0]);
        Assert.All(result[4], v => Assert.Equal(0f, v));
        Assert.Contains(result[2], v => v != 0f);
    }

    [Fact]
    public void ForwardAndBackwardAreTheRuntimeKernels()
    {
        float[] x = new float[32], dy = new float[32];
        new SeededRandom(1).FillUniform(x, -1f, 1f);
        new SeededRandom(5).FillUniform(dy, -1f, 1f);
        var shape = new AdapterShape(16, 4);
        float[][] f = Compiled.Value.Call<float[][]>("Probe", "Forward", x, true);
        float[] pre = new float[8], y = new float[32];
        Adapter.Forward(shape, AdapterActivation.Relu, 2, x, f[2], f[3], f[4], f[5], pre, y);
        Assert.Equal(y, f[0]);
        Assert.Equal(pre, f[1]);

        float[][] b = Compiled.Value.Call<float[][]>("Probe", "Backward", x, dy);
        float[] dDown = new float[64], dDownBias = new float[4], dUp = new float[64], dUpBias = new float[16], dx = new float[32];
        Adapter.Backward(shape, AdapterActivation.Relu, 2, x, b[5], b[6], b[7], dy, dDown, dDownBias, dUp, dUpBias, dx);
        Assert.Equal(dDown, b[0]);
        Assert.Equal(dDownBias, b[1]);
        Assert.Equal(dUp, b[2]);
        Assert.Equal(dUpBias, b[3]);
        Assert.Equal(dx, b[4]);
    }
}
