using System;

namespace FineTuneGuard;

/// <summary>
/// Completes a <c>partial class</c> into a bottleneck adapter (Houlsby / Pfeiffer style):
/// <c>y = x + up(act(down(x)))</c>, down: modelDim → bottleneck, up: bottleneck → modelDim, up initialised to
/// zeros so the layer starts as the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BottleneckAdapterAttribute(int modelDim, int bottleneck) : Attribute
{
    /// <summary>Model (residual stream) width.</summary>
    public int ModelDim { get; } = modelDim;

    /// <summary>Bottleneck width.</summary>
    public int Bottleneck { get; } = bottleneck;

    /// <summary>Whether the down and up projections have biases. Default true.</summary>
    public bool Bias { get; set; } = true;
}
