using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>
/// Is the method that computes a token loss a supervised fine-tuning step? Pre-training and continued pre-training
/// legitimately average over every position (the labels are the input ids), so FTG0001 speaks only when the code
/// says SFT: by name (<c>SftStep</c>, <c>FineTune</c>, <c>Instruct</c>, <c>Lora</c>, ...), by touching adapters or
/// <c>SftLabels</c>, or by having a prompt (a prompt/response split only exists in SFT data).
/// </summary>
internal static class SftContext
{
    private static readonly string[] SftWords = { "sft", "finetun", "instruct", "chat", "supervised", "lora", "peft", "adapter", "answer", "response", "assistant" };
    private static readonly string[] PretrainWords = { "pretrain", "continuedtrain", "causallm", "languagemodeling", "perplexity", "domainadapt", "unsupervised" };

    public static bool Is(ISymbol containingSymbol, IOperation root, TrainingSymbols symbols, AdapterModels models)
    {
        string methodName = containingSymbol.Name;
        string type = containingSymbol.ContainingType?.Name ?? string.Empty;
        if (HasAny(methodName, PretrainWords) || HasAny(type, PretrainWords))
        {
            return false;
        }

        if (HasAny(methodName, SftWords) || HasAny(type, SftWords))
        {
            return true;
        }

        if (containingSymbol is IMethodSymbol method && HasPromptParameter(method))
        {
            return true;
        }

        foreach (IOperation operation in OperationFacts.DescendantsAndSelf(root))
        {
            ISymbol? symbol = operation switch
            {
                IInvocationOperation call => call.TargetMethod.ContainingType,
                _ => OperationFacts.ReferencedSymbol(operation),
            };
            if (symbol is null)
            {
                continue;
            }

            if (symbol is INamedTypeSymbol named ? TrainingSymbols.Is(named, symbols.SftLabels) : OperationFacts.NameContains(symbol.Name, "prompt"))
            {
                return true;
            }

            if (operation.Type is INamedTypeSymbol valueType && operation is not IInvocationOperation
                && (models.CarriesAdapters(valueType) || (symbols.IsTorchModule(valueType) && models.CarriesTorchLora(valueType))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The method or its type says pre-training (<c>Pretrain</c>, <c>ContinuedTraining</c>, <c>DomainAdaptation</c>, ...):
    /// a full-sequence objective is the point there, so an explicit <c>LossScope.FullSequence</c> is not an SFT opt-out.
    /// </summary>
    public static bool IsPretraining(ISymbol containingSymbol)
    {
        for (ISymbol? symbol = containingSymbol; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (HasAny(symbol.Name, PretrainWords))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasPromptParameter(IMethodSymbol method)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (OperationFacts.NameContains(parameter.Name, "prompt"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasAny(string name, string[] words)
    {
        string n = OperationFacts.Normalize(name);
        foreach (string word in words)
        {
            if (n.Contains(word))
            {
                return true;
            }
        }

        return false;
    }
}
