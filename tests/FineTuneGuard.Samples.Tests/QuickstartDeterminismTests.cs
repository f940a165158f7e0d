using FineTuneGuard.Quickstart;

namespace FineTuneGuard.Samples.Tests;

/// <summary>Same seed, same run: the quickstart's output does not depend on timing or thread scheduling.</summary>
public sealed class QuickstartDeterminismTests(QuickstartFixture fixture) : IClassFixture<QuickstartFixture>
{
    [Fact]
    public void A_second_run_with_the_same_seed_gives_the_same_numbers()
    {
        QuickstartReport again = QuickstartRunner.Run(QuickstartOptions.Smoke, TextWriter.Null);
        Assert.Equal(fixture.Report.Pretraining.Losses, again.Pretraining.Losses);
        Assert.Equal(fixture.Report.Dpo.Losses, again.Dpo.Losses);
        Assert.Equal(fixture.Report.Evaluation.Scorecard, again.Evaluation.Scorecard);
    }

    [Fact]
    public void Another_seed_gives_another_run()
    {
        QuickstartReport other = QuickstartRunner.Run(QuickstartOptions.Smoke with { Seed = 7 }, TextWriter.Null);
        Assert.NotEqual(fixture.Report.Pretraining.Losses, other.Pretraining.Losses);
    }
}
