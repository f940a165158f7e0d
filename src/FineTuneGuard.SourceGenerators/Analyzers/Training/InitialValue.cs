using FineTuneGuard.SourceGenerators.Analyzers.WellKnown;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>What a write leaves in a LoRA factor, as far as the code shows.</summary>
internal enum InitialValue
{
    /// <summary>Nothing known (loaded, copied, computed): never reported.</summary>
    Unknown,

    /// <summary>Allocated without initialisation (<c>torch.empty</c>): an init method is expected to follow.</summary>
    Uninitialized,

    /// <summary>All zeros: <c>torch.zeros</c>, <c>init.zeros_</c>, <c>zero_()</c>, a fresh <c>new float[n]</c>, <c>Array.Clear</c>.</summary>
    Zero,

    /// <summary>Random or a non-zero constant: <c>randn</c>, <c>normal_</c>, <c>kaiming_uniform_</c>, <c>Lora.InitializeA</c>, ...</summary>
    NonZero,
}

/// <summary>
/// Classifies the value a tensor or buffer expression produces, for TorchSharp factories and initialisers
/// (matched by containing type and name) and FineTuneGuard's runtime initialisers.
/// </summary>
internal static class InitialValueClassifier
{
    public static InitialValue Classify(IOperation value, TrainingSymbols symbols)
    {
        value = OperationFacts.Unwrap(value);
        switch (value)
        {
            case IArrayCreationOperation array:
                return ClassifyArray(array);

            case IObjectCreationOperation creation when symbols.IsTensor(creation.Type) && creation.Arguments.Length > 0:
                // new Parameter(tensor, requires_grad)
                return Classify(creation.Arguments[0].Value, symbols);

            case IObjectCreationOperation creation when TrainingSymbols.Is(creation.Type, symbols.Parameter):
                IArgumentOperation? data = OperationFacts.Argument(creation.Arguments, "value");
                return data is null ? InitialValue.Unknown : Classify(data.Value, symbols);

            case IInvocationOperation invocation:
                return ClassifyInvocation(invocation, symbols);

            case IBinaryOperation binary when binary.OperatorKind == BinaryOperatorKind.Multiply:
            {
                InitialValue left = Classify(binary.LeftOperand, symbols);
                InitialValue right = Classify(binary.RightOperand, symbols);
                if (left == InitialValue.Zero || right == InitialValue.Zero)
                {
                    return InitialValue.Zero;
                }

                return left == InitialValue.NonZero && right == InitialValue.NonZero ? InitialValue.NonZero : InitialValue.Unknown;
            }

            case IBinaryOperation binary when binary.OperatorKind == BinaryOperatorKind.Divide:
                return OperationFacts.ConstantNumber(binary.RightOperand) is double d && d != 0
                    ? Classify(binary.LeftOperand, symbols)
                    : InitialValue.Unknown;

            default:
                return OperationFacts.ConstantNumber(value) is double constant
                    ? (constant == 0 ? InitialValue.Zero : InitialValue.NonZero)
                    : InitialValue.Unknown;
        }
    }

    /// <summary>
    /// For an in-place initialisation (<c>init.normal_(B)</c>, <c>B.zero_()</c>, <c>Array.Clear(B)</c>,
    /// <c>Lora.InitializeA(shape, B, rng)</c>, <c>rng.FillNormal(B, ...)</c>): the expression it writes and the value it leaves.
    /// </summary>
    public static bool TryClassifyInPlace(IInvocationOperation invocation, TrainingSymbols symbols, out IOperation target, out InitialValue value)
    {
        IMethodSymbol method = invocation.TargetMethod;
        string name = method.Name;
        target = null!;
        value = InitialValue.Unknown;

        if (TrainingSymbols.Is(method.ContainingType, symbols.TorchInit) && invocation.Arguments.Length > 0)
        {
            target = invocation.Arguments[0].Value;
            value = InitKind(name, invocation);
            return value != InitialValue.Unknown;
        }

        if (invocation.Instance is not null && symbols.IsTensor(invocation.Instance.Type))
        {
            target = invocation.Instance;
            value = TensorInPlaceKind(name, invocation);
            return value != InitialValue.Unknown;
        }

        if ((TrainingSymbols.Is(method.ContainingType, symbols.Lora) && name == "InitializeA")
            || (TrainingSymbols.Is(method.ContainingType, symbols.BottleneckAdapterKernel) && name == "InitializeDown"))
        {
            // The random initialisers take (shape, destination, random): the destination is the span argument.
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == 1)
                {
                    target = StripSpan(argument.Value);
                    value = InitialValue.NonZero;
                    return true;
                }
            }

            return false;
        }

        if (TrainingSymbols.Is(method.ContainingType, symbols.SeededRandom) && name.StartsWith("Fill", System.StringComparison.Ordinal) && invocation.Arguments.Length > 0)
        {
            target = StripSpan(invocation.Arguments[0].Value);
            value = InitialValue.NonZero;
            return true;
        }

        if (method.ContainingType?.SpecialType == SpecialType.System_Array && invocation.Arguments.Length > 0)
        {
            target = invocation.Arguments[0].Value;
            value = name switch
            {
                "Clear" => InitialValue.Zero,
                "Fill" when invocation.Arguments.Length > 1 => ConstantKind(invocation.Arguments[1].Value),
                _ => InitialValue.Unknown,
            };
            return value != InitialValue.Unknown;
        }

        if (invocation.Instance is not null && IsFloatSpan(invocation.Instance.Type))
        {
            target = StripSpan(invocation.Instance);
            value = name switch
            {
                "Clear" => InitialValue.Zero,
                "Fill" when invocation.Arguments.Length > 0 => ConstantKind(invocation.Arguments[0].Value),
                _ => InitialValue.Unknown,
            };
            return value != InitialValue.Unknown;
        }

        return false;
    }

    /// <summary>An element-wise write <c>B[i] = rng.NextSingle()</c>: non-zero when the value comes from a random source.</summary>
    public static InitialValue ClassifyElementValue(IOperation value, TrainingSymbols symbols)
    {
        if (OperationFacts.ConstantNumber(value) is double constant)
        {
            return constant == 0 ? InitialValue.Zero : InitialValue.NonZero;
        }

        foreach (IOperation descendant in OperationFacts.DescendantsAndSelf(value))
        {
            if (descendant is IInvocationOperation call
                && (TrainingSymbols.Is(call.TargetMethod.ContainingType, symbols.SeededRandom)
                    || call.TargetMethod.ContainingType?.ToDisplayString() == "System.Random"))
            {
                return InitialValue.NonZero;
            }
        }

        return InitialValue.Unknown;
    }

    /// <summary><c>B.AsSpan()</c>, <c>B.AsSpan(0, n)</c>, <c>new Span&lt;float&gt;(B)</c> → <c>B</c>.</summary>
    public static IOperation StripSpan(IOperation operation)
    {
        operation = OperationFacts.Unwrap(operation);
        if (operation is IInvocationOperation { TargetMethod.Name: "AsSpan" or "AsMemory" } asSpan)
        {
            IOperation? source = asSpan.Instance ?? (asSpan.Arguments.Length > 0 ? asSpan.Arguments[0].Value : null);
            return source is null ? operation : OperationFacts.Unwrap(source);
        }

        if (operation is IPropertyReferenceOperation { Property.Name: "Span" } span && span.Instance is not null)
        {
            return StripSpan(span.Instance);
        }

        return operation;
    }

    private static InitialValue ClassifyInvocation(IInvocationOperation invocation, TrainingSymbols symbols)
    {
        IMethodSymbol method = invocation.TargetMethod;
        string name = method.Name;

        if (TrainingSymbols.Is(method.ContainingType, symbols.Torch))
        {
            switch (name)
            {
                case "zeros" or "zeros_like":
                    return InitialValue.Zero;
                case "empty" or "empty_like" or "empty_strided":
                    return InitialValue.Uninitialized;
                case "randn" or "rand" or "randn_like" or "rand_like" or "randint" or "normal" or "ones" or "ones_like" or "eye" or "arange" or "linspace" or "bernoulli":
                    return InitialValue.NonZero;
                case "full" or "full_like":
                    IArgumentOperation? fill = OperationFacts.Argument(invocation.Arguments, "value");
                    return fill is null ? InitialValue.Unknown : ConstantKind(fill.Value);
                default:
                    return InitialValue.Unknown;
            }
        }

        if (TrainingSymbols.Is(method.ContainingType, symbols.TorchNn) && name == "Parameter" && invocation.Arguments.Length > 0)
        {
            return Classify(invocation.Arguments[0].Value, symbols);
        }

        if (TrainingSymbols.Is(method.ContainingType, symbols.TorchInit))
        {
            return InitKind(name, invocation);
        }

        if (invocation.Instance is not null && symbols.IsTensor(invocation.Instance.Type))
        {
            InitialValue inPlace = TensorInPlaceKind(name, invocation);
            if (inPlace != InitialValue.Unknown)
            {
                return inPlace;
            }

            switch (name)
            {
                case "mul" or "mul_" or "multiply" or "div" or "div_":
                    if (invocation.Arguments.Length > 0 && OperationFacts.ConstantNumber(invocation.Arguments[0].Value) is double factor)
                    {
                        return factor == 0 && name.StartsWith("mul", System.StringComparison.Ordinal) ? InitialValue.Zero : Classify(invocation.Instance, symbols);
                    }

                    return InitialValue.Unknown;
                case "to" or "cuda" or "cpu" or "requires_grad_" or "contiguous" or "detach" or "detach_" or "clone" or "float" or "half" or "bfloat16"
                    or "type" or "view" or "reshape" or "t" or "transpose" or "T" or "to_type" or "with_requires_grad":
                    return Classify(invocation.Instance, symbols);
                default:
                    return InitialValue.Unknown;
            }
        }

        return InitialValue.Unknown;
    }

    private static InitialValue InitKind(string name, IInvocationOperation invocation) => name switch
    {
        "zeros_" => InitialValue.Zero,
        "constant_" when invocation.Arguments.Length > 1 => ConstantKind(invocation.Arguments[1].Value),
        "ones_" or "eye_" or "normal_" or "uniform_" or "kaiming_uniform_" or "kaiming_normal_" or "xavier_uniform_" or "xavier_normal_"
            or "trunc_normal_" or "orthogonal_" or "sparse_" or "dirac_" => InitialValue.NonZero,
        _ => InitialValue.Unknown,
    };

    private static InitialValue TensorInPlaceKind(string name, IInvocationOperation invocation) => name switch
    {
        "zero_" => InitialValue.Zero,
        "fill_" when invocation.Arguments.Length > 0 => ConstantKind(invocation.Arguments[0].Value),
        "normal_" or "uniform_" or "random_" or "bernoulli_" or "exponential_" or "cauchy_" or "log_normal_" or "geometric_" => InitialValue.NonZero,
        _ => InitialValue.Unknown,
    };

    private static InitialValue ConstantKind(IOperation value)
        => OperationFacts.ConstantNumber(value) is double constant
            ? (constant == 0 ? InitialValue.Zero : InitialValue.NonZero)
            : InitialValue.Unknown;

    private static InitialValue ClassifyArray(IArrayCreationOperation array)
    {
        if (array.Initializer is null)
        {
            // new float[n]: the runtime zero-fills a fresh allocation.
            return InitialValue.Zero;
        }

        bool allZero = true;
        foreach (IOperation element in array.Initializer.ElementValues)
        {
            double? constant = OperationFacts.ConstantNumber(element);
            if (constant is null)
            {
                return InitialValue.Unknown;
            }

            allZero &= constant.Value == 0;
        }

        return allZero ? InitialValue.Zero : InitialValue.NonZero;
    }

    private static bool IsFloatSpan(ITypeSymbol? type)
        => type is INamedTypeSymbol { IsGenericType: true } named
           && named.Name is "Span" or "Memory"
           && named.ContainingNamespace?.ToDisplayString() == "System";
}
