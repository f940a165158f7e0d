using FineTuneGuard.Attention;
using FineTuneGuard.Decoding;
using FineTuneGuard.Kernels;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Validation;

/// <summary>
/// Bad inputs of the runtime's stateful entry points (constructors, setters, options): the documented list, next to the
/// reflection-checked registry of static entry points in <see cref="PublicEntryPointValidationTests"/>. Trainers, models
/// and file formats have their own validation tests in Training/ and Serialization/.
/// </summary>
public class StatefulEntryPointValidationTests
{
    public static TheoryData<string, string, Action> Cases() => new()
    {
        { "Parameter(name)", "name", () => _ = new Parameter("", new float[1]) },
        { "Parameter(layer)", "layer", () => _ = new Parameter("p", new float[1], layer: -2) },
        { "Parameter.Gradient length", "gradient", () => _ = new Parameter("p", new float[2]).WithGradientForTest(new float[3]) },
        { "ParameterGroup(learningRate)", "learningRate", () => _ = new ParameterGroup("g", float.NaN) },
        { "ParameterGroup(weightDecay)", "weightDecay", () => _ = new ParameterGroup("g", 1e-3f, -0.1f) },
        { "ParameterGroup.LearningRate", "value", () => new ParameterGroup("g", 1e-3f).LearningRate = float.PositiveInfinity },
        { "ParameterGroup.Add(frozen)", "parameter", () => new ParameterGroup("g", 1e-3f).Add(new Parameter("w", new float[1], trainable: false)) },
        { "AdamW(groups) empty", "groups", () => _ = new AdamW(Array.Empty<ParameterGroup>()) },
        { "AdamW(beta1)", "beta1", () => _ = new AdamW(new[] { new ParameterGroup("g", 1e-3f) { new Parameter("p", new float[1]) } }, beta1: 1f) },
        { "AdamW(beta2)", "beta2", () => _ = new AdamW(new[] { new ParameterGroup("g", 1e-3f) { new Parameter("p", new float[1]) } }, beta2: -0.1f) },
        { "AdamW.LearningRateScale", "value", () => new AdamW(new[] { new ParameterGroup("g", 1e-3f) { new Parameter("p", new float[1]) } }).LearningRateScale = float.NaN },
        { "SamplingOptions.Temperature", "Temperature", () => new SamplingOptions { Temperature = -1 }.Validate() },
        { "SamplingOptions.TopK", "TopK", () => new SamplingOptions { TopK = -1 }.Validate() },
        { "SamplingOptions.TopP", "TopP", () => new SamplingOptions { TopP = 1.5f }.Validate() },
        { "Gemm.MaxDegreeOfParallelism", "value", () => Gemm.MaxDegreeOfParallelism = 0 },
        { "CausalAttention.Forward(shape)", "Heads", () => CausalAttention.Forward(new AttentionShape(1, 0, 1, 2, 4), new float[0], new float[8], new float[8], default, default, new float[0], default) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputThrowsNamingTheParameter(string entry, string parameter, Action call)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.True(
            e.ParamName == parameter || e.Message.Contains(parameter, StringComparison.Ordinal),
            $"{entry}: message does not name '{parameter}' (ParamName '{e.ParamName}'): {e.Message}");
    }
}

internal static class ParameterTestExtensions
{
    /// <summary>Sets a gradient buffer of the wrong length through the public API, if the type exposes one.</summary>
    public static Parameter WithGradientForTest(this Parameter parameter, float[] gradient)
    {
        parameter.SetGradient(gradient);
        return parameter;
    }
}
