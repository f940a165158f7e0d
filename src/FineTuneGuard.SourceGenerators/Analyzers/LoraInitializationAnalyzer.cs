using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Analyzers.Training;
using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using FineTuneGuard.SourceGenerators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers;

/// <summary>
/// FTG0004 (LoRA B initialised non-zero while A is non-zero) and FTG0005 (A and B both zero). Every write to a LoRA
/// factor inside one type — field initialisers, constructors, <c>reset_parameters</c>-style init methods, later
/// re-initialisations — is classified (zero, non-zero, uninitialised, unknown); the verdict is given when the type has
/// been seen whole, because the allocation (<c>torch.empty</c>) and the initialisation (<c>init.zeros_</c>) usually
/// live in different methods. Only the product B·A matters: embedding LoRA (A = 0, B random) is fine.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LoraInitializationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LoraBNotZero, DiagnosticDescriptors.LoraBothZero);

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

            start.RegisterSymbolStartAction(typeStart => AnalyzeType(typeStart, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolStartAnalysisContext typeStart, TrainingSymbols symbols)
    {
        var writes = new ConcurrentBag<FactorWrite>();

        typeStart.RegisterOperationAction(
            ctx =>
            {
                // A nested type is analyzed on its own: its writes must not be judged twice.
                if (!SymbolEqualityComparer.Default.Equals(OwnerType(ctx.ContainingSymbol), typeStart.Symbol))
                {
                    return;
                }

                switch (ctx.Operation)
                {
                    case ISimpleAssignmentOperation assignment:
                        RecordAssignment(assignment.Target, assignment.Value, assignment, symbols, writes);
                        break;
                    case IFieldInitializerOperation initializer:
                        foreach (IFieldSymbol field in initializer.InitializedFields)
                        {
                            Record(field, InitialValueClassifier.Classify(initializer.Value, symbols), initializer.Value, symbols, writes);
                        }

                        break;
                    case IPropertyInitializerOperation initializer:
                        foreach (IPropertySymbol property in initializer.InitializedProperties)
                        {
                            Record(property, InitialValueClassifier.Classify(initializer.Value, symbols), initializer.Value, symbols, writes);
                        }

                        break;
                    case IInvocationOperation invocation
                        when InitialValueClassifier.TryClassifyInPlace(invocation, symbols, out IOperation target, out InitialValue value):
                        ISymbol? member = OperationFacts.ReferencedSymbol(target);
                        if (member is not null)
                        {
                            Record(member, value, invocation, symbols, writes);
                        }

                        break;
                }
            },
            OperationKind.SimpleAssignment,
            OperationKind.FieldInitializer,
            OperationKind.PropertyInitializer,
            OperationKind.Invocation);

        typeStart.RegisterSymbolEndAction(end => Report(end, writes, symbols));
    }

    private static void RecordAssignment(IOperation target, IOperation value, IOperation write, TrainingSymbols symbols, ConcurrentBag<FactorWrite> writes)
    {
        target = OperationFacts.Unwrap(target);
        if (target is IArrayElementReferenceOperation element)
        {
            // B[i] = rng.NextSingle() inside a fill loop.
            ISymbol? array = OperationFacts.ReferencedSymbol(element.ArrayReference);
            if (array is not null && LoraMatrixRole.Of(array, IsLoraLayer(array.ContainingType, symbols)) != LoraMatrix.None)
            {
                Record(array, InitialValueClassifier.ClassifyElementValue(value, symbols), write, symbols, writes);
            }

            return;
        }

        // Name first: classifying every assignment's value in the compilation would be wasted work.
        ISymbol? member = OperationFacts.ReferencedSymbol(target);
        if (member is not null && LoraMatrixRole.Of(member, IsLoraLayer(member.ContainingType, symbols)) != LoraMatrix.None)
        {
            Record(member, InitialValueClassifier.Classify(value, symbols), value, symbols, writes);
        }
    }

    private static void Record(ISymbol member, InitialValue value, IOperation at, TrainingSymbols symbols, ConcurrentBag<FactorWrite> writes)
    {
        LoraMatrix role = LoraMatrixRole.Of(member, IsLoraLayer(member.ContainingType, symbols));
        if (role != LoraMatrix.None)
        {
            writes.Add(new FactorWrite(member, role, value, at.Syntax.GetLocation()));
        }
    }

    private static INamedTypeSymbol? OwnerType(ISymbol? symbol)
    {
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current is INamedTypeSymbol type)
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>A generated LoRA layer, or the runtime base class that declares its A and B.</summary>
    private static bool IsLoraLayer(INamedTypeSymbol? type, TrainingSymbols symbols)
        => type is not null && (TrainingSymbols.HasAttribute(type, symbols.LoraLayer) || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, symbols.LoraLayerBase));

    private static void Report(SymbolAnalysisContext end, ConcurrentBag<FactorWrite> writes, TrainingSymbols symbols)
    {
        if (writes.IsEmpty)
        {
            return;
        }

        var byMember = new Dictionary<ISymbol, FactorState>(SymbolEqualityComparer.Default);
        foreach (FactorWrite write in writes)
        {
            if (!byMember.TryGetValue(write.Member, out FactorState? state))
            {
                state = new FactorState();
                byMember.Add(write.Member, state);
            }

            state.Add(write);
        }

        foreach (KeyValuePair<ISymbol, FactorState> entry in byMember)
        {
            ISymbol member = entry.Key;
            FactorState state = entry.Value;
            if (state.Role != LoraMatrix.B)
            {
                continue;
            }

            ISymbol? counterpart = LoraMatrixRole.Counterpart(member, LoraMatrix.B);
            FactorState? a = counterpart is not null && byMember.TryGetValue(counterpart, out FactorState? found) ? found : null;
            bool generatedLayer = IsLoraLayer(member.ContainingType, symbols);

            // A is non-zero when the type writes random values into it, or when it is a generated [LoraLayer] A
            // (random by construction) that this type never zeroes.
            bool aNonZero = a is not null ? a.HasNonZero : generatedLayer && counterpart is not null;
            if (state.HasNonZero && aNonZero)
            {
                foreach (FactorWrite write in state.NonZeroWrites)
                {
                    end.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.LoraBNotZero,
                        write.Location,
                        $"LoRA B '{member.Name}' is initialised with non-zero values while A '{counterpart!.Name}' is random: B·A ≠ 0 at step 0, so the tuned model no longer starts equal to the base model; initialise B with zeros"));
                }
            }
        }

        // Both zero: A written only with zeros while B is zero too — written only with zeros, or a generated
        // [LoraLayer] B (zeros by construction) that this type never writes.
        foreach (KeyValuePair<ISymbol, FactorState> entry in byMember)
        {
            FactorState a = entry.Value;
            if (a.Role != LoraMatrix.A || !a.IsOnlyZero)
            {
                continue;
            }

            ISymbol? b = LoraMatrixRole.Counterpart(entry.Key, LoraMatrix.A);
            if (b is null)
            {
                continue;
            }

            bool bZero = byMember.TryGetValue(b, out FactorState? bState) ? bState.IsOnlyZero : IsLoraLayer(b.ContainingType, symbols);
            if (bZero)
            {
                end.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.LoraBothZero,
                    a.FirstZero!,
                    $"LoRA A '{entry.Key.Name}' and B '{b.Name}' are both zero: dL/dA = s·Bᵀ·dyᵀ·x and dL/dB = s·dyᵀ·(x·Aᵀ) stay zero, so no gradient ever flows; initialise A randomly (Kaiming-uniform)"));
            }
        }
    }

    private sealed class FactorWrite
    {
        public FactorWrite(ISymbol member, LoraMatrix role, InitialValue value, Location location)
        {
            Member = member;
            Role = role;
            Value = value;
            Location = location;
        }

        public ISymbol Member { get; }
        public LoraMatrix Role { get; }
        public InitialValue Value { get; }
        public Location Location { get; }
    }

    /// <summary>Everything one type writes into one factor.</summary>
    private sealed class FactorState
    {
        private readonly List<FactorWrite> _nonZero = new();

        public LoraMatrix Role { get; private set; }
        public bool HasNonZero => _nonZero.Count > 0;
        public bool HasZero => FirstZero is not null;
        public bool HasUnknown { get; private set; }
        public Location? FirstZero { get; private set; }
        public IEnumerable<FactorWrite> NonZeroWrites => _nonZero;

        /// <summary>Zero writes only (an uninitialised allocation before them is fine).</summary>
        public bool IsOnlyZero => HasZero && !HasNonZero && !HasUnknown;

        public void Add(FactorWrite write)
        {
            Role = write.Role;
            switch (write.Value)
            {
                case InitialValue.NonZero:
                    _nonZero.Add(write);
                    break;
                case InitialValue.Zero:
                    if (FirstZero is null || write.Location.SourceSpan.Start < FirstZero.SourceSpan.Start)
                    {
                        FirstZero = write.Location;
                    }

                    break;
                case InitialValue.Unknown:
                    HasUnknown = true;
                    break;
            }
        }
    }
}
