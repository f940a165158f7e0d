using FineTuneGuard.Optimization;

namespace FineTuneGuard.Quickstart;

/// <summary>
/// The budget of a quickstart run. <see cref="Full"/> is what <c>dotnet run</c> uses (well under a minute on two
/// cores); <see cref="Smoke"/> is the reduced budget the tests run, which still exercises every phase and invariant.
/// </summary>
public sealed record QuickstartOptions
{
    /// <summary>The full walkthrough.</summary>
    public static QuickstartOptions Full { get; } = new();

    /// <summary>A few steps of every phase and no charts: for tests.</summary>
    public static QuickstartOptions Smoke { get; } = new()
    {
        PretrainSteps = 60,
        SftSteps = 15,
        FullFineTuneSteps = 15,
        DpoSteps = 6,
        ChartsDirectory = null,
    };

    /// <summary>Seed of every random choice (initialisation, batches, sampling): same seed, same output.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Optimizer steps of base-model pre-training.</summary>
    public int PretrainSteps { get; init; } = 600;

    /// <summary>Random positions of the corpus per pre-training step.</summary>
    public int PretrainBatchRows { get; init; } = 128;

    /// <summary>Peak AdamW learning rate of pre-training.</summary>
    public float PretrainLearningRate { get; init; } = 3e-3f;

    /// <summary>Optimizer steps of each LoRA fine-tuning run.</summary>
    public int SftSteps { get; init; } = 150;

    /// <summary>Instruction pairs per SFT batch.</summary>
    public int SftPairsPerBatch { get; init; } = 8;

    /// <summary>Peak learning rate of LoRA (the same as full fine-tuning, so the scorecard compares methods, not step sizes).</summary>
    public float LoraLearningRate { get; init; } = 3e-3f;

    /// <summary>Optimizer steps of full fine-tuning (every weight trainable).</summary>
    public int FullFineTuneSteps { get; init; } = 150;

    /// <summary>Peak learning rate of full fine-tuning.</summary>
    public float FullFineTuneLearningRate { get; init; } = 3e-3f;

    /// <summary>DPO optimizer steps (each over every preference pair).</summary>
    public int DpoSteps { get; init; } = 60;

    /// <summary>DPO β: how strongly the policy is held near the reference (β ≤ 0 is FTG0009).</summary>
    public float DpoBeta { get; init; } = 0.1f;

    /// <summary>Peak learning rate of DPO on the LoRA adapters.</summary>
    public float DpoLearningRate { get; init; } = 3e-4f;

    /// <summary>Where the charts are written (relative to the working directory), or null for none.</summary>
    public string? ChartsDirectory { get; init; } = Path.Combine("artifacts", "quickstart");
}
