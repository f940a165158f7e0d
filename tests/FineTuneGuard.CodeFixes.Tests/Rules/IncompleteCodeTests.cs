using System.Collections.Immutable;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Losses;
using FineTuneGuard.Optimization;
using FineTuneGuard.SourceGenerators.Analyzers;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>Code as it is typed in the IDE, half-finished: the training analyzers must never throw (no AD0001).</summary>
public class IncompleteCodeTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new UnmaskedSftLossAnalyzer(), new FreezeDecisionAnalyzer(), new LoraInitializationAnalyzer(), new PreferenceLossAnalyzer());

    public static TheoryData<string> Sources => new()
    {
        // A factory call cut off mid-argument list.
        """
        using TorchSharp; using TorchSharp.Modules; using static TorchSharp.torch;
        public sealed class LoraLinear : nn.Module<Tensor, Tensor>
        {
            private Parameter lora_A; private Parameter lora_B;
            public LoraLinear() : base("lora") { lora_A = new Parameter(torch.randn(8, ; lora_B = new Parameter(torch.
            public override Tensor forward(Tensor x) => x;
        }
        """,
        // A DPO call with missing arguments and an unknown beta.
        """
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        public static class Step { public static float Run(float pc, float pr) => Dpo.Loss(pc, pr, , beta: ).Loss; }
        """,
        // Cross-entropy on an undeclared label variable in an SFT step.
        """
        using TorchSharp; using static TorchSharp.torch;
        public static class SftStep { public static Tensor Loss(Tensor logits, Tensor input_ids) { var labels = input_ids.clone(); labels[ = ; return nn.functional.cross_entropy(logits, labelz); } }
        """,
        // Attributes on members of a half-declared adapter model.
        """
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        [LoraLayer(64, 64)] public partial class QProj { }
        public sealed class Model { public QProj Q = new(); public float[] W; [ReferenceModel] public Model Reference; public void Step(float lr, float[] grad) { W[0] -= lr * grad[ } }
        """,
        // An optimizer over parameters() of an unfinished type.
        """
        using TorchSharp; using static TorchSharp.torch;
        public static class Train { public static void Run(UnknownModel model) { var opt = optim.AdamW(model.parameters(), lr: ); TokenLoss.Mean(); } }
        """,
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void AnalyzersDoNotThrow(string source)
    {
        var compilation = CompilationFactory.Create(new[] { source, TorchSharpStub.Source }, TestReferences.All);
        ImmutableArray<Diagnostic> diagnostics = CompilationFactory.Analyze(compilation, Analyzers);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        Assert.Contains(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }
}
