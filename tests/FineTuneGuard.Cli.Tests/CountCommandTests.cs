namespace FineTuneGuard.Cli.Tests;

public class CountCommandTests
{
    private static readonly string[] Llama2_7B = ["count", "--layers", "32", "--hidden", "4096", "--heads", "32", "--intermediate", "11008", "--vocab", "32000"];

    [Fact]
    public void Llama2SevenBWithLoraOnQAndVPrintsPeftsLine()
    {
        FtgResult result = Ftg.Run([.. Llama2_7B, "--lora-rank", "8", "--targets", "q_proj,v_proj"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622\n", result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void WithoutARankEverythingIsTrainable()
        => Assert.Equal(
            "trainable params: 6,738,415,616 || all params: 6,738,415,616 || trainable%: 100.0000\n",
            Ftg.Run(Llama2_7B).Out);

    [Fact]
    public void GroupedQueryAttentionUsesTheKvHeads()
    {
        // Llama-3-8B: 8,030,261,248 parameters; LoRA r=8 on q (4096 -> 4096) and v (4096 -> 1024): 32·8·(8192 + 5120).
        FtgResult result = Ftg.Run(
            "count", "--layers", "32", "--hidden", "4096", "--heads", "32", "--kv-heads", "8", "--intermediate", "14336", "--vocab", "128256",
            "--lora-rank", "8", "--targets", "q_proj, v_proj");
        Assert.Equal("trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424\n", result.Out);
    }

    [Fact]
    public void TiedEmbeddingsAndAttentionBiasChangeTheTotal()
    {
        // Qwen2-0.5B: tied embeddings, q/k/v biases, GQA (14 heads, 2 kv heads, head dim 64): 494,032,768 parameters.
        FtgResult result = Ftg.Run(
            "count", "--layers", "24", "--hidden", "896", "--heads", "14", "--kv-heads", "2", "--intermediate", "4864", "--vocab", "151936",
            "--tied", "--attention-bias");
        Assert.Equal("trainable params: 494,032,768 || all params: 494,032,768 || trainable%: 100.0000\n", result.Out);
    }

    [Fact]
    public void AnUnknownTargetIsBadInput()
        => Ftg.AssertBadInput(Ftg.Run([.. Llama2_7B, "--lora-rank", "8", "--targets", "q_proj,qkv"]), "ftg count: error:", "'qkv'");

    [Fact]
    public void AMissingOptionIsBadInput()
        => Ftg.AssertBadInput(Ftg.Run("count", "--layers", "32"), "--hidden", "is required");

    [Fact]
    public void ANonPositiveDimensionIsBadInput()
        => Ftg.AssertBadInput(Ftg.Run([.. Llama2_7B, "--lora-rank", "0"]), "--lora-rank must be > 0");

    [Fact]
    public void AHiddenSizeThatHeadsDoNotDivideNeedsAHeadDim()
        => Ftg.AssertBadInput(Ftg.Run("count", "--layers", "2", "--hidden", "10", "--heads", "3", "--intermediate", "8", "--vocab", "5"), "--head-dim");

    [Fact]
    public void NoCommandIsBadInput()
        => Ftg.AssertBadInput(Ftg.Run(), "ftg: error:");

    [Fact]
    public void HelpSucceeds()
    {
        FtgResult result = Ftg.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "inspect", "count", "memory", "merge", "check" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }
    }
}
