using FineTuneGuard.Accounting;

namespace FineTuneGuard.Cli.Tests;

/// <summary><c>ftg memory</c> against the seeds' memory slide and worked numbers.</summary>
public class MemoryCommandTests
{
    private static string Row(FtgResult result, string label)
        => Assert.Single(result.Out.Split('\n'), l => l.StartsWith(label, StringComparison.Ordinal));

    private static string[] Cells(string row)
        => row.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void TwoBillionParametersOnA24GBCardIsTheSlidesBreakdown()
    {
        // The slide: 2B at fp16 = 4 GB; gradients the same; Adam's mean and variance; activations ~1.5x: 4 + 4 + 8 + 6.
        FtgResult result = Ftg.Run("memory", "--params", "2B", "--budget", "24");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["weights", "4.00 GB"], Cells(Row(result, "weights")));
        Assert.Equal(["gradients", "4.00 GB"], Cells(Row(result, "gradients")));
        Assert.Equal(["optimizer states", "8.00 GB"], Cells(Row(result, "optimizer states")));
        Assert.Equal(["activations", "6.00 GB"], Cells(Row(result, "activations")));
        Assert.Equal(["total", "22.00 GB"], Cells(Row(result, "total")));
        Assert.Equal(["fits in 24 GB", "yes"], Cells(Row(result, "fits in")));
        Assert.Contains("AdamW, 2 states per trainable parameter at fp16 (2 bytes), no fp32 master copy", result.Out, StringComparison.Ordinal);
        Assert.Contains("1.5 x the base weight memory", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AdamStateOfSevenBillionVersusFortyMillionLoraParameters()
    {
        // The lesson: 7e9 x 12 bytes of Adam state (fp32 mean, variance, master copy) = 84 GB vs 40e6 LoRA parameters = 0.48 GB.
        FtgResult result = Ftg.Run("memory", "--params", "7e9", "--lora-params", "40M", "--state-precision", "fp32", "--master-weights");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["optimizer states", "84.00 GB", "0.48 GB"], Cells(Row(result, "optimizer states")));
        Assert.Equal(["weights", "14.00 GB", "14.08 GB"], Cells(Row(result, "weights")));
    }

    [Fact]
    public void TheArchitectureGivesBothCountsThroughTheSharedArithmetic()
    {
        FtgResult result = Ftg.Run("memory", "--layers", "32", "--hidden", "4096", "--heads", "32", "--intermediate", "11008", "--vocab", "32000", "--lora-rank", "8", "--targets", "q_proj,v_proj", "--budget", "24");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("model:        6,738,415,616 parameters", result.Out, StringComparison.Ordinal);
        Assert.Contains("LoRA:         4,194,304 trainable parameters", result.Out, StringComparison.Ordinal);

        // Full: 6,738,415,616 x (2 + 2 + 2·2 + 1.5·2) = 74,122,571,776 bytes;
        // LoRA: 6,742,609,920 x 2 + 4,194,304 x (2 + 2·2) + 1.5 x 6,742,609,920 x 2 = 33,738,215,424 bytes
        // (activations scale with every weight held in memory, the adapters included, as MemoryEstimate.Peft does).
        Assert.Equal(["total", "74.12 GB", "33.74 GB"], Cells(Row(result, "total")));
        Assert.Equal(["fits in 24 GB", "no", "no"], Cells(Row(result, "fits in")));
    }

    [Fact]
    public void AQuantizedBaseIsLoraOnly()
    {
        FtgResult result = Ftg.Run("memory", "--params", "7B", "--lora-params", "4194304", "--precision", "int4");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["weights", "3.50 GB"], Cells(Row(result, "weights")));
        Assert.Contains("full fine-tuning: not applicable", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "memory" }, "--params")]
    [InlineData(new[] { "memory", "--params", "two billion" }, "not a parameter count")]
    [InlineData(new[] { "memory", "--params", "2B", "--precision", "fp8" }, "not a precision")]
    [InlineData(new[] { "memory", "--params", "2B", "--optimizer", "lion" }, "--optimizer 'lion'")]
    [InlineData(new[] { "memory", "--params", "2B", "--lora-rank", "8" }, "--lora-rank needs the architecture")]
    [InlineData(new[] { "memory", "--layers", "2", "--hidden", "8" }, "--heads is required")]
    public void BadOptionsAreBadInput(string[] args, string expected)
        => Ftg.AssertBadInput(Ftg.Run(args), "ftg memory: error:", expected);
}
