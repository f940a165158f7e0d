using FineTuneGuard.Losses;

namespace FineTuneGuard.Tests.Losses;

public class DpoTests
{
    [Fact]
    public void TheoryCellLossIs0598139()
    {
        // Theory notebook, section 9: β 0.1, policy (−12, −15), reference (−13, −14) → margin 2.0, loss 0.5981388693815918.
        DpoResult r = Dpo.Loss(-12f, -15f, -13f, -14f, 0.1f);
        Assert.Equal(2.0f, r.Margin);
        Assert.Equal(0.598139, r.Loss, 6);
        Assert.Equal(0.5981388693815918, r.Loss, 6e-8);
        Assert.Equal(0.1f, r.ChosenReward, 1e-7f);
        Assert.Equal(-0.1f, r.RejectedReward, 1e-7f);
        Assert.Equal(0.2f, r.RewardMargin, 1e-7f);
    }

    [Fact]
    public void ExerciseEightLossIs0554355()
    {
        // Exercises notebook, exercise 8: β 0.2, policy (−4, −6), reference (−5, −5.5) → margin 1.5, loss 0.554355244468527.
        DpoResult r = Dpo.Loss(-4f, -6f, -5f, -5.5f, 0.2f);
        Assert.Equal(1.5f, r.Margin);
        Assert.Equal(0.554355, r.Loss, 6);
        Assert.Equal(0.554355244468527, r.Loss, 6e-8);
    }

    [Fact]
    public void PolicyEqualToReferenceGivesLn2AndHingeOne()
    {
        Assert.Equal((float)Math.Log(2), Dpo.Loss(-7f, -9f, -7f, -9f, 0.5f).Loss);
        Assert.Equal(1f, Dpo.Loss(-7f, -9f, -7f, -9f, 0.5f, DpoLossType.Hinge).Loss);
        Assert.Equal((float)Math.Log(2), Dpo.Loss(-7f, -9f, -7f, -9f, 0.5f, DpoLossType.Robust).Loss);
        Assert.Equal((float)Math.Log(2), Dpo.Loss(-7f, -9f, -7f, -9f, 0.5f, DpoLossType.Sigmoid, 0.2f).Loss);

        // IPO at h = 0 is (1/(2β))² = 1 for β = 0.5.
        Assert.Equal(1f, Dpo.Loss(-7f, -9f, -7f, -9f, 0.5f, DpoLossType.Ipo).Loss);
    }

    [Fact]
    public void VariantsFollowTrlFormulas()
    {
        const double Beta = 0.3, H = 1.7, Eps = 0.15;
        static double LogSigmoid(double z) => -Math.Log(1 + Math.Exp(-z));
        // policy (−3, −6.2), reference (−4, −5.5): h = 3.2 − 1.5 = 1.7.
        Assert.Equal(Math.Pow(H - (1 / (2 * Beta)), 2), Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f, DpoLossType.Ipo).Loss, 1e-5);
        Assert.Equal(Math.Max(0, 1 - (Beta * H)), Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f, DpoLossType.Hinge).Loss, 1e-6);
        Assert.Equal(0f, Dpo.Loss(-3f, -16.2f, -4f, -5.5f, 0.3f, DpoLossType.Hinge).Loss);
        Assert.Equal(
            (-(1 - Eps) * LogSigmoid(Beta * H)) - (Eps * LogSigmoid(-Beta * H)),
            Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f, DpoLossType.Sigmoid, 0.15f).Loss, 1e-6);
        Assert.Equal(
            ((-(1 - Eps) * LogSigmoid(Beta * H)) + (Eps * LogSigmoid(-Beta * H))) / (1 - (2 * Eps)),
            Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f, DpoLossType.Robust, 0.15f).Loss, 1e-6);
        Assert.Equal(
            Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f).Loss,
            Dpo.Loss(-3f, -6.2f, -4f, -5.5f, 0.3f, DpoLossType.Robust).Loss);
    }

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0f)]
    [InlineData(DpoLossType.Sigmoid, 0.1f)]
    [InlineData(DpoLossType.Robust, 0.2f)]
    [InlineData(DpoLossType.Hinge, 0f)]
    [InlineData(DpoLossType.Ipo, 0f)]
    public void GradientsMatchCentralDifferences(DpoLossType type, float smoothing)
    {
        // Central differences of the double-accurate loss with h = 1e-2 on log-probs of size ~10 (floats, so the
        // perturbation itself is exact to 1e-6); smooth losses: error O(h²) ≈ 1e-5; tolerance 1e-4.
        float[] x = { -12f, -14.5f, -13f, -14f }; // h = 1.5, β·h = 0.6: away from the hinge kink
        DpoResult r = Dpo.Loss(x[0], x[1], x[2], x[3], 0.4f, type, smoothing);
        float Loss() => Dpo.Loss(x[0], x[1], x[2], x[3], 0.4f, type, smoothing).Loss;
        Assert.Equal(NaiveReference.CentralDifference(x, 0, 1e-2f, Loss), r.GradPolicyChosen, 1e-4);
        Assert.Equal(NaiveReference.CentralDifference(x, 1, 1e-2f, Loss), r.GradPolicyRejected, 1e-4);
        Assert.Equal(-r.GradPolicyChosen, r.GradPolicyRejected);
    }

    [Fact]
    public void BatchAveragesLossRewardsAndAccuracy()
    {
        float[] pc = { -12f, -4f, -10f }, pr = { -15f, -6f, -9f }, rc = { -13f, -5f, -10f }, rr = { -14f, -5.5f, -9f };
        var gc = new float[3];
        var gr = new float[3];
        DpoBatchResult batch = Dpo.Loss(pc, pr, rc, rr, 0.1f, DpoLossType.Sigmoid, gc, gr);
        DpoResult[] pairs = Enumerable.Range(0, 3).Select(i => Dpo.Loss(pc[i], pr[i], rc[i], rr[i], 0.1f)).ToArray();
        Assert.Equal(pairs.Average(p => (double)p.Loss), batch.Loss, 1e-6);
        Assert.Equal(pairs.Average(p => (double)p.ChosenReward), batch.ChosenReward, 1e-6);
        Assert.Equal(pairs.Average(p => (double)p.RejectedReward), batch.RejectedReward, 1e-6);
        Assert.Equal(pairs.Average(p => (double)p.Margin), batch.Margin, 1e-6);
        Assert.Equal(batch.ChosenReward - batch.RejectedReward, batch.RewardMargin, 1e-6);
        Assert.Equal(2f / 3f, batch.RewardAccuracy); // the third pair ties: not counted as correct (TRL's strict >)
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(pairs[i].GradPolicyChosen / 3, gc[i], 1e-7);
            Assert.Equal(pairs[i].GradPolicyRejected / 3, gr[i], 1e-7);
        }
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(-1f, -2f, -1f, -2f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(-1f, -2f, -1f, -2f, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(-1f, -2f, -1f, -2f, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(-1f, -2f, -1f, -2f, 0.1f, DpoLossType.Robust, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(float.NaN, -2f, -1f, -2f, 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(-1f, -2f, -1f, -2f, 0.1f, (DpoLossType)42));

        float[] two = { -1f, -2f };
        var empty = Assert.Throws<ArgumentException>(() => Dpo.Loss(two, two, ReadOnlySpan<float>.Empty, two, 0.1f, DpoLossType.Sigmoid, default, default));
        Assert.Equal("referenceChosen", empty.ParamName);
        Assert.Contains("reference", empty.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => Dpo.Loss(two, two, two, new[] { 1f }, 0.1f, DpoLossType.Sigmoid, default, default));
        Assert.Equal("referenceRejected", shape.ParamName);
        Assert.Throws<ArgumentException>(() => Dpo.Loss(two, two, two, two, 0.1f, DpoLossType.Sigmoid, new float[3], default));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpo.Loss(two, two, two, two, 0f, DpoLossType.Sigmoid, default, default));
    }
}
