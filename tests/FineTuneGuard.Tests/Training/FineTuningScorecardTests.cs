namespace FineTuneGuard.Tests.Training;

/// <summary>The theory notebook's cell 12: combined = 0.7·task + 0.3·retain for its five methods.</summary>
public class FineTuningScorecardTests
{
    [Theory]
    [InlineData(0.45, 0.90, 0.585)] // base
    [InlineData(0.58, 0.89, 0.673)] // prompt
    [InlineData(0.72, 0.86, 0.762)] // lora-r8
    [InlineData(0.78, 0.82, 0.792)] // lora-r32
    [InlineData(0.82, 0.70, 0.784)] // full
    public void CombinedScoreOfTheSeeds(double task, double retention, double expected)
        => Assert.Equal(expected, FineTuningScorecard.Combined(task, retention), 12);

    [Fact]
    public void FullFineTuningLosesToLoraR32OnceRetentionCounts()
        => Assert.True(FineTuningScorecard.Combined(0.78, 0.82) > FineTuningScorecard.Combined(0.82, 0.70));

    [Fact]
    public void TaskWeightOutsideTheUnitIntervalIsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => FineTuningScorecard.Combined(0.5, 0.5, 1.5));
}
