using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using FineTuneGuard.SourceGenerators.Diagnostics;
using FineTuneGuard.SourceGenerators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0105: one <c>FineTuneGuard.ParameterGroup</c> that receives both adapter parameters and base weights, where
/// visible in one method: <c>Add</c> calls (or a collection initializer) on the same group whose parameters wrap a
/// member of a generated layer class (adapter) and a <c>[Trainable]</c> / <c>[Shape]</c> member of another class
/// (base weight). Parameters are followed through locals that are never reassigned.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OptimizerGroupAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.AdaptersAndBaseInOneGroup);

    private enum Role
    {
        Unknown,
        Adapter,
        Base,
    }

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            LayerSymbols symbols = LayerSymbols.Create(start.Compilation);
            if (!symbols.IsReferenced || symbols.ParameterGroup is null || symbols.Parameter is null)
            {
                return;
            }

            start.RegisterOperationBlockStartAction(block =>
            {
                var groups = new ConcurrentDictionary<object, GroupState>();
                block.RegisterOperationAction(ctx => CollectAdd(ctx, symbols, groups), OperationKind.Invocation);
                block.RegisterOperationBlockEndAction(end =>
                {
                    foreach (GroupState group in groups.Values)
                    {
                        if (group.Adapter is { } adapter && group.Base is { } weight)
                        {
                            end.ReportDiagnostic(Diagnostic.Create(
                                DiagnosticDescriptors.AdaptersAndBaseInOneGroup,
                                group.Location,
                                $"ParameterGroup {group.Name} trains the adapter parameter {adapter} and the base weight {weight} with one learning rate; give adapters their own group (usually a 10-100x higher learning rate than base weights)"));
                        }
                    }
                });
            });
        });
    }

    private static void CollectAdd(OperationAnalysisContext context, LayerSymbols symbols, ConcurrentDictionary<object, GroupState> groups)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "Add" || invocation.Arguments.Length != 1
            || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, symbols.ParameterGroup))
        {
            return;
        }

        (object Key, string Name, Location Location)? group = GroupOf(invocation);
        if (group is not { } g)
        {
            return;
        }

        var (role, description) = Classify(invocation.Arguments[0].Value, symbols, context.CancellationToken);
        if (role == Role.Unknown)
        {
            return;
        }

        GroupState state = groups.GetOrAdd(g.Key, _ => new GroupState(g.Name, g.Location));
        lock (state)
        {
            if (role == Role.Adapter)
            {
                state.Adapter ??= description;
            }
            else
            {
                state.Base ??= description;
            }
        }
    }

    /// <summary>The identity of the group an <c>Add</c> goes to: the object creation (collection initializer), or the local / field / property it is called on.</summary>
    private static (object Key, string Name, Location Location)? GroupOf(IInvocationOperation invocation)
    {
        switch (invocation.Instance)
        {
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                for (IOperation? parent = invocation.Parent; parent is not null; parent = parent.Parent)
                {
                    if (parent is IObjectCreationOperation creation)
                    {
                        return (creation, Describe(creation), creation.Syntax.GetLocation());
                    }
                }

                return null;
            case ILocalReferenceOperation local:
                return (local.Local, "'" + local.Local.Name + "'", LocationOfDeclaration(local.Local) ?? invocation.Syntax.GetLocation());
            case IFieldReferenceOperation field:
                return (field.Field, "'" + field.Field.Name + "'", invocation.Syntax.GetLocation());
            case IPropertyReferenceOperation property:
                return (property.Property, "'" + property.Property.Name + "'", invocation.Syntax.GetLocation());
            default:
                return null;
        }
    }

    private static string Describe(IObjectCreationOperation creation)
        => creation.Arguments.Length > 0 && creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string name }
            ? "\"" + name + "\""
            : "(created here)";

    private static Location? LocationOfDeclaration(ILocalSymbol local)
        => local.Locations.Length > 0 ? local.Locations[0] : null;

    /// <summary>Adapter when the parameter wraps a member of a generated layer class; base for a [Trainable] / [Shape] member elsewhere.</summary>
    private static (Role Role, string Description) Classify(IOperation value, LayerSymbols symbols, CancellationToken cancellationToken)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is ILocalReferenceOperation local && LocalInitializer.Find(local, cancellationToken) is { } initializer)
        {
            value = initializer;
            while (value is IConversionOperation c)
            {
                value = c.Operand;
            }
        }

        if (value is not IObjectCreationOperation creation || !SymbolEqualityComparer.Default.Equals(creation.Type, symbols.Parameter))
        {
            return (Role.Unknown, "");
        }

        foreach (IArgumentOperation argument in creation.Arguments)
        {
            if (argument.Parameter?.Name == "trainable" && argument.Value.ConstantValue is { HasValue: true, Value: false })
            {
                return (Role.Unknown, "");
            }
        }

        foreach (IArgumentOperation argument in creation.Arguments)
        {
            if (argument.Parameter?.Name != "value")
            {
                continue;
            }

            IOperation array = argument.Value;
            while (array is IConversionOperation c)
            {
                array = c.Operand;
            }

            ISymbol? member = array switch
            {
                IFieldReferenceOperation f => f.Field,
                IPropertyReferenceOperation p => p.Property,
                _ => null,
            };
            if (member is null)
            {
                return (Role.Unknown, "");
            }

            // Storage inherited from a runtime layer base class is named after the layer it is read from (QLora.B).
            ITypeSymbol owner = (array as IMemberReferenceOperation)?.Instance?.Type ?? member.ContainingType;
            string name = owner.Name + "." + member.Name;
            if (symbols.IsLayerStorage(member.ContainingType))
            {
                return (Role.Adapter, name);
            }

            if (LayerSymbols.Find(member, symbols.Frozen) is null
                && (LayerSymbols.Find(member, symbols.Trainable) is not null || LayerSymbols.Find(member, symbols.Shape) is not null))
            {
                return (Role.Base, name);
            }
        }

        return (Role.Unknown, "");
    }

    private sealed class GroupState
    {
        public GroupState(string name, Location location)
        {
            Name = name;
            Location = location;
        }

        public string Name { get; }

        public Location Location { get; }

        public string? Adapter { get; set; }

        public string? Base { get; set; }
    }
}
