using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FineTuneGuard.CodeFixes.Tests.Infrastructure;
using FineTuneGuard.Losses;
using FineTuneGuard.SourceGenerators.Analyzers;
using Microsoft.CodeAnalysis.Testing;

namespace FineTuneGuard.CodeFixes.Tests.Rules;

/// <summary>
/// The runtime's trainers (issue 9): FTG0001 on the <c>LossScope.FullSequence</c> opt-out of <c>SftOptions</c> and
/// <c>SftBatch.Collate</c>; FTG0006–FTG0009 on <c>DpoTrainer</c> and <c>DpoOptions</c>; and the analyzers' messages
/// against the trainers' own guards.
/// </summary>
public class TrainerApiTests
{
    private static Task Sft(string source, params DiagnosticResult[] expected) => Verify<UnmaskedSftLossAnalyzer>.AnalyzerAsync(source, expected);

    private static Task Dpo(string source, params DiagnosticResult[] expected) => Verify<PreferenceLossAnalyzer>.AnalyzerAsync(source, expected);

    // ---- FTG0001: LossScope.FullSequence in an SFT run ----

    [Fact]
    public Task FullSequenceInSftOptionsInitializerIsFTG0001()
        => Sft("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class InstructionTuning
            {
                public static SftRunResult Run(ICausalLanguageModel model, SftDataset data)
                {
                    var options = new SftOptions { MaxSteps = 50, LossScope = {|FTG0001:LossScope.FullSequence|} };
                    return new SftTrainer(model, options).Train(new[] { data });
                }
            }
            """);

    [Fact]
    public Task FullSequenceInWithExpressionAndThroughLocalIsFTG0001()
        => Sft("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Runs
            {
                public static SftOptions Tweak(SftOptions baseline)
                {
                    LossScope scope = LossScope.FullSequence;
                    return baseline with { LossScope = {|FTG0001:scope|} };
                }
            }
            """);

    [Fact]
    public Task FullSequencePropertyAssignmentIsFTG0001()
        => Sft("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Settings
            {
                public SftOptions Options = new SftOptions();
                public void Widen() { Options = Options with { LossScope = {|FTG0001:LossScope.FullSequence|} }; }
            }
            """);

    [Fact]
    public Task FullSequenceCollateIsFTG0001()
        => Sft("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Batches
            {
                public static SftBatch Next(IReadOnlyList<SftExample> examples)
                    => SftBatch.Collate(examples, {|FTG0001:LossScope.FullSequence|}, padTokenId: 0);
            }
            """);

    [Fact]
    public Task FullSequenceMessageSaysExplicitOptOut()
        => Sft("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class ChatTuning
            {
                public static SftOptions Options() => new SftOptions { LossScope = LossScope.FullSequence };
            }
            """,
            new DiagnosticResult("FTG0001", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                .WithSpan(5, 72, 5, 94)
                .WithMessage("SFT loss is not masked to the answer tokens: this SFT run averages over prompt tokens by explicit opt-out (SftOptions.LossScope = LossScope.FullSequence makes every prompt and user-turn token a target of the SftTrainer); keep LossScope.AnswerOnly (the default) to average over the answer tokens only, or, if the full-sequence objective is intended (continued pre-training), suppress FTG0001 here with a justification"));

    [Fact]
    public Task AnswerOnlyIsClean()
        => Sft("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class InstructionTuning
            {
                public static SftOptions Options() => new SftOptions { LossScope = LossScope.AnswerOnly, MaxSteps = 10 };
                public static SftBatch Batch(IReadOnlyList<SftExample> examples) => SftBatch.Collate(examples, LossScope.AnswerOnly, 0);
                public static SftBatch Default(IReadOnlyList<SftExample> examples) => SftBatch.Collate(examples);
            }
            """);

    [Fact]
    public Task FullSequenceInPretrainingIsClean()
        => Sft("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class ContinuedPretraining
            {
                public static SftOptions Options() => new SftOptions { LossScope = LossScope.FullSequence };
            }

            public static class Corpus
            {
                public static SftBatch PretrainBatch(IReadOnlyList<SftExample> documents) => SftBatch.Collate(documents, LossScope.FullSequence);
                public static SftOptions DomainAdaptationOptions() => new SftOptions { LossScope = LossScope.FullSequence };
            }
            """);

    [Fact]
    public Task ScopeFromParameterOrOtherEnumIsClean()
        => Sft("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public enum MyScope { AnswerOnly, FullSequence }

            public static class SftSetup
            {
                public static SftOptions Options(LossScope scope) => new SftOptions { LossScope = scope };
                public static MyScope Mine() { var s = MyScope.FullSequence; return s; }
                public static bool IsFull(SftOptions o) => o.LossScope == LossScope.FullSequence;
            }
            """);

    // ---- FTG0006: no reference ----

    private const string Models = """

        public sealed class Toy
        {
            public static ICausalLanguageModel Load() => throw null!;
        }
        """;

    [Fact]
    public Task NullReferenceIsFTG0006()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Preference
            {
                public static DpoTrainer A(ICausalLanguageModel policy) => new DpoTrainer(policy, {|FTG0006:null|}!, new DpoOptions());
                public static DpoTrainer B(ICausalLanguageModel policy) => new DpoTrainer(policy, {|FTG0006:default(ICausalLanguageModel)|}!);
                public static DpoTrainer C(ICausalLanguageModel policy)
                {
                    ICausalLanguageModel? reference = null;
                    return new DpoTrainer(policy, {|FTG0006:reference|}!, null);
                }
            }
            """);

    [Fact]
    public Task NoReferenceWithBarePairsIsFTG0006()
        => Dpo("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Preference
            {
                public static DpoRunResult Array(ICausalLanguageModel policy, int[] p, int[] c, int[] r)
                {
                    var pairs = new[] { new PreferencePair(p, c, r), new PreferencePair(p, r, c, null, null) };
                    var trainer = {|FTG0006:new DpoTrainer(policy, new DpoOptions { MaxSteps = 5 })|};
                    return trainer.Train(pairs);
                }

                public static DpoMetrics List(ICausalLanguageModel policy, int[] p, int[] c, int[] r)
                    => {|FTG0006:new DpoTrainer(policy)|}.TrainStep(new List<PreferencePair> { new PreferencePair(p, c, r) });

                public static DpoMetrics Expression(ICausalLanguageModel policy, int[] p, int[] c, int[] r)
                {
                    var trainer = {|FTG0006:new DpoTrainer(policy, options: null)|};
                    PreferencePair[] pairs = [new PreferencePair(p, c, r)];
                    return trainer.Evaluate(pairs);
                }
            }
            """);

    [Fact]
    public Task NoReferenceWithPrecomputedOrUnknownPairsIsClean()
        => Dpo("""
            using System.Collections.Generic;
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Preference
            {
                public static DpoRunResult Precomputed(ICausalLanguageModel policy, ICausalLanguageModel frozen, IReadOnlyList<PreferencePair> raw)
                {
                    IReadOnlyList<PreferencePair> pairs = DpoTrainer.PrecomputeReferenceLogProbs(frozen, raw);
                    return new DpoTrainer(policy, new DpoOptions()).Train(pairs);
                }

                public static DpoMetrics Literal(ICausalLanguageModel policy, int[] p, int[] c, int[] r)
                    => new DpoTrainer(policy).TrainStep(new[] { new PreferencePair(p, c, r, -3.5f, -4.0f) });

                public static DpoMetrics FromParameter(ICausalLanguageModel policy, IReadOnlyList<PreferencePair> pairs)
                    => new DpoTrainer(policy).Evaluate(pairs);

                public static DpoMetrics FilledLater(ICausalLanguageModel policy, ICausalLanguageModel frozen, int[] p, int[] c, int[] r)
                {
                    var pairs = new List<PreferencePair> { new PreferencePair(p, c, r) };
                    Fill(pairs, frozen);
                    return new DpoTrainer(policy).TrainStep(pairs);
                }

                private static void Fill(List<PreferencePair> pairs, ICausalLanguageModel frozen) { }
            }
            """);

    // ---- FTG0007: policy as its own reference ----

    [Fact]
    public Task SameInstanceIsFTG0007()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Tuning
            {
                private readonly ICausalLanguageModel _policy = Toy.Load();

                public DpoTrainer A(ICausalLanguageModel policy) => new DpoTrainer(policy, {|FTG0007:policy|}, new DpoOptions());
                public DpoTrainer B() => new DpoTrainer(_policy, {|FTG0007:this._policy|});
                public DpoTrainer C(ICausalLanguageModel model)
                {
                    var reference = model;
                    return new DpoTrainer(model, {|FTG0007:reference|}, null);
                }
            }
            """ + Models);

    [Fact]
    public Task SeparateReferenceIsClean()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Tuning
            {
                [ReferenceModel]
                [Frozen]
                public ICausalLanguageModel Reference { get; } = Toy.Load();

                public DpoTrainer A(ICausalLanguageModel policy, ICausalLanguageModel frozenCopy) => new DpoTrainer(policy, frozenCopy, new DpoOptions());
                public DpoTrainer B(ICausalLanguageModel policy) => new DpoTrainer(policy, Reference);
                public DpoTrainer C(Tuning other, ICausalLanguageModel policy) => new DpoTrainer(policy, other.Reference);
                public DpoTrainer D(ICausalLanguageModel policy) => new DpoTrainer(policy, Toy.Load());
            }
            """ + Models);

    // ---- FTG0008: reference not frozen ----

    [Fact]
    public Task TrainableOrUnfrozenReferenceIsFTG0008()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Tuning
            {
                [Trainable]
                public ICausalLanguageModel Anchor = Toy.Load();

                [ReferenceModel]
                public ICausalLanguageModel {|FTG0008:Reference|} { get; } = Toy.Load();

                [Trainable]
                private ICausalLanguageModel _copy = Toy.Load();

                public DpoTrainer A(ICausalLanguageModel policy) => new DpoTrainer(policy, {|FTG0008:Anchor|}, new DpoOptions());
                public DpoTrainer B(ICausalLanguageModel policy) => new DpoTrainer(policy, Reference);
                public DpoTrainer C(ICausalLanguageModel policy)
                {
                    var reference = _copy;
                    return new DpoTrainer(policy, {|FTG0008:reference|});
                }
            }
            """ + Models);

    [Fact]
    public Task FrozenOrUnannotatedReferenceIsClean()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Tuning
            {
                [ReferenceModel, Frozen]
                public ICausalLanguageModel Reference = Toy.Load();

                [Frozen]
                private readonly ICausalLanguageModel _anchor = Toy.Load();

                private readonly ICausalLanguageModel _snapshot = Toy.Load();

                public DpoTrainer A(ICausalLanguageModel policy) => new DpoTrainer(policy, Reference);
                public DpoTrainer B(ICausalLanguageModel policy) => new DpoTrainer(policy, _anchor, new DpoOptions());
                public DpoTrainer C(ICausalLanguageModel policy) => new DpoTrainer(policy, _snapshot);
                public DpoTrainer D(ICausalLanguageModel policy, [ReferenceModel] ICausalLanguageModel reference) => new DpoTrainer(policy, reference);
            }
            """ + Models);

    // ---- FTG0009: beta <= 0 ----

    [Fact]
    public Task NonPositiveBetaOptionIsFTG0009()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Settings
            {
                public static DpoOptions Zero() => new DpoOptions { Beta = {|FTG0009:0f|} };
                public static DpoOptions Negative(DpoOptions o) => o with { Beta = {|FTG0009:-0.1f|} };
                public static DpoOptions Local()
                {
                    const float beta = 0;
                    float b = -1;
                    var options = new DpoOptions { Beta = {|FTG0009:beta|}, MaxSteps = 3 };
                    return options with { Beta = {|FTG0009:b|} };
                }
            }
            """);

    [Fact]
    public Task PositiveOrUnknownBetaIsClean()
        => Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public sealed class Config { public float Beta { get; set; } }

            public static class Settings
            {
                public static DpoOptions Default() => new DpoOptions { Beta = 0.1f };
                public static DpoOptions FromConfig(float beta) => new DpoOptions { Beta = beta };
                public static Config Mine() => new Config { Beta = 0 };
                public static bool Check(DpoOptions o) => o.Beta == 0;
            }
            """);

    // ---- the analyzers' messages and the trainers' guards agree ----

    [Fact]
    public Task BetaMessageIsTheTrainerGuardMessage()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new DpoOptions { Beta = 0f }.Validate());
        string guard = thrown.Message[..thrown.Message.IndexOf(" (Parameter", StringComparison.Ordinal)];
        Assert.StartsWith("FTG0009: ", guard);
        return Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Settings
            {
                public static DpoOptions Zero() => new DpoOptions { Beta = 0f };
            }
            """,
            new DiagnosticResult("FTG0009", Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
                .WithSpan(5, 64, 5, 66)
                .WithMessage(guard["FTG0009: ".Length..]));
    }

    [Fact]
    public Task NullReferenceMessageIsTheTrainerGuardMessage()
    {
        var thrown = Assert.Throws<ArgumentNullException>(() => new DpoTrainer(null!, null!, null));
        string guard = thrown.Message[..thrown.Message.IndexOf(" (Parameter", StringComparison.Ordinal)];
        Assert.StartsWith("FTG0006: ", guard);
        return Dpo("""
            using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;

            public static class Preference
            {
                public static DpoTrainer A(ICausalLanguageModel policy) => new DpoTrainer(policy, null!, null);
            }
            """,
            new DiagnosticResult("FTG0006", Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
                .WithSpan(5, 87, 5, 91)
                .WithMessage(guard["FTG0006: ".Length..]));
    }

    [Theory]
    [InlineData("FTG0006", "Preference loss has no reference model")]
    [InlineData("FTG0007", "Reference model is the policy itself")]
    [InlineData("FTG0008", "Reference model is not frozen")]
    [InlineData("FTG0009", "Preference loss with beta <= 0")]
    public void TrainerGuardsUseTheDescriptorTitles(string id, string title)
    {
        var descriptor = new PreferenceLossAnalyzer().SupportedDiagnostics.Single(d => d.Id == id);
        Assert.Equal(title, descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string source = System.IO.File.ReadAllText(Path.Combine(RepoRoot(), "src", "FineTuneGuard", "Training", id == "FTG0009" ? "DpoOptions.cs" : "DpoTrainer.cs"));
        Assert.Contains($"{id}: {title}", source);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FineTuneGuard.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FineTuneGuard.sln not found above the test binaries.");
    }
}
