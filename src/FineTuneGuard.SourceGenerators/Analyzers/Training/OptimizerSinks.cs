using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>Calls that hand tensors to an optimizer: ours (<c>AdamW</c>, <c>ParameterGroup.Add</c>, a trainable <c>Parameter</c>) and TorchSharp's (<c>torch.optim.*</c>, <c>new Modules.AdamW(...)</c>).</summary>
internal static class OptimizerSinks
{
    private static readonly string[] TorchOptimizers =
    {
        "Adam", "AdamW", "SGD", "RMSProp", "Adagrad", "Adamax", "NAdam", "RAdam", "ASGD", "Adadelta", "Rprop", "LBFGS",
    };

    /// <summary>A TorchSharp optimizer factory (<c>torch.optim.AdamW(...)</c>) or constructor (<c>new Modules.AdamW(...)</c>).</summary>
    public static bool IsTorchOptimizer(IOperation operation, TrainingSymbols symbols)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                return TrainingSymbols.Is(invocation.TargetMethod.ContainingType, symbols.TorchOptim) && IsOptimizerName(invocation.TargetMethod.Name);
            case IObjectCreationOperation creation when creation.Type is INamedTypeSymbol type:
                return symbols.HasTorch && type.ContainingNamespace?.ToDisplayString() == "TorchSharp.Modules" && IsOptimizerName(type.Name);
            default:
                return false;
        }
    }

    /// <summary>Describes the sink when <paramref name="operation"/> gives its arguments to an optimizer, else null.</summary>
    public static string? Describe(IOperation operation, TrainingSymbols symbols)
    {
        if (IsTorchOptimizer(operation, symbols))
        {
            return "a TorchSharp optimizer";
        }

        switch (operation)
        {
            case IInvocationOperation { TargetMethod.Name: "Add" } add when TrainingSymbols.Is(add.TargetMethod.ContainingType, symbols.ParameterGroup):
                return "an optimizer parameter group";
            case IObjectCreationOperation creation when TrainingSymbols.Is(creation.Type, symbols.AdamW):
                return "the AdamW optimizer";
            case IObjectCreationOperation creation when TrainingSymbols.Is(creation.Type, symbols.Parameter):
                IArgumentOperation? trainable = OperationFacts.Argument(creation.Arguments, "trainable");
                bool frozen = trainable is not null && trainable.Value.ConstantValue is { HasValue: true, Value: false };
                return frozen ? null : "a trainable Parameter";
            default:
                return null;
        }
    }

    private static bool IsOptimizerName(string name)
    {
        foreach (string candidate in TorchOptimizers)
        {
            if (candidate == name)
            {
                return true;
            }
        }

        return false;
    }
}
