using FineTuneGuard.Losses;

namespace FineTuneGuard.Tests.Losses;

public class ReferenceFreeTests
{
    [Fact]
    public void SimPoFollowsThePaper()
    {
        // r_w = −12/6 = −2, r_l = −15/5 = −3; z = 2.0·1 − 0.5 = 1.5; L = log(1 + e^{−1.5}) = 0.2014132779827524.
        ReferenceFreeResult r = ReferenceFree.SimPo(-12f, 6, -15f, 5);
        Assert.Equal(1.5f, r.Margin);
        Assert.Equal(0.2014132779827524, r.Loss, 1e-7);
        float[] x = { -12f, -15f };
        float Loss() => ReferenceFree.SimPo(x[0], 6, x[1], 5).Loss;
        Assert.Equal(NaiveReference.CentralDifference(x, 0, 1e-2f, Loss), r.GradChosen, 1e-5);
        Assert.Equal(NaiveReference.CentralDifference(x, 1, 1e-2f, Loss), r.GradRejected, 1e-5);
    }

    [Fact]
    public void OrpoFollowsThePaper()
    {
        // a_w = −0.5, a_l = −1.2: log odds = a − log(1 − e^a).
        double aw = -0.5, al = -1.2;
        double z = (aw - Math.Log(1 - Math.Exp(aw))) - (al - Math.Log(1 - Math.Exp(al)));
        double expected = -aw + (0.1 * Math.Log(1 + Math.Exp(-z)));
        ReferenceFreeResult r = ReferenceFree.Orpo(-0.5f, -1.2f);
        Assert.Equal(z, r.Margin, 1e-6);
        Assert.Equal(expected, r.Loss, 1e-6);
        float[] x = { -0.5f, -1.2f };
        float Loss() => ReferenceFree.Orpo(x[0], x[1]).Loss;

        // Float loss ≈ 0.6 and h = 1e-3: rounding ≈ 6e-8·0.6/1e-3 ≈ 4e-5 per evaluation, truncation ≈ 1e-6; tolerance 2e-3.
        Assert.Equal(NaiveReference.CentralDifference(x, 0, 1e-3f, Loss), r.GradChosen, 2e-3);
        Assert.Equal(NaiveReference.CentralDifference(x, 1, 1e-3f, Loss), r.GradRejected, 2e-3);

        // Near a = 0 the odds stay finite and accurate.
        Assert.True(float.IsFinite(ReferenceFree.Orpo(-1e-6f, -2f).Loss));
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceFree.SimPo(-1f, 0, -2f, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceFree.SimPo(-1f, 2, -2f, 3, beta: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceFree.Orpo(0f, -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceFree.Orpo(-1f, -1f, 0f));
    }
}
