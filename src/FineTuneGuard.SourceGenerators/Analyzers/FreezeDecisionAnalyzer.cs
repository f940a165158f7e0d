using System.Collections.Concurrent;
using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Analyzers.Training;
using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using FineTuneGuard.SourceGenerators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// The trainable-parameter audit. FTG0002: in a model that carries adapters, a weight member with neither
/// <c>[Frozen]</c> nor <c>[Trainable]</c>; in TorchSharp code, an optimizer over every <c>parameters()</c> of a model
/// with LoRA factors when nothing in the compilation ever sets <c>requires_grad</c> to false. FTG0003: a
/// <c>[Frozen]</c> member handed to an optimizer (group) or written by a gradient update. TorchSharp optimizers skip
/// tensors without gradients, so <c>parameters()</c> after freezing is fine and is never FTG0003.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FreezeDecisionAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.MissingFreezeDecision, DiagnosticDescriptors.FrozenMemberTrained);

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
            if (symbols.Frozen is not null)
            {
                start.RegisterSymbolAction(ctx => AnalyzeMember(ctx, symbols, models), SymbolKind.Field, SymbolKind.Property);
                // Member references are the most frequent operation there is: answer "is it [Frozen]?" once per member.
                var frozen = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
                start.RegisterOperationAction(ctx => AnalyzeFrozenReference(ctx, symbols, frozen), OperationKind.FieldReference, OperationKind.PropertyReference);
            }

            if (symbols.HasTorch)
            {
                var evidence = new TorchFreezeEvidence(start.Compilation);
                start.RegisterOperationAction(ctx => AnalyzeTorchOptimizer(ctx, symbols, models, evidence), OperationKind.Invocation, OperationKind.ObjectCreation);
            }
        });
    }

    private static void AnalyzeMember(SymbolAnalysisContext context, TrainingSymbols symbols, AdapterModels models)
    {
        ISymbol member = context.Symbol;
        if (member.IsStatic || member.IsImplicitlyDeclared || member.ContainingType is not { } type || member is IFieldSymbol { IsConst: true })
        {
            return;
        }

        ITypeSymbol? memberType = member is IFieldSymbol field ? field.Type : (member as IPropertySymbol)?.Type;
        if (memberType is null || !models.IsWeightType(memberType) || !models.CarriesAdapters(type))
        {
            return;
        }

        if (TrainingSymbols.HasAttribute(member, symbols.Frozen) || TrainingSymbols.HasAttribute(member, symbols.Trainable)
            || TrainingSymbols.HasAttribute(member, symbols.ReferenceModel)
            || AdapterModels.IsBufferName(member.Name)
            || LoraMatrixRole.Of(member, symbols.IsAdapterLayer(type)) != LoraMatrix.None)
        {
            return;
        }

        // An auto-property's backing field is reported through its property only.
        if (member is IFieldSymbol { AssociatedSymbol: not null })
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MissingFreezeDecision,
            member.Locations.Length > 0 ? member.Locations[0] : Location.None,
            $"'{member.Name}' is a weight of '{type.Name}', which carries adapters, but has no freeze decision: mark it [Frozen] (a base weight) or [Trainable]"));
    }

    private static void AnalyzeTorchOptimizer(OperationAnalysisContext context, TrainingSymbols symbols, AdapterModels models, TorchFreezeEvidence evidence)
    {
        if (!OptimizerSinks.IsTorchOptimizer(context.Operation, symbols))
        {
            return;
        }

        ImmutableArray<IArgumentOperation> arguments = context.Operation is IInvocationOperation invocation
            ? invocation.Arguments
            : ((IObjectCreationOperation)context.Operation).Arguments;
        if (arguments.Length == 0
            || OperationFacts.Unwrap(arguments[0].Value) is not IInvocationOperation { TargetMethod.Name: "parameters" or "named_parameters" } all
            || all.Instance?.Type is not INamedTypeSymbol model
            || !symbols.IsTorchModule(model)
            || !models.CarriesTorchLora(model)
            || evidence.AnyFreeze(context.CancellationToken))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MissingFreezeDecision,
            arguments[0].Syntax.GetLocation(),
            $"The optimizer gets every parameter of '{model.Name}', which carries LoRA factors, but no parameter is ever frozen (requires_grad = false or requires_grad_(false)): the base weights are trained too"));
    }

    private static void AnalyzeFrozenReference(OperationAnalysisContext context, TrainingSymbols symbols, ConcurrentDictionary<ISymbol, bool> frozen)
    {
        ISymbol? member = context.Operation switch
        {
            IFieldReferenceOperation f => f.Field,
            IPropertyReferenceOperation p => p.Property,
            _ => null,
        };
        if (member is null || !frozen.GetOrAdd(member, m => TrainingSymbols.HasAttribute(m, symbols.Frozen)))
        {
            return;
        }

        IOperation current = context.Operation;
        for (IOperation? parent = current.Parent; parent is not null; current = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IArrayElementReferenceOperation or IConversionOperation or IParenthesizedOperation or IArgumentOperation
                    or IArrayCreationOperation or IArrayInitializerOperation:
                    continue;

                case IObjectOrCollectionInitializerOperation:
                    continue;

                case ICompoundAssignmentOperation update when ReferenceEquals(update.Target, current)
                                                             && update.OperatorKind is BinaryOperatorKind.Subtract or BinaryOperatorKind.Add
                                                             && MentionsGradient(update.Value):
                    Report(context, member, "written by a gradient update");
                    return;

                case IInvocationOperation call when ReferenceEquals(call.Instance, current) && symbols.IsTensor(call.Instance?.Type)
                                                    && call.TargetMethod.Name is "sub_" or "add_" or "addcdiv_" or "addcmul_"
                                                    && MentionsAnyGradient(call):
                    Report(context, member, "written by a gradient update");
                    return;

                case IInvocationOperation or IObjectCreationOperation:
                    string? sink = OptimizerSinks.Describe(parent, symbols);
                    if (sink is not null)
                    {
                        Report(context, member, "handed to " + sink);
                        return;
                    }

                    if (parent is IObjectCreationOperation { Type: { } created } && TrainingSymbols.Is(created, symbols.Parameter))
                    {
                        // new Parameter(name, frozen, trainable: false) is the honest wrapper; keep looking for the sink it goes to.
                        continue;
                    }

                    // new List<Parameter> { frozen } → the list goes on to the optimizer: follow the initializer up.
                    if ((parent.IsImplicit && parent is IInvocationOperation { TargetMethod.Name: "Add" })
                        || (parent is IObjectCreationOperation creation && ReferenceEquals(creation.Initializer, current)))
                    {
                        continue;
                    }

                    return;

                default:
                    return;
            }
        }
    }

    private static bool MentionsAnyGradient(IInvocationOperation call)
    {
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (MentionsGradient(argument.Value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An update reads a gradient or a learning rate; a merge (<c>W += s·B·A</c>) or a load does not.</summary>
    private static bool MentionsGradient(IOperation value)
    {
        foreach (IOperation descendant in OperationFacts.DescendantsAndSelf(value))
        {
            ISymbol? symbol = descendant switch
            {
                IInvocationOperation call => call.TargetMethod,
                _ => OperationFacts.ReferencedSymbol(descendant),
            };
            if (symbol is null)
            {
                continue;
            }

            string n = OperationFacts.Normalize(symbol.Name);
            if (n.Contains("grad") || n == "lr" || n.Contains("learningrate"))
            {
                return true;
            }
        }

        return false;
    }

    private static void Report(OperationAnalysisContext context, ISymbol member, string what)
        => context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.FrozenMemberTrained,
            context.Operation.Syntax.GetLocation(),
            $"'{member.Name}' is [Frozen] but is {what}: a frozen weight must never be trained"));
}
