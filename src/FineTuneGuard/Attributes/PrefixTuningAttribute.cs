using System;

namespace FineTuneGuard;

/// <summary>
/// Completes a <c>partial class</c> into prefix tuning: per layer and head, <paramref name="prefixLength"/> learned
/// key and value vectors of width <paramref name="headDim"/> that every query attends to.
/// Trainable parameters: <c>layers·prefixLength·heads·headDim·2</c> (without reparameterisation).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PrefixTuningAttribute(int layers, int prefixLength, int heads, int headDim) : Attribute
{
    /// <summary>Number of transformer layers that receive a prefix.</summary>
    public int Layers { get; } = layers;

    /// <summary>Number of prefix slots per layer and head.</summary>
    public int PrefixLength { get; } = prefixLength;

    /// <summary>Key/value heads per layer: the attention heads, or the kv-head count on a grouped-query model (prefixes are stored per kv head, <c>[layers x 2 x heads x prefixLength x headDim]</c>).</summary>
    public int Heads { get; } = heads;

    /// <summary>Width of one head.</summary>
    public int HeadDim { get; } = headDim;

    /// <summary>Hidden width of the reparameterisation MLP (embedding → hidden → tanh → layers·2·heads·headDim); 0 = none.</summary>
    public int ProjectionHidden { get; set; }
}
