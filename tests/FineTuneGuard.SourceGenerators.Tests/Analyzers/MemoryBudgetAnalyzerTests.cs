using System.Threading.Tasks;
using FineTuneGuard.Optimization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verifier = FineTuneGuard.SourceGenerators.Tests.Analyzers.AnalyzerVerifier<FineTuneGuard.SourceGenerators.Analyzers.MemoryBudgetAnalyzer>;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>
/// FTG0104: estimated training memory above [MemoryBudget]. Expected breakdowns computed by hand from the published
/// parameter counts: full fine-tuning at fp16 = 2 + 2 + 12 + 1.5·2 = 19 bytes per parameter, split as weights (2),
/// gradients (2), AdamW fp32 states + master (12), activations (1.5 x weights).
/// </summary>
public class MemoryBudgetAnalyzerTests
{
    private static DiagnosticResult FTG0104(string message)
        => Verifier.Diagnostic("FTG0104", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(message);

    [Fact]
    public Task FullFineTuningOfLlama2_7BDoesNotFitAnA100_80GB()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(32, 4096, 32, 11008, 32000), {|#0:MemoryBudget(80)|}]
            public partial class Llama2 { }
            """,
            FTG0104("Estimated training memory of 'Llama2' (full fine-tuning of 6,738,415,616 parameters; 2 bytes per weight, AdamW with fp32 states and master weights, activations 1.5x the weights) is weights 13.48 GB + gradients 13.48 GB + optimizer states 80.86 GB + activations 20.22 GB = 128.03 GB (119.24 GiB), above the [MemoryBudget] of 80 GiB"));

    [Fact]
    public Task Fp16LoraOfLlama2_7BDoesNotFitA24GBCard()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets("q_proj", "v_proj", Rank = 8, Alpha = 16), {|#0:MemoryBudget(24)|}]
            public partial class Llama2 { }
            """,
            FTG0104("Estimated training memory of 'Llama2' (LoRA r = 8 on q_proj, v_proj: 4,194,304 trainable of 6,742,609,920 parameters; 2 bytes per weight, AdamW with fp32 states and master weights, activations 1.5x the weights) is weights 13.49 GB + gradients 0.01 GB + optimizer states 0.05 GB + activations 20.23 GB = 33.77 GB (31.45 GiB), above the [MemoryBudget] of 24 GiB"));

    [Fact]
    public Task FullFineTuningOfATiedOneBillionModelDoesNotFit16GiB()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            namespace Models;
            [TransformerModel(16, 2048, 32, 8192, 128256, KvHeads = 8, TiedEmbeddings = true)]
            [{|#0:MemoryBudget(16)|}]
            public partial class Llama32 { }
            """,
            FTG0104("Estimated training memory of 'Llama32' (full fine-tuning of 1,235,814,400 parameters; 2 bytes per weight, AdamW with fp32 states and master weights, activations 1.5x the weights) is weights 2.47 GB + gradients 2.47 GB + optimizer states 14.83 GB + activations 3.71 GB = 23.48 GB (21.87 GiB), above the [MemoryBudget] of 16 GiB"));

    [Fact]
    public Task InvalidBudgetIsFTG0101()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(2, 64, 4, 128, 100), {|#0:MemoryBudget(0)|}]
            public partial class M { }
            """,
            Verifier.Diagnostic("FTG0101", DiagnosticSeverity.Error).WithLocation(0).WithArguments("[MemoryBudget] argument 'gib' must be a finite number > 0; got 0"));

    [Fact]
    public Task FourBitQLoraOfLlama2_7BFitsA24GBCard()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets("q_proj", "v_proj"), MemoryBudget(24, WeightBytes = 0.5)]
            public partial class Llama2 { }
            """);

    [Fact]
    public Task JustUnderTheBudgetIsClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(16, 2048, 32, 8192, 128256, KvHeads = 8, TiedEmbeddings = true), MemoryBudget(22)]
            public partial class Llama32 { }
            """);

    [Fact]
    public Task NoBudgetOrNoModelIsClean()
        => Verifier.Verify("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
            [TransformerModel(80, 8192, 64, 28672, 32000, KvHeads = 8)]
            public partial class Llama70B { }
            [MemoryBudget(1)]
            public class NotAModel { public float[] Weights = new float[1 << 20]; }
            """);
}
