using System.Reflection;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>[LoraLayer]: constants, storage, initialisation and the generated entry points against the runtime kernels.</summary>
public class LoraLayerGeneratorTests
{
    /// <summary>The seeds' LoRA update example: in 10, out 12, r 3; alpha 7 so that the scaling 7/3 is not 1.</summary>
    private const string Probe = """
        using System;
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        namespace Demo;
        [LoraLayer(10, 12, Rank = 3, Alpha = 7)]
        public partial class Proj { }
        [LoraLayer(10, 12, Rank = 3, Alpha = 7, UseRsLora = true)]
        public partial class RsProj { }
        [LoraLayer(10, 12, Rank = 3, Alpha = 7, Dropout = 0.5f)]
        public partial class DroppedProj { }
        public static class Probe
        {
            public static float[][] Merge(ulong seed, float[] weight, bool rs)
            {
                float[] a, b;
                if (rs) { var p = new RsProj(seed); FillB(p.B, seed); p.MergeInto(weight); a = p.A; b = p.B; }
                else { var p = new Proj(seed); FillB(p.B, seed); p.MergeInto(weight); a = p.A; b = p.B; }
                return new[] { weight, a, b };
            }
            public static float[][] RoundTrip(float[] weight)
            {
                var p = new Proj(5);
                FillB(p.B, 5);
                p.MergeInto(weight);
                p.UnmergeFrom(weight);
                return new[] { weight };
            }
            public static float[][] Initial(ulong seed) { var p = new Proj(seed); return new[] { p.A, p.B, p.GradA, p.GradB }; }
            public static float[][] Forward(float[] x, float[] w, bool enabled)
            {
                var p = new Proj(11) { Enabled = enabled };
                FillB(p.B, 11);
                var y = new float[(x.Length / Proj.InFeatures) * Proj.OutFeatures];
                p.Forward(x.Length / Proj.InFeatures, x, w, y);
                return new[] { y, p.A, p.B };
            }
            public static float[][] Backward(float[] x, float[] w, float[] dy)
            {
                var p = new Proj(11);
                FillB(p.B, 11);
                var dx = new float[x.Length];
                p.Backward(x.Length / Proj.InFeatures, x, w, dy, dx);
                return new[] { p.GradA, p.GradB, dx, p.A, p.B };
            }
            public static float[][] TrainingMask(bool training)
            {
                var p = new DroppedProj(3) { Training = training };
                var x = new float[8 * DroppedProj.InFeatures];
                var y = new float[8 * DroppedProj.OutFeatures];
                p.Forward(8, x, new float[DroppedProj.OutFeatures * DroppedProj.InFeatures], y);
                return new[] { p.DropoutMask.ToArray(), new[] { p.Definition.Dropout, DroppedProj.Dropout } };
            }
            public static void BadMerge() => new Proj().MergeInto(new float[100]);
            public static void SafeMergeNaN() { var p = new Proj(); p.B[0] = float.NaN; var w = new float[120]; p.SafeMergeInto(w); }
            private static void FillB(float[] b, ulong seed) => new SeededRandom(seed + 1000).FillUniform(b, -1f, 1f);
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() => GeneratedAssembly.Load(Probe));

    private static float[] Random(int length, ulong seed)
    {
        var values = new float[length];
        new SeededRandom(seed).FillUniform(values, -1f, 1f);
        return values;
    }

    [Fact]
    public void GeneratesShapeConstantsAndTheSeedCount()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace Demo;
            [LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
            public partial class QProj { }
            public static class Use { public const long Count = QProj.TrainableParameterCount; public const float S = QProj.Scaling; }
            """).AssertClean();
        Assert.Equal(65_536L, h.Constant("Demo.QProj", "TrainableParameterCount"));
        Assert.Equal(2f, h.Constant("Demo.QProj", "Scaling"));
        Assert.Equal(4096, h.Constant("Demo.QProj", "InFeatures"));
        Assert.Equal(8, h.Constant("Demo.QProj", "Rank"));
    }

    [Fact]
    public void SeedsUpdateShapeIsOutByIn()
    {
        var h = GeneratorHarness.Run(Probe).AssertClean();
        Assert.Equal(3L * (10 + 12), h.Constant("Demo.Proj", "TrainableParameterCount"));
        Assert.Equal(12, h.Constant("Demo.Proj", "OutFeatures"));
        Assert.Equal(10, h.Constant("Demo.Proj", "InFeatures"));
        Assert.Equal(new[] { "A", "B", "GradA", "GradB", "Enabled", "Forward", "Backward", "MergeInto", "UnmergeFrom", "SafeMergeInto", "ResetParameters", "Shape", "Definition", "Scaling", "Alpha", "Dropout", "UseRsLora" }.Order(),
            h.PublicMembers("Demo.Proj").Intersect(new[] { "A", "B", "GradA", "GradB", "Enabled", "Forward", "Backward", "MergeInto", "UnmergeFrom", "SafeMergeInto", "ResetParameters", "Shape", "Definition", "Scaling", "Alpha", "Dropout", "UseRsLora" }).Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GeneratedScalingIsTheRuntimeScaling(bool rs)
    {
        var h = GeneratorHarness.Run(Probe).AssertClean();
        Assert.Equal(Lora.Scaling(7f, 3, rs), (float)h.Constant(rs ? "Demo.RsProj" : "Demo.Proj", "Scaling")!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GeneratedMergeEqualsTheRuntimeMergeBitForBit(bool rs)
    {
        float[] weight = Random(120, 42);
        float[][] generated = Compiled.Value.Call<float[][]>("Demo.Probe", "Merge", 7UL, weight.ToArray(), rs);
        float[] expected = weight.ToArray();
        Lora.MergeInto(new LoraShape(10, 12, 3), Lora.Scaling(7f, 3, rs), expected, generated[1], generated[2]);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), generated[0].Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(weight, generated[0]);
    }

    [Fact]
    public void AIsThePeftInitialisationFromTheSeedAndBIsZero()
    {
        float[][] initial = Compiled.Value.Call<float[][]>("Demo.Probe", "Initial", 9UL);
        float[] a = new float[30];
        Lora.InitializeA(new LoraShape(10, 12, 3), a, new SeededRandom(9));
        Assert.Equal(a, initial[0]);
        Assert.All(initial[1], v => Assert.Equal(0f, v));
        Assert.Equal(36, initial[1].Length);
        Assert.NotEqual(initial[0], Compiled.Value.Call<float[][]>("Demo.Probe", "Initial", 10UL)[0]);
    }

    [Fact]
    public void ForwardAndBackwardAreTheRuntimeKernels()
    {
        float[] x = Random(20, 1), w = Random(120, 2), dy = Random(24, 3);
        float[][] forward = Compiled.Value.Call<float[][]>("Demo.Probe", "Forward", x, w, true);
        var shape = new LoraShape(10, 12, 3);
        float[] y = new float[24];
        Lora.Forward(shape, Lora.Scaling(7f, 3), 2, x, w, forward[1], forward[2], y);
        Assert.Equal(y, forward[0]);

        float[][] backward = Compiled.Value.Call<float[][]>("Demo.Probe", "Backward", x, w, dy);
        float[] da = new float[30], db = new float[36], dx = new float[20];
        Lora.Backward(shape, Lora.Scaling(7f, 3), 2, x, w, backward[3], backward[4], dy, da, db, dx);
        Assert.Equal(da, backward[0]);
        Assert.Equal(db, backward[1]);
        Assert.Equal(dx, backward[2]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DeclaredDropoutReachesTheRuntimeAndAppliesOnlyInTraining(bool training)
    {
        float[][] result = Compiled.Value.Call<float[][]>("Demo.Probe", "TrainingMask", training);
        Assert.Equal(new[] { 0.5f, 0.5f }, result[1]);
        if (!training)
        {
            Assert.Empty(result[0]);
            return;
        }

        Assert.Equal(8 * 10, result[0].Length);
        Assert.All(result[0], m => Assert.True(m == 0f || m == 2f)); // dropped, or kept and scaled by 1/(1 - p)
        Assert.Contains(0f, result[0]);
        Assert.Contains(2f, result[0]);
    }

    [Fact]
    public void DisabledAdapterIsTheBaseLayer()
    {
        float[] x = Random(20, 1), w = Random(120, 2);
        float[] y = Compiled.Value.Call<float[][]>("Demo.Probe", "Forward", x, w, false)[0];
        float[] expected = new float[24];
        Gemm.Multiply(false, true, 2, 12, 10, 1f, x, w, 0f, expected);
        Assert.Equal(expected, y);
    }

    [Fact]
    public void UnmergeUndoesMergeUpToRounding()
    {
        float[] weight = Random(120, 8);
        float[] back = Compiled.Value.Call<float[][]>("Demo.Probe", "RoundTrip", weight.ToArray())[0];
        for (int i = 0; i < weight.Length; i++)
        {
            Assert.Equal(weight[i], back[i], 1e-5f);
        }
    }

    [Fact]
    public void WrongWeightLengthThrowsNamingTheLayerAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Compiled.Value.Call<object>("Demo.Probe", "BadMerge"));
        Assert.Contains("Proj.MergeInto", ex.Message);
        Assert.Contains("OutFeatures x InFeatures = 12 x 10 = 120", ex.Message);
        Assert.Contains("got 100", ex.Message);
        Assert.Equal("weight", ex.ParamName);
    }

    [Fact]
    public void SafeMergeRefusesNonFiniteAdapters()
        => Assert.Throws<NonFiniteValueException>(() => Compiled.Value.Call<object>("Demo.Probe", "SafeMergeNaN"));

    [Fact]
    public void AUserConstructorSuppressesTheGeneratedOne()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(8, 8, Rank = 2)]
            public partial class Custom { public Custom() => ResetParameters(3); }
            """).AssertClean();
        Assert.Single(h.Output.GetTypeByMetadataName("Custom")!.InstanceConstructors);
    }

    [Fact]
    public void NestedAndGlobalNamespaceClassesAreCompleted()
    {
        var h = GeneratorHarness.Run("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [LoraLayer(8, 16, Rank = 2)] internal partial class Global { }
            namespace A.B
            {
                public partial class Outer
                {
                    internal partial struct Holder { [LoraLayer(16, 8, Rank = 4)] private partial class Inner { public static long Count => TrainableParameterCount; } }
                }
            }
            """);
        Assert.Equal(2L * 24, h.Constant("Global", "TrainableParameterCount"));
        Assert.Equal(4L * 24, h.Constant("A.B.Outer+Holder+Inner", "TrainableParameterCount"));
        Assert.Empty(h.Problems.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }
}
