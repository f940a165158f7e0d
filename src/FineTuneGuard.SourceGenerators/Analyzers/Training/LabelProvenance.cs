using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>How the labels handed to a cross-entropy were built, as far as the method shows.</summary>
internal enum LabelSource
{
    /// <summary>Prepared elsewhere, masked for the prompt, or handed to a helper: trusted.</summary>
    Unknown,

    /// <summary>The raw input ids (possibly copied, shifted or moved), with no -100 written anywhere.</summary>
    RawInputIds,

    /// <summary>The input ids with -100 written only where the padding (or attention mask) is.</summary>
    PaddingMaskedOnly,
}

/// <summary>
/// FTG0001's data flow. TorchSharp's <c>cross_entropy</c> and our <c>CrossEntropy.Loss</c> skip label -100 by
/// default, so the call itself proves nothing: what matters is whether the labels are the input ids and whether the
/// prompt positions were ever set to -100. Follows the labels back through locals assigned once and through
/// copies (<c>clone</c>, <c>ToArray</c>, <c>AsSpan</c>, shifts, <c>to(device)</c>), collecting every -100 write and
/// the condition that guards it; a guard that only speaks of padding (<c>pad</c>, <c>attention_mask</c>) is not
/// prompt masking. Anything it cannot see through (a helper that receives the labels, a second assignment) is trusted.
/// </summary>
internal static class LabelProvenance
{
    private static readonly string[] PromptWords = { "prompt", "answer", "response", "completion", "assistant", "instruction", "question", "query", "user", "source", "context", "start", "offset" };
    private static readonly string[] PaddingWords = { "pad", "attention" };
    private const int IgnoreIndex = -100;

    public static LabelSource Of(IOperation labels, IOperation root, IOperation lossCall)
    {
        var labelLocals = new List<ILocalSymbol>();
        var guards = new List<IOperation?>();
        IOperation current = OperationFacts.Unwrap(labels);
        for (int hop = 0; hop < 12; hop++)
        {
            switch (current)
            {
                case ILocalReferenceOperation local:
                    labelLocals.Add(local.Local);
                    IOperation? value = LocalDataFlow.SingleValue(local.Local, root);
                    if (value is null)
                    {
                        return LabelSource.Unknown;
                    }

                    current = OperationFacts.Unwrap(value);
                    continue;

                case IInvocationOperation call when IsMaskingCall(call, out IOperation? guard):
                    guards.Add(guard);
                    current = OperationFacts.Unwrap(call.Instance!);
                    continue;

                case IInvocationOperation call when IsCopy(call.TargetMethod.Name) && (call.Instance ?? FirstArgument(call)) is { } source:
                    current = OperationFacts.Unwrap(source);
                    continue;

                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } sliced }:
                    current = OperationFacts.Unwrap(sliced);
                    continue;

                case IRangeOperation:
                    return LabelSource.Unknown;

                // var labels = new int[n]; inputIds.CopyTo(labels, 0);  (or Array.Copy(inputIds, labels, n))
                case IArrayCreationOperation { Initializer: null } when labelLocals.Count > 0:
                    IInvocationOperation? copy = CopyFromInputIds(labelLocals[labelLocals.Count - 1], root);
                    return copy is null ? LabelSource.Unknown : Judge(labelLocals, guards, root, lossCall, copy);

                default:
                    ISymbol? symbol = OperationFacts.ReferencedSymbol(current);
                    if (symbol is null || !IsInputIdsName(symbol.Name))
                    {
                        return LabelSource.Unknown;
                    }

                    return Judge(labelLocals, guards, root, lossCall, copy: null);
            }
        }

        return LabelSource.Unknown;
    }

    private static LabelSource Judge(List<ILocalSymbol> labelLocals, List<IOperation?> guards, IOperation root, IOperation lossCall, IOperation? copy)
    {
        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            if (LocalDataFlow.IsInside(operation, lossCall) || (copy is not null && LocalDataFlow.IsInside(operation, copy)))
            {
                continue;
            }

            switch (operation)
            {
                // labels[i] = -100; labels[..promptLength] = -100
                case ISimpleAssignmentOperation assignment when IsIgnoreIndex(assignment.Value) && WritesInto(assignment.Target, labelLocals):
                    guards.Add(GuardOf(assignment));
                    break;

                // labels.masked_fill_(mask, -100), labels.index_put_(-100, ...)
                case IInvocationOperation call when call.Instance is not null && IsLabelLocal(call.Instance, labelLocals):
                    if (IsMaskingCall(call, out IOperation? guard))
                    {
                        guards.Add(guard);
                    }

                    break;

                // SftLabels.AnswerOnly(ids, promptLength, labels), MaskPrompt(labels, n): a helper may mask; trust it.
                case IArgumentOperation argument when IsLabelLocal(InitialValueClassifier.StripSpan(argument.Value), labelLocals)
                                                      && !IsInputIdsName(((ILocalReferenceOperation)OperationFacts.Unwrap(InitialValueClassifier.StripSpan(argument.Value))).Local.Name)
                                                      && argument.Parent is IInvocationOperation or IObjectCreationOperation:
                    return LabelSource.Unknown;
            }
        }

        if (guards.Count == 0)
        {
            return LabelSource.RawInputIds;
        }

        foreach (IOperation? guard in guards)
        {
            if (!IsPaddingOnly(guard, root))
            {
                return LabelSource.Unknown;
            }
        }

        return LabelSource.PaddingMaskedOnly;
    }

    private static IInvocationOperation? CopyFromInputIds(ILocalSymbol labels, IOperation root)
    {
        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            if (operation is not IInvocationOperation call)
            {
                continue;
            }

            IOperation? source = null;
            IOperation? destination = null;
            if (call.TargetMethod.Name == "CopyTo" && call.Arguments.Length > 0)
            {
                source = call.Instance ?? call.Arguments[0].Value;
                destination = call.Instance is null ? (call.Arguments.Length > 1 ? call.Arguments[1].Value : null) : call.Arguments[0].Value;
            }
            else if (call.TargetMethod.Name == "Copy" && call.TargetMethod.ContainingType?.SpecialType == SpecialType.System_Array && call.Arguments.Length >= 2)
            {
                source = call.Arguments[0].Value;
                destination = call.Arguments[1].Value;
            }

            if (source is not null && destination is not null
                && OperationFacts.ReferencedSymbol(InitialValueClassifier.StripSpan(destination)) is ILocalSymbol target && SymbolEqualityComparer.Default.Equals(target, labels)
                && OperationFacts.ReferencedSymbol(InitialValueClassifier.StripSpan(source)) is { } from && IsInputIdsName(from.Name))
            {
                return call;
            }
        }

        return null;
    }

    private static bool IsMaskingCall(IInvocationOperation call, out IOperation? guard)
    {
        guard = null;
        if (call.Instance is null)
        {
            return false;
        }

        switch (call.TargetMethod.Name)
        {
            case "masked_fill" or "masked_fill_" when call.Arguments.Length >= 2 && IsIgnoreIndex(call.Arguments[1].Value):
                guard = call.Arguments[0].Value;
                return true;
            case "index_put_" when call.Arguments.Length >= 1 && IsIgnoreIndex(call.Arguments[0].Value):
                guard = call.Arguments.Length > 1 ? call.Arguments[1] : null;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The condition under which a -100 write happens: the enclosing <c>if</c> and loop conditions, or the index expression.</summary>
    private static IOperation? GuardOf(ISimpleAssignmentOperation assignment)
    {
        for (IOperation? parent = assignment.Parent; parent is not null; parent = parent.Parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional:
                    return conditional.Condition;
                case IForLoopOperation forLoop when forLoop.Condition is not null:
                    return forLoop.Condition;
                case IWhileLoopOperation whileLoop when whileLoop.Condition is not null:
                    return whileLoop.Condition;
                case IForEachLoopOperation forEach:
                    return forEach.Collection;
                case IMethodBodyOperation or IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return OperationFacts.Unwrap(assignment.Target);
            }
        }

        return OperationFacts.Unwrap(assignment.Target);
    }

    private static bool IsPaddingOnly(IOperation? guard, IOperation root)
    {
        if (guard is null)
        {
            return false;
        }

        bool padding = false;
        foreach (string name in NamesIn(guard, root))
        {
            string n = OperationFacts.Normalize(name);
            foreach (string word in PromptWords)
            {
                if (n.Contains(word))
                {
                    return false;
                }
            }

            foreach (string word in PaddingWords)
            {
                padding |= n.Contains(word);
            }
        }

        return padding;
    }

    /// <summary>Names of the symbols and methods a guard reads, following locals assigned once (<c>var padMask = ids.eq(padId)</c>).</summary>
    private static IEnumerable<string> NamesIn(IOperation guard, IOperation root, int depth = 0)
    {
        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(guard))
        {
            if (operation is IInvocationOperation call)
            {
                yield return call.TargetMethod.Name;
                continue;
            }

            ISymbol? symbol = OperationFacts.ReferencedSymbol(operation);
            if (symbol is null)
            {
                continue;
            }

            yield return symbol.Name;
            if (symbol is ILocalSymbol local && depth < 3 && LocalDataFlow.SingleValue(local, root) is { } value)
            {
                foreach (string inner in NamesIn(value, root, depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool WritesInto(IOperation target, List<ILocalSymbol> labelLocals) => OperationFacts.Unwrap(target) switch
    {
        IArrayElementReferenceOperation element => IsLabelLocal(element.ArrayReference, labelLocals),
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => IsLabelLocal(InitialValueClassifier.StripSpan(instance), labelLocals),
        _ => false,
    };

    private static bool IsLabelLocal(IOperation operation, List<ILocalSymbol> labelLocals)
        => OperationFacts.Unwrap(operation) is ILocalReferenceOperation reference && labelLocals.Contains(reference.Local);

    private static bool IsIgnoreIndex(IOperation value)
        => OperationFacts.ConstantNumber(value) is double d && d == IgnoreIndex;

    private static IOperation? FirstArgument(IInvocationOperation call) => call.Arguments.Length > 0 ? call.Arguments[0].Value : null;

    private static bool IsCopy(string name) => name is "clone" or "Clone" or "ToArray" or "AsSpan" or "AsMemory" or "to" or "cuda" or "cpu" or "detach" or "contiguous"
        or "view" or "reshape" or "slice" or "narrow" or "flatten" or "long" or "to_type" or "Slice" or "CopyOf";

    /// <summary><c>input_ids</c>, <c>inputIds</c>, <c>ids</c>, <c>tokens</c>, <c>tokenIds</c>, <c>batch.InputIds</c>.</summary>
    private static bool IsInputIdsName(string name)
    {
        string n = OperationFacts.Normalize(name);
        return n.Contains("inputid") || n is "ids" or "tokens" or "tokenids" or "input" or "inputs" or "sequence" or "tokenized";
    }
}
