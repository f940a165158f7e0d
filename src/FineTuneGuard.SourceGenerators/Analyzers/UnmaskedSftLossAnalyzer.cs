using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Analyzers.Training;
using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using FineTuneGuard.SourceGenerators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0001: a token loss averaged over every position in a supervised fine-tuning step. The SFT objective is
/// L = Σ mᵢ·ℓᵢ / Σ mᵢ with m = 1 on answer tokens only; for example (ℓ = [0.2, 0.3, 1.2, 0.8, 0.0],
/// m = [0, 0, 1, 1, 0]) gives 1.0 answer-only and 0.5 unmasked. Flags, in SFT code only:
/// <c>CrossEntropy.UnmaskedLoss</c> and <c>TokenLoss.Mean</c>; <c>CrossEntropy.Loss</c>, TorchSharp's
/// <c>functional.cross_entropy</c> and <c>CrossEntropyLoss</c> when the labels are the raw input ids or are masked for
/// padding only; and <c>.mean()</c> over a per-token TorchSharp cross-entropy (<c>reduction: None</c>), which divides
/// by every position including the ignored ones. On the runtime's trainers: the explicit <c>LossScope.FullSequence</c>
/// opt-out (<c>SftOptions.LossScope</c> in an initializer, a <c>with</c> or an assignment, and the scope argument of
/// <c>SftBatch.Collate</c>), unless the method or its type says pre-training — a deliberate choice, reported so that it
/// is visible in review and suppressed with a justification.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnmaskedSftLossAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property naming the masked replacement a code fix can switch to.</summary>
    public const string MaskedFormProperty = "MaskedForm";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnmaskedSftLoss);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = TrainingSymbols.Create(start.Compilation);
            if (symbols.IsEmpty)
            {
                return;
            }

            var models = new AdapterModels(symbols);
            start.RegisterOperationAction(ctx => Analyze(ctx, symbols, models), OperationKind.Invocation);
            if (symbols.LossScope is not null)
            {
                start.RegisterOperationAction(ctx => AnalyzeLossScopeAssignment(ctx, symbols), OperationKind.SimpleAssignment);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, TrainingSymbols symbols, AdapterModels models)
    {
        var call = (IInvocationOperation)context.Operation;
        IMethodSymbol method = call.TargetMethod;
        INamedTypeSymbol? owner = method.ContainingType;
        if (owner is null)
        {
            return;
        }

        if (TrainingSymbols.Is(owner, symbols.CrossEntropy))
        {
            switch (method.Name)
            {
                case "UnmaskedLoss" when IsSft(context, call, symbols, models):
                    Report(context, call, "CrossEntropy.UnmaskedLoss averages over every position, prompt and padding included", "MaskedLoss");
                    return;
                case "Loss":
                    CheckLabels(context, call, OperationFacts.Argument(call.Arguments, "labels"), symbols, models);
                    return;
            }

            return;
        }

        if (TrainingSymbols.Is(owner, symbols.SftBatch) && method.Name == "Collate")
        {
            if (OperationFacts.Argument(call.Arguments, "scope") is { ArgumentKind: not ArgumentKind.DefaultValue } scope)
            {
                CheckLossScope(context, scope.Value, symbols, "SftBatch.Collate(..., LossScope.FullSequence, ...) makes every prompt token a target");
            }

            return;
        }

        if (TrainingSymbols.Is(owner, symbols.TokenLoss) && method.Name == "Mean" && IsSft(context, call, symbols, models))
        {
            Report(context, call, "TokenLoss.Mean averages the per-token losses over every position, prompt and padding included", "AnswerOnlyMean");
            return;
        }

        if (!symbols.HasTorch)
        {
            return;
        }

        if (TrainingSymbols.Is(owner, symbols.TorchFunctional) && method.Name == "cross_entropy")
        {
            CheckLabels(context, call, OperationFacts.Argument(call.Arguments, "target"), symbols, models);
            return;
        }

        if (method.Name is "call" or "forward" && call.Instance?.Type is { } lossType && TrainingSymbols.InheritsFrom(lossType, symbols.TorchCrossEntropyLoss) && call.Arguments.Length >= 2)
        {
            CheckLabels(context, call, call.Arguments[1], symbols, models);
            return;
        }

        if (method.Name == "mean" && call.Arguments.Length == 0 && call.Instance is not null && symbols.IsTensor(call.Instance.Type))
        {
            IOperation root = OperationFacts.Root(call);
            IOperation source = LocalDataFlow.Resolve(call.Instance, root);
            if (source is IInvocationOperation { TargetMethod.Name: "cross_entropy" } perToken
                && TrainingSymbols.Is(perToken.TargetMethod.ContainingType, symbols.TorchFunctional)
                && OperationFacts.Argument(perToken.Arguments, "reduction") is { } reduction
                && OperationFacts.ConstantNumber(reduction.Value) is 0
                && IsSft(context, call, symbols, models))
            {
                Report(context, call, "mean() over the per-token cross-entropy (reduction: None) divides by every position, ignored prompt and padding tokens included", maskedForm: null);
            }
        }
    }

    /// <summary>SftOptions.LossScope = LossScope.FullSequence: in an object initializer, a <c>with</c> expression or a plain assignment.</summary>
    private static void AnalyzeLossScopeAssignment(OperationAnalysisContext context, TrainingSymbols symbols)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is IPropertyReferenceOperation { Property: { Name: "LossScope" } property }
            && TrainingSymbols.Is(property.ContainingType, symbols.SftOptions))
        {
            CheckLossScope(context, assignment.Value, symbols, "SftOptions.LossScope = LossScope.FullSequence makes every prompt and user-turn token a target of the SftTrainer");
        }
    }

    private static void CheckLossScope(OperationAnalysisContext context, IOperation value, TrainingSymbols symbols, string what)
    {
        if (!IsFullSequence(value, symbols) || SftContext.IsPretraining(context.ContainingSymbol))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UnmaskedSftLoss,
            value.Syntax.GetLocation(),
            $"SFT loss is not masked to the answer tokens: this SFT run averages over prompt tokens by explicit opt-out ({what}); " +
            "keep LossScope.AnswerOnly (the default) to average over the answer tokens only, or, if the full-sequence objective is intended " +
            "(continued pre-training), suppress FTG0001 here with a justification"));
    }

    /// <summary>The constant <c>LossScope.FullSequence</c>, directly or through a local assigned once.</summary>
    private static bool IsFullSequence(IOperation value, TrainingSymbols symbols)
    {
        IOperation resolved = LocalDataFlow.Resolve(value, OperationFacts.Root(value));
        foreach (IOperation candidate in new[] { OperationFacts.Unwrap(value), resolved })
        {
            if (candidate is IFieldReferenceOperation { Field: { Name: "FullSequence", HasConstantValue: true } field }
                && TrainingSymbols.Is(field.ContainingType, symbols.LossScope))
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckLabels(OperationAnalysisContext context, IInvocationOperation call, IArgumentOperation? labels, TrainingSymbols symbols, AdapterModels models)
    {
        if (labels is null)
        {
            return;
        }

        IOperation root = OperationFacts.Root(call);
        LabelSource source = LabelProvenance.Of(labels.Value, root, call);
        if (source == LabelSource.Unknown || !IsSft(context, call, symbols, models))
        {
            return;
        }

        string what = source == LabelSource.RawInputIds
            ? "the labels are the raw input ids: no prompt position is set to -100, so the loss averages over the prompt too"
            : "the labels are masked for padding only: the prompt positions still count in the average";
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UnmaskedSftLoss,
            labels.Syntax.GetLocation(),
            $"In this SFT step {what}; set the prompt (and padding) labels to -100 (SftLabels.AnswerOnly) so that only answer tokens are averaged"));
    }

    private static bool IsSft(OperationAnalysisContext context, IOperation call, TrainingSymbols symbols, AdapterModels models)
        => SftContext.Is(context.ContainingSymbol, OperationFacts.Root(call), symbols, models);

    private static void Report(OperationAnalysisContext context, IInvocationOperation call, string what, string? maskedForm)
    {
        ImmutableDictionary<string, string?> properties = maskedForm is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(MaskedFormProperty, maskedForm);
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UnmaskedSftLoss,
            call.Syntax.GetLocation(),
            properties,
            $"{what} in a supervised fine-tuning step; average over the answer tokens only (Σ m·ℓ / Σ m): with token losses [0.2, 0.3, 1.2, 0.8, 0.0] and the middle two as the answer, the answer-only loss is 1.0 and the mean over every position 0.5"));
    }
}
