namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>A validated <c>[BottleneckAdapter]</c> declaration: everything the emitter needs, nothing from Roslyn.</summary>
/// <remarks>
/// <c>TrainableParameterCount</c>: 2·d·b (+ b + d with biases), from <c>ParameterArithmetic.BottleneckAdapter</c>.<br/>
/// </remarks>
internal sealed record BottleneckAdapterInfo(
    TypeDeclarationInfo Type,
    int ModelDim,
    int Bottleneck,
    bool Bias,
    long TrainableParameterCount);
