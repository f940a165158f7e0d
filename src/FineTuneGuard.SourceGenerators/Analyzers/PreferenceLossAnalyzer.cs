using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using FineTuneGuard.SourceGenerators.Analyzers.Training;
using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using FineTuneGuard.SourceGenerators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// Preference objectives. The DPO loss −log σ(β·[(log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl))]) is only DPO
/// with a real, separate, frozen reference and β &gt; 0:
/// FTG0006 reference log-probabilities missing or constant zeros; FTG0007 the reference is the policy itself;
/// FTG0008 the reference is not frozen; FTG0009 β ≤ 0. On FineTuneGuard's API (<c>Dpo.Loss</c>, <c>[ReferenceModel]</c>)
/// and on hand-written TorchSharp DPO (<c>functional.logsigmoid</c> over the margin). Reference-free objectives
/// (<c>ReferenceFree.SimPo/Orpo</c>, SimPO/ORPO/CPO code) are never FTG0006.
/// On the runtime's <c>DpoTrainer</c>, in the words of the trainer's own guards (each message starts with the
/// rule's title, as the trainer's exception does after "FTG000x: "): FTG0006 a <c>null</c>/<c>default</c> reference, or
/// <c>new DpoTrainer(policy, options)</c> whose pairs, where the method shows them, are all built without reference
/// log-probabilities; FTG0007 the same instance as policy and reference; FTG0008 a reference member marked
/// <c>[Trainable]</c>, or a <c>[ReferenceModel]</c> from another assembly without <c>[Frozen]</c> (in source the member
/// itself is reported); FTG0009 <c>DpoOptions.Beta</c> set to a constant ≤ 0.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PreferenceLossAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.PreferenceLossWithoutReference,
        DiagnosticDescriptors.ReferenceIsPolicy,
        DiagnosticDescriptors.ReferenceNotFrozen,
        DiagnosticDescriptors.NonPositiveBeta);

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

            if (symbols.ReferenceModel is not null)
            {
                start.RegisterSymbolAction(ctx => AnalyzeReferenceMember(ctx, symbols), SymbolKind.Field, SymbolKind.Property);
            }

            start.RegisterOperationAction(ctx => AnalyzeInvocation(ctx, symbols), OperationKind.Invocation);
            start.RegisterOperationAction(ctx => AnalyzeReferenceAssignment(ctx, symbols), OperationKind.SimpleAssignment, OperationKind.VariableDeclarator);
            if (symbols.DpoTrainer is not null)
            {
                start.RegisterOperationAction(ctx => AnalyzeDpoTrainerCreation(ctx, symbols), OperationKind.ObjectCreation);
            }

            if (symbols.DpoOptions is not null)
            {
                start.RegisterOperationAction(ctx => AnalyzeBetaOption(ctx, symbols), OperationKind.SimpleAssignment);
            }

            if (symbols.HasTorch)
            {
                var evidence = new TorchFreezeEvidence(start.Compilation);
                start.RegisterSymbolStartAction(typeStart => AnalyzeTorchReferences(typeStart, symbols, evidence), SymbolKind.NamedType);
            }
        });
    }

    // ---- FTG0008 on the attribute contract ----

    private static void AnalyzeReferenceMember(SymbolAnalysisContext context, TrainingSymbols symbols)
    {
        ISymbol member = context.Symbol;
        if (member.IsImplicitlyDeclared || !TrainingSymbols.HasAttribute(member, symbols.ReferenceModel) || TrainingSymbols.HasAttribute(member, symbols.Frozen))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ReferenceNotFrozen,
            member.Locations.Length > 0 ? member.Locations[0] : Location.None,
            $"Reference model '{member.Name}' is not [Frozen]: a trainable reference drifts with the policy and the KL anchor of DPO disappears"));
    }

    // ---- Dpo.Loss / ReferenceFree.* / functional.logsigmoid ----

    private static void AnalyzeInvocation(OperationAnalysisContext context, TrainingSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol? owner = method.ContainingType;
        if (owner is null)
        {
            return;
        }

        if (TrainingSymbols.Is(owner, symbols.Dpo) || TrainingSymbols.Is(owner, symbols.ReferenceFree))
        {
            CheckBeta(context, OperationFacts.Argument(invocation.Arguments, "beta"));
            if (TrainingSymbols.Is(owner, symbols.Dpo) && method.Name == "Loss")
            {
                CheckDpoReference(context, invocation);
            }

            return;
        }

        if (TrainingSymbols.Is(owner, symbols.TorchFunctional) && method.Name == "logsigmoid" && invocation.Arguments.Length > 0)
        {
            AnalyzeTorchPreferenceLoss(context, invocation);
        }
    }

    private static void CheckBeta(OperationAnalysisContext context, IArgumentOperation? beta)
    {
        if (beta is null)
        {
            return;
        }

        double? value = ConstantThroughLocals(beta.Value, OperationFacts.Root(beta));
        if (value is <= 0)
        {
            ReportBeta(context, beta.Value, value.Value);
        }
    }

    private static void ReportBeta(OperationAnalysisContext context, IOperation at, double value)
        => context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.NonPositiveBeta,
            at.Syntax.GetLocation(),
            $"Preference loss with beta <= 0: beta is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: with beta = 0 the loss is −log σ(0) = ln 2 for every pair and its gradient is zero, and a negative beta prefers the rejected answers; use a finite beta > 0 (typically 0.1)."));

    private static void CheckDpoReference(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        IOperation root = OperationFacts.Root(invocation);
        IArgumentOperation? policyChosen = OperationFacts.Argument(invocation.Arguments, "policyChosen");
        IArgumentOperation? policyRejected = OperationFacts.Argument(invocation.Arguments, "policyRejected");
        IArgumentOperation? referenceChosen = OperationFacts.Argument(invocation.Arguments, "referenceChosen");
        IArgumentOperation? referenceRejected = OperationFacts.Argument(invocation.Arguments, "referenceRejected");
        if (policyChosen is null || policyRejected is null || referenceChosen is null || referenceRejected is null)
        {
            return;
        }

        foreach (IArgumentOperation reference in new[] { referenceChosen, referenceRejected })
        {
            if (IsMissing(reference.Value, root, invocation))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PreferenceLossWithoutReference,
                    reference.Syntax.GetLocation(),
                    $"'{reference.Parameter!.Name}' is {Describe(reference.Value)}: DPO measures the policy against a frozen reference, margin = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)); pass the reference model's log-probabilities, or use ReferenceFree.SimPo / ReferenceFree.Orpo for a reference-free objective"));
                return;
            }
        }

        if (IsSameSource(policyChosen.Value, referenceChosen.Value, root) || IsSameSource(policyRejected.Value, referenceRejected.Value, root))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ReferenceIsPolicy,
                referenceChosen.Syntax.GetLocation(),
                "The reference log-probabilities come from the policy itself: the margin is always 0 and the loss stays at ln 2; compute them with a separate, frozen copy of the starting policy"));
        }
    }

    /// <summary>Constant zeros, <c>default</c>, an empty span, or a fresh zero array that nothing ever fills.</summary>
    private static bool IsMissing(IOperation value, IOperation root, IOperation call)
    {
        IOperation unwrapped = OperationFacts.Unwrap(value);
        if (OperationFacts.ConstantNumber(unwrapped) is double constant)
        {
            return constant == 0;
        }

        switch (unwrapped)
        {
            case IDefaultValueOperation:
            case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                return true;
            case IPropertyReferenceOperation { Property.Name: "Empty", Property.IsStatic: true }:
                return true;
            case IInvocationOperation { TargetMethod.Name: "Empty", TargetMethod.ContainingType.Name: "Array" }:
                return true;
            case IArrayCreationOperation { Initializer: null }:
                return true;
            case ILocalReferenceOperation local:
                IOperation? assigned = LocalDataFlow.SingleValue(local.Local, root);
                return assigned is not null
                       && OperationFacts.Unwrap(assigned) is IArrayCreationOperation { Initializer: null }
                       && !LocalDataFlow.IsWrittenOrShared(local.Local, root, call);
            default:
                return false;
        }
    }

    private static string Describe(IOperation value) => OperationFacts.Unwrap(value) switch
    {
        IArrayCreationOperation or ILocalReferenceOperation => "an array of zeros that is never filled",
        IPropertyReferenceOperation or IInvocationOperation or IDefaultValueOperation or ILiteralOperation { ConstantValue.Value: null } => "empty",
        _ => "a constant 0",
    };

    private static bool IsSameSource(IOperation policy, IOperation reference, IOperation root)
    {
        if (SameReference(policy, reference))
        {
            return true;
        }

        ISymbol? policyModel = ModelRoots.Of(policy, root);
        return policyModel is not null && SymbolEqualityComparer.Default.Equals(policyModel, ModelRoots.Of(reference, root));
    }

    /// <summary>
    /// The same local or parameter, or the same member of the same instance: <c>p.PolicyChosen</c> twice is the same
    /// value, <c>policyOut.Chosen</c> and <c>refOut.Chosen</c> are not.
    /// </summary>
    private static bool SameReference(IOperation left, IOperation right, int depth = 0)
    {
        left = OperationFacts.Unwrap(left);
        right = OperationFacts.Unwrap(right);
        ISymbol? symbol = OperationFacts.ReferencedSymbol(left);
        if (symbol is null || depth > 4 || !SymbolEqualityComparer.Default.Equals(symbol, OperationFacts.ReferencedSymbol(right)))
        {
            return false;
        }

        IOperation? leftInstance = (left as IMemberReferenceOperation)?.Instance;
        IOperation? rightInstance = (right as IMemberReferenceOperation)?.Instance;
        if (leftInstance is null || rightInstance is null)
        {
            return leftInstance is null && rightInstance is null;
        }

        return leftInstance is IInstanceReferenceOperation && rightInstance is IInstanceReferenceOperation
               || SameReference(leftInstance, rightInstance, depth + 1);
    }

    // ---- hand-written TorchSharp DPO: -logsigmoid(beta * (policy margin - reference margin)) ----

    private static void AnalyzeTorchPreferenceLoss(OperationAnalysisContext context, IInvocationOperation logsigmoid)
    {
        IOperation root = OperationFacts.Root(logsigmoid);
        IOperation argument = logsigmoid.Arguments[0].Value;

        // beta * margin with a constant beta <= 0.
        if (OperationFacts.Unwrap(argument) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } scaled)
        {
            foreach (IOperation factor in new[] { scaled.LeftOperand, scaled.RightOperand })
            {
                if (ConstantThroughLocals(factor, root) is double beta && beta <= 0 && IsBetaLike(factor))
                {
                    ReportBeta(context, factor, beta);
                    return;
                }
            }
        }

        string methodName = context.ContainingSymbol.Name;
        string typeName = context.ContainingSymbol.ContainingType?.Name ?? string.Empty;
        if (ReferenceNames.IsReferenceFreeObjective(methodName) || ReferenceNames.IsReferenceFreeObjective(typeName)
            || !(OperationFacts.NameContains(methodName, "dpo") || OperationFacts.NameContains(typeName, "dpo")))
        {
            return;
        }

        // Collect the named inputs of the margin, following locals assigned once.
        bool sawReference = false;
        ISymbol? policyModel = null;
        ISymbol? referenceModel = null;
        foreach (IOperation leaf in MarginLeaves(argument, root))
        {
            ISymbol? symbol = OperationFacts.ReferencedSymbol(leaf);
            if (symbol is null || !ReferenceNames.IsReference(symbol.Name))
            {
                ISymbol? model = ModelRoots.Of(leaf, root);
                if (model is not null && symbol is not null)
                {
                    policyModel ??= model;
                }

                continue;
            }

            sawReference = true;
            IOperation source = LocalDataFlow.Resolve(leaf, root);
            if (InitialValueClassifierZero(source))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PreferenceLossWithoutReference,
                    leaf.Syntax.GetLocation(),
                    $"'{symbol.Name}' is constant zeros: DPO measures the policy against a frozen reference; compute the reference model's log-probabilities, or use a reference-free objective (SimPO, ORPO)"));
                return;
            }

            referenceModel ??= ModelRoots.Of(leaf, root);
        }

        if (!sawReference)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PreferenceLossWithoutReference,
                logsigmoid.Syntax.GetLocation(),
                "This DPO loss uses no reference log-probabilities: margin = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)) needs the frozen reference model; add the reference terms, or name the objective SimPO/ORPO if it is reference-free by design"));
            return;
        }

        if (policyModel is not null && SymbolEqualityComparer.Default.Equals(policyModel, referenceModel))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ReferenceIsPolicy,
                logsigmoid.Syntax.GetLocation(),
                $"The reference log-probabilities are computed by '{referenceModel!.Name}', the policy itself: the margin is always 0 and the loss stays at ln 2; use a separate, frozen copy of the starting policy"));
        }
    }

    /// <summary>The operands of the +, −, ×, ÷ tree under <paramref name="expression"/>, through locals assigned once.</summary>
    private static System.Collections.Generic.IEnumerable<IOperation> MarginLeaves(IOperation expression, IOperation root, int depth = 0)
    {
        IOperation unwrapped = OperationFacts.Unwrap(expression);
        if (depth > 8)
        {
            yield break;
        }

        if (unwrapped is IBinaryOperation binary)
        {
            foreach (IOperation leaf in MarginLeaves(binary.LeftOperand, root, depth + 1))
            {
                yield return leaf;
            }

            foreach (IOperation leaf in MarginLeaves(binary.RightOperand, root, depth + 1))
            {
                yield return leaf;
            }

            yield break;
        }

        if (unwrapped is IUnaryOperation unary)
        {
            foreach (IOperation leaf in MarginLeaves(unary.Operand, root, depth + 1))
            {
                yield return leaf;
            }

            yield break;
        }

        if (unwrapped is ILocalReferenceOperation local && !ReferenceNames.IsReference(local.Local.Name)
            && LocalDataFlow.SingleValue(local.Local, root) is { } value && OperationFacts.Unwrap(value) is IBinaryOperation or IUnaryOperation)
        {
            foreach (IOperation leaf in MarginLeaves(value, root, depth + 1))
            {
                yield return leaf;
            }

            yield break;
        }

        yield return unwrapped;
    }

    private static bool InitialValueClassifierZero(IOperation source)
        => source is IInvocationOperation { TargetMethod.Name: "zeros" or "zeros_like" } zeros && zeros.TargetMethod.ContainingType?.Name == "torch";

    private static bool IsBetaLike(IOperation factor)
    {
        IOperation unwrapped = OperationFacts.Unwrap(factor);
        ISymbol? symbol = OperationFacts.ReferencedSymbol(unwrapped);
        return symbol is null || OperationFacts.NameContains(symbol.Name, "beta");
    }

    /// <summary>A compile-time constant, or a local assigned exactly once from one, or a readonly/const field.</summary>
    private static double? ConstantThroughLocals(IOperation value, IOperation root)
    {
        double? constant = OperationFacts.ConstantNumber(value);
        if (constant is not null)
        {
            return constant;
        }

        IOperation resolved = LocalDataFlow.Resolve(value, root);
        return ReferenceEquals(resolved, OperationFacts.Unwrap(value)) ? null : OperationFacts.ConstantNumber(resolved);
    }

    // ---- the runtime's DpoTrainer and DpoOptions (messages as the trainer's guards) ----

    /// <summary>FTG0009: <c>new DpoOptions { Beta = 0f }</c>, <c>options with { Beta = -0.1f }</c>, <c>options.Beta = 0</c>.</summary>
    private static void AnalyzeBetaOption(OperationAnalysisContext context, TrainingSymbols symbols)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is IPropertyReferenceOperation { Property: { Name: "Beta" } property }
            && TrainingSymbols.Is(property.ContainingType, symbols.DpoOptions)
            && ConstantThroughLocals(assignment.Value, OperationFacts.Root(assignment)) is double beta && beta <= 0)
        {
            ReportBeta(context, assignment.Value, beta);
        }
    }

    private static void AnalyzeDpoTrainerCreation(OperationAnalysisContext context, TrainingSymbols symbols)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Constructor is not { } constructor || !TrainingSymbols.Is(constructor.ContainingType, symbols.DpoTrainer))
        {
            return;
        }

        IOperation root = OperationFacts.Root(creation);
        IArgumentOperation? policy = OperationFacts.Argument(creation.Arguments, "policy");
        IArgumentOperation? reference = OperationFacts.Argument(creation.Arguments, "reference");
        if (policy is null)
        {
            return;
        }

        if (reference is null)
        {
            CheckPairsWithoutReference(context, creation, root, symbols);
            return;
        }

        IOperation referenceSource = LocalDataFlow.Resolve(reference.Value, root);
        if (IsNullOrDefault(reference.Value) || IsNullOrDefault(referenceSource))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PreferenceLossWithoutReference,
                reference.Value.Syntax.GetLocation(),
                NoReferenceMessage("the reference model is null")));
            return;
        }

        IOperation policySource = LocalDataFlow.Resolve(policy.Value, root);
        if (SameReference(policy.Value, reference.Value) || SameReference(policySource, referenceSource))
        {
            string name = OperationFacts.ReferencedSymbol(policySource)?.Name ?? policy.Value.Syntax.ToString();
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ReferenceIsPolicy,
                reference.Value.Syntax.GetLocation(),
                $"Reference model is the policy itself: '{name}' is passed as both the policy and the reference of the DpoTrainer. The reference log-probabilities would move with the policy, the margin would always be 0 and the loss would stay at ln 2. Pass a frozen copy of the starting policy."));
            return;
        }

        ISymbol? member = OperationFacts.ReferencedSymbol(referenceSource);
        if (member is IFieldSymbol or IPropertySymbol)
        {
            if (TrainingSymbols.HasAttribute(member, symbols.Trainable))
            {
                ReportReferenceNotFrozen(context, reference.Value, $"'{member.Name}' is marked [Trainable]");
            }
            else if (TrainingSymbols.HasAttribute(member, symbols.ReferenceModel) && !TrainingSymbols.HasAttribute(member, symbols.Frozen)
                     && !member.Locations.Any(l => l.IsInSource))
            {
                // In source the [ReferenceModel] member itself is reported (AnalyzeReferenceMember); from metadata, here.
                ReportReferenceNotFrozen(context, reference.Value, $"'{member.Name}' is a [ReferenceModel] without [Frozen]");
            }
        }
    }

    private static void ReportReferenceNotFrozen(OperationAnalysisContext context, IOperation at, string why)
        => context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ReferenceNotFrozen,
            at.Syntax.GetLocation(),
            $"Reference model is not frozen: {why}. The DPO reference must be a frozen copy of the starting policy; a trainable reference drifts and the KL anchor disappears."));

    /// <summary>The trainer's FTG0006 wording (DpoTrainer.NoReferenceMessage), without the "FTG0006: " prefix.</summary>
    private static string NoReferenceMessage(string why)
        => $"Preference loss has no reference model: {why}. DPO measures the policy against a frozen reference, " +
           "margin = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)); pass a frozen reference model or precompute the reference log-probabilities " +
           "(DpoTrainer.PrecomputeReferenceLogProbs). For a reference-free objective use ReferenceFree.SimPo or ReferenceFree.Orpo.";

    private static bool IsNullOrDefault(IOperation value)
        => OperationFacts.Unwrap(value) is IDefaultValueOperation or ILiteralOperation { ConstantValue: { HasValue: true, Value: null } };

    /// <summary>
    /// FTG0006 for <c>new DpoTrainer(policy, options)</c>: only when a call on the trainer in the same method is handed
    /// pairs that the method builds itself, every one with <c>new PreferencePair(prompt, chosen, rejected)</c> and no
    /// reference log-probability. Pairs from a parameter, a field, a call (PrecomputeReferenceLogProbs, a loader) or a
    /// collection written elsewhere are trusted.
    /// </summary>
    private static void CheckPairsWithoutReference(OperationAnalysisContext context, IObjectCreationOperation creation, IOperation root, TrainingSymbols symbols)
    {
        ILocalSymbol? trainer = null;
        IOperation? parent = creation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        if (parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            trainer = declarator.Symbol;
        }

        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            if (operation is not IInvocationOperation { Instance: { } instance } call || !TrainingSymbols.Is(call.TargetMethod.ContainingType, symbols.DpoTrainer))
            {
                continue;
            }

            IOperation target = OperationFacts.Unwrap(instance);
            bool onThisTrainer = ReferenceEquals(target, creation)
                                 || (trainer is not null && target is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, trainer));
            if (!onThisTrainer || OperationFacts.Argument(call.Arguments, "pairs") is not { } pairs)
            {
                continue;
            }

            if (ProvablyWithoutReferenceLogProbs(pairs.Value, root, call, symbols))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PreferenceLossWithoutReference,
                    creation.Syntax.GetLocation(),
                    NoReferenceMessage($"this DpoTrainer has no reference model and the pairs passed to {call.TargetMethod.Name} ('{pairs.Value.Syntax}') carry no precomputed reference log-probabilities")));
                return;
            }
        }
    }

    private static bool ProvablyWithoutReferenceLogProbs(IOperation pairs, IOperation root, IOperation call, TrainingSymbols symbols)
    {
        IOperation source = OperationFacts.Unwrap(pairs);
        if (source is ILocalReferenceOperation local)
        {
            IOperation? assigned = LocalDataFlow.SingleValue(local.Local, root);
            if (assigned is null || LocalDataFlow.IsWrittenOrShared(local.Local, root, call))
            {
                return false;
            }

            source = OperationFacts.Unwrap(assigned);
        }

        var elements = new System.Collections.Generic.List<IOperation>();
        switch (source)
        {
            case IArrayCreationOperation { Initializer: { } initializer }:
                elements.AddRange(initializer.ElementValues);
                break;
            case IObjectCreationOperation { Initializer: { } initializer } collection when !TrainingSymbols.Is(collection.Type, symbols.PreferencePair):
                foreach (IOperation item in initializer.Initializers)
                {
                    if (item is not IInvocationOperation { TargetMethod.Name: "Add", Arguments.Length: 1 } add)
                    {
                        return false;
                    }

                    elements.Add(add.Arguments[0].Value);
                }

                break;
            default:
                // C# 12 collection expression [new PreferencePair(...), ...]: its element operations, whatever the
                // Roslyn version exposes them as.
                if (source.Syntax.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.CollectionExpression))
                {
                    foreach (IOperation child in source.ChildOperations)
                    {
                        elements.Add(child);
                    }

                    break;
                }

                return false;
        }

        if (elements.Count == 0)
        {
            return false;
        }

        foreach (IOperation element in elements)
        {
            if (OperationFacts.Unwrap(element) is not IObjectCreationOperation pair || !TrainingSymbols.Is(pair.Type, symbols.PreferencePair))
            {
                return false;
            }

            foreach (IArgumentOperation argument in pair.Arguments)
            {
                if (argument.Parameter?.Name is "referenceChosenLogProb" or "referenceRejectedLogProb"
                    && argument.ArgumentKind != ArgumentKind.DefaultValue
                    && !IsNullOrDefault(argument.Value))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // ---- FTG0007: reference = policy ----

    private static void AnalyzeReferenceAssignment(OperationAnalysisContext context, TrainingSymbols symbols)
    {
        ISymbol? target;
        IOperation? value;
        switch (context.Operation)
        {
            case ISimpleAssignmentOperation assignment:
                target = OperationFacts.ReferencedSymbol(assignment.Target);
                value = assignment.Value;
                break;
            case IVariableDeclaratorOperation declarator:
                target = declarator.Symbol;
                value = declarator.Initializer?.Value;
                break;
            default:
                return;
        }

        if (target is null || value is null)
        {
            return;
        }

        bool isReference = TrainingSymbols.HasAttribute(target, symbols.ReferenceModel)
                           || (ReferenceNames.IsReference(target.Name) && (symbols.IsTorchModule(TypeOf(target)) || TrainingSymbols.HasAttribute(target, symbols.ReferenceModel)));
        if (!isReference)
        {
            return;
        }

        ISymbol? source = OperationFacts.ReferencedSymbol(value);
        if (source is null || ReferenceNames.IsSeparateCopy(source.Name) || TrainingSymbols.HasAttribute(source, symbols.ReferenceModel) || !ReferenceNames.IsPolicy(source.Name))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ReferenceIsPolicy,
            value.Syntax.GetLocation(),
            $"The reference model '{target.Name}' is the policy '{source.Name}' itself (same instance): its log-probabilities move with the policy, the margin is always 0 and the loss stays at ln 2; use a frozen copy"));
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        IFieldSymbol f => f.Type,
        IPropertySymbol p => p.Type,
        ILocalSymbol l => l.Type,
        IParameterSymbol p => p.Type,
        _ => null,
    };

    // ---- FTG0008 on TorchSharp: a reference module field never put in eval / requires_grad_(false) ----

    private static void AnalyzeTorchReferences(SymbolStartAnalysisContext typeStart, TrainingSymbols symbols, TorchFreezeEvidence evidence)
    {
        var type = (INamedTypeSymbol)typeStart.Symbol;
        ImmutableArray<ISymbol> candidates = ReferenceModuleMembers(type, symbols);
        if (candidates.IsEmpty)
        {
            return;
        }

        var frozen = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
        int noGrad = 0;
        typeStart.RegisterOperationAction(
            ctx =>
            {
                var call = (IInvocationOperation)ctx.Operation;
                if (call.TargetMethod.Name == "no_grad")
                {
                    System.Threading.Interlocked.Exchange(ref noGrad, 1);
                    return;
                }

                // reference.eval(), reference.requires_grad_(false), reference.train(false)
                if (call.Instance is not null && OperationFacts.ReferencedSymbol(call.Instance) is { } instance && candidates.Contains(instance, SymbolEqualityComparer.Default))
                {
                    if (call.TargetMethod.Name is "eval" or "requires_grad_" or "train" && (call.TargetMethod.Name == "eval" || IsFalseArgument(call)))
                    {
                        frozen[instance] = true;
                    }

                    return;
                }

                // Freeze(reference), or any helper the reference is handed to: given the benefit of the doubt.
                foreach (IArgumentOperation argument in call.Arguments)
                {
                    if (OperationFacts.ReferencedSymbol(argument.Value) is { } passed && candidates.Contains(passed, SymbolEqualityComparer.Default)
                        && !OptimizerSinks.IsTorchOptimizer(call, symbols))
                    {
                        frozen[passed] = true;
                    }
                }
            },
            OperationKind.Invocation);

        typeStart.RegisterOperationAction(
            ctx =>
            {
                // foreach (var p in reference.parameters()) p.requires_grad = false;
                var loop = (IForEachLoopOperation)ctx.Operation;
                if (OperationFacts.Unwrap(loop.Collection) is IInvocationOperation { TargetMethod.Name: "parameters" or "named_parameters", Instance: { } owner }
                    && OperationFacts.ReferencedSymbol(owner) is { } instance && candidates.Contains(instance, SymbolEqualityComparer.Default))
                {
                    foreach (IOperation operation in OperationFacts.DescendantsAndSelf(loop.Body))
                    {
                        if (operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "requires_grad" } } assignment
                            && assignment.Value.ConstantValue is { HasValue: true, Value: false })
                        {
                            frozen[instance] = true;
                        }
                    }
                }
            },
            OperationKind.Loop);

        typeStart.RegisterSymbolEndAction(end =>
        {
            if (System.Threading.Volatile.Read(ref noGrad) == 1)
            {
                return;
            }

            foreach (ISymbol candidate in candidates)
            {
                if (!frozen.ContainsKey(candidate) && candidate.Locations.Length > 0 && !evidence.AnyReferenceFreeze(end.CancellationToken))
                {
                    end.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.ReferenceNotFrozen,
                        candidate.Locations[0],
                        $"Reference model '{candidate.Name}' is never frozen: call {candidate.Name}.eval() and {candidate.Name}.requires_grad_(false) (or set requires_grad = false on its parameters) so that it stays the starting policy"));
                }
            }
        });
    }

    private static bool IsFalseArgument(IInvocationOperation call)
        => call.Arguments.Length > 0 && call.Arguments[0].ArgumentKind != ArgumentKind.DefaultValue
           && call.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false };

    /// <summary>Fields and properties of a TorchSharp module type named like a reference model, not already under the attribute contract.</summary>
    private static ImmutableArray<ISymbol> ReferenceModuleMembers(INamedTypeSymbol type, TrainingSymbols symbols)
    {
        ImmutableArray<ISymbol>.Builder? builder = null;
        foreach (ISymbol member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.IsStatic || member is not (IFieldSymbol or IPropertySymbol))
            {
                continue;
            }

            if (member is IFieldSymbol { AssociatedSymbol: not null })
            {
                continue;
            }

            if (symbols.IsTorchModule(TypeOf(member)) && ReferenceNames.IsReference(member.Name) && !TrainingSymbols.HasAttribute(member, symbols.ReferenceModel))
            {
                (builder ??= ImmutableArray.CreateBuilder<ISymbol>()).Add(member);
            }
        }

        return builder?.ToImmutable() ?? ImmutableArray<ISymbol>.Empty;
    }
}
