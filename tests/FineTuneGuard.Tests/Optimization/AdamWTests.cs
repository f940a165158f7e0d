using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Optimization;

public class AdamWTests
{
    [Fact]
    public void MatchesPyTorchAdamWInDoubleOverSeveralStepsAndGroups()
    {
        // Two groups with their own η and λ; lengths 1, 7 (scalar only), 33 (vectors + tail).
        var random = new SeededRandom(17);
        var parameters = new[] { 1, 7, 33, 8 }.Select((n, i) => new Parameter($"p{i}", RandomValues(random, n))).ToArray();
        var adapters = new ParameterGroup("adapters", 1e-2f, 0.1f) { parameters[0], parameters[1] };
        var norms = new ParameterGroup("norms", 3e-3f, 0f) { parameters[2], parameters[3] };
        var optimizer = new AdamW(new[] { adapters, norms }, 0.9f, 0.95f, 1e-6f);
        var reference = parameters.Select(p => new ReferenceState(p.Value)).ToArray();
        (double Lr, double Wd)[] hyper = { (1e-2f, 0.1f), (1e-2f, 0.1f), (3e-3f, 0f), (3e-3f, 0f) };

        for (int step = 1; step <= 6; step++)
        {
            optimizer.LearningRateScale = step == 4 ? 0.5f : 1f;
            for (int i = 0; i < parameters.Length; i++)
            {
                random.FillNormal(parameters[i].Gradient, 0, 1);
                reference[i].Step(parameters[i].Gradient, hyper[i].Lr * optimizer.LearningRateScale, hyper[i].Wd, 0.9f, 0.95f, 1e-6f, step);
            }

            optimizer.Step();
        }

        // Float state vs double reference after 6 steps: ~10 float roundings of O(1e-2) updates; tolerance 2e-6.
        for (int i = 0; i < parameters.Length; i++)
        {
            for (int j = 0; j < parameters[i].Length; j++)
            {
                Assert.Equal(reference[i].Value[j], parameters[i].Value[j], 2e-6);
                Assert.Equal(reference[i].M[j], optimizer.FirstMoment(parameters[i])[j], 2e-6);
                Assert.Equal(reference[i].V[j], optimizer.SecondMoment(parameters[i])[j], 2e-6);
            }
        }

        Assert.Equal(6, optimizer.StepCount);
    }

    [Fact]
    public void FirstStepMovesEachWeightByTheLearningRateAgainstTheGradientSign()
    {
        // t = 1: m̂ = g and √v̂ = |g|, so θ1 = θ0·(1 − ηλ) − η·g/(|g| + ε).
        float[] value = { 1f, -2f, 0.5f, 3f, 0f, 1f, 2f, 3f, 4f, -1f };
        float[] original = value.ToArray();
        var p = new Parameter("w", value);
        float[] g = { 0.3f, -4f, 1e-3f, 0f, 2f, -0.5f, 0.25f, 1f, -1f, 7f };
        g.CopyTo(p.Gradient, 0);
        var optimizer = new AdamW(new[] { new ParameterGroup("all", 1e-3f, 0.01f) { p } });
        optimizer.Step();
        for (int i = 0; i < value.Length; i++)
        {
            double expected = (original[i] * (1 - (1e-3 * 0.01))) - (1e-3 * g[i] / (Math.Abs(g[i]) + 1e-8));
            Assert.Equal(expected, value[i], 1e-6); // one float ulp at 4 is 4.8e-7
        }
    }

    [Fact]
    public void WeightDecayIsDecoupledAndExcludedWhereZero()
    {
        var decayed = new Parameter("weight", Enumerable.Repeat(2f, 9).ToArray());
        var excluded = new Parameter("bias", Enumerable.Repeat(2f, 9).ToArray());
        var optimizer = new AdamW(new[] { new ParameterGroup("decay", 0.1f, 0.5f) { decayed }, new ParameterGroup("no_decay", 0.1f, 0f) { excluded } });
        for (int i = 0; i < 3; i++)
        {
            optimizer.Step(); // zero gradients: only the decoupled decay acts
        }

        Assert.All(decayed.Value, v => Assert.Equal(2.0 * Math.Pow(1 - (0.1 * 0.5), 3), v, 1e-6));
        Assert.All(excluded.Value, v => Assert.Equal(2f, v));
    }

    [Fact]
    public void LearningRateScaleZeroFreezesTheStep()
    {
        var p = new Parameter("w", new[] { 1f, 2f, 3f });
        p.Gradient[0] = 1;
        var optimizer = new AdamW(new[] { new ParameterGroup("g", 0.1f) { p } }) { LearningRateScale = 0f };
        optimizer.Step();
        Assert.Equal(new[] { 1f, 2f, 3f }, p.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRateScale = -1f);
    }

    [Fact]
    public void CheckFiniteThrowsNamingTheParameterAndChangesNothing()
    {
        var good = new Parameter("layers.0.q_proj.lora_A", new[] { 1f, 2f });
        var bad = new Parameter("layers.0.q_proj.lora_B", new[] { 3f, 4f, 5f });
        good.Gradient[0] = 1;
        bad.Gradient[2] = float.NaN;
        var optimizer = new AdamW(new[] { new ParameterGroup("lora", 0.1f) { good, bad } }) { CheckFinite = true };
        var e = Assert.Throws<NonFiniteValueException>(optimizer.Step);
        Assert.Contains("layers.0.q_proj.lora_B", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Index);
        Assert.Equal(new[] { 1f, 2f }, good.Value);
        Assert.Equal(0f, optimizer.FirstMoment(good)[0]);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void FrozenOrDuplicatedParametersAreRejected()
    {
        var frozen = new Parameter("embed", new float[4], trainable: false);
        var e = Assert.Throws<ArgumentException>(() => new ParameterGroup("g", 1e-3f) { frozen });
        Assert.Contains("embed", e.Message, StringComparison.Ordinal);

        var shared = new Parameter("w", new float[4]);
        Assert.Throws<ArgumentException>(() => new AdamW(new[] { new ParameterGroup("a", 1e-3f) { shared }, new ParameterGroup("b", 1e-3f) { shared } }));
        Assert.Throws<ArgumentException>(() => new ParameterGroup("a", 1e-3f) { shared, shared });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup("a", 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup("a", 1e-3f, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(new[] { new ParameterGroup("a", 1e-3f) }, beta1: 1f));
        Assert.Throws<ArgumentException>(() => new AdamW(Array.Empty<ParameterGroup>()));
        Assert.Throws<ArgumentException>(() => shared.SetGradient(new float[3]));
    }

    [Fact]
    public void ConvergesOnAQuadratic()
    {
        float[] target = Enumerable.Range(0, 19).Select(i => (i * 0.37f) - 3f).ToArray();
        var p = new Parameter("x", new float[19]);
        var optimizer = new AdamW(new[] { new ParameterGroup("g", 0.05f, 0f) { p } });
        for (int step = 0; step < 2000; step++)
        {
            for (int i = 0; i < 19; i++)
            {
                p.Gradient[i] = 2 * (p.Value[i] - target[i]);
            }

            optimizer.Step();
        }

        for (int i = 0; i < 19; i++)
        {
            Assert.Equal(target[i], p.Value[i], 1e-2f);
        }
    }

    [Fact]
    public void StepZeroGradientsAndClippingAllocateNothing()
    {
        var random = new SeededRandom(9);
        var a = new Parameter("a", RandomValues(random, 1000));
        var b = new Parameter("b", RandomValues(random, 37));
        var optimizer = new AdamW(new[] { new ParameterGroup("a", 1e-3f) { a }, new ParameterGroup("b", 1e-3f, 0f) { b } }) { CheckFinite = true };
        random.FillNormal(a.Gradient, 0, 1);
        optimizer.Step();
        GradientClipping.ClipByGlobalNorm(optimizer, 1f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            GradientClipping.ClipByGlobalNorm(optimizer, 1f);
            optimizer.Step();
            optimizer.ZeroGradients();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] RandomValues(SeededRandom random, int n)
    {
        var values = new float[n];
        random.FillNormal(values, 0, 1);
        return values;
    }

    /// <summary>torch.optim.AdamW's update in double.</summary>
    private sealed class ReferenceState(float[] initial)
    {
        public double[] Value { get; } = initial.Select(v => (double)v).ToArray();

        public double[] M { get; } = new double[initial.Length];

        public double[] V { get; } = new double[initial.Length];

        public void Step(float[] gradient, double lr, double wd, double beta1, double beta2, double eps, int t)
        {
            double bc1 = 1 - Math.Pow(beta1, t), bc2 = 1 - Math.Pow(beta2, t);
            for (int i = 0; i < Value.Length; i++)
            {
                Value[i] *= 1 - (lr * wd);
                M[i] = (beta1 * M[i]) + ((1 - beta1) * gradient[i]);
                V[i] = (beta2 * V[i]) + ((1 - beta2) * gradient[i] * gradient[i]);
                Value[i] -= lr / bc1 * M[i] / ((Math.Sqrt(V[i]) / Math.Sqrt(bc2)) + eps);
            }
        }
    }
}
