using System;
using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard;

/// <summary>
/// The base class of every <see cref="PrefixTuningAttribute"/> layer: the
/// key/value prefix <see cref="KeyValues"/> in the <see cref="LayerPrefixes"/> layout <c>[Layers x 2 x Heads x
/// PrefixLength x HeadDim]</c> (keys of layer l, then its values; PEFT's <c>past_key_values</c> without the batch axis;
/// <c>Heads</c> is the kv-head count on a grouped-query model) — trained directly (ProjectionHidden = 0) or, with PEFT's
/// reparameterisation MLP (<see cref="PrefixEncoder"/>), the output of Embedding (PrefixLength x kv) → Down (h x kv) +
/// bias → tanh → Up ((Layers·2·kv) x h) + bias, kv = Heads·HeadDim, h = ProjectionHidden. Attention runs through
/// <see cref="LayerPrefixes"/>. Arrays that the configuration does not use are empty.
/// </summary>
/// <remarks>
/// The generator derives each annotated class from this type and adds only the compile-time constants and
/// <see cref="TrainableLayer{PrefixTuningDefinition}.CreateDefinition"/>. Without the generator, derive from it and override <see cref="TrainableLayer{PrefixTuningDefinition}.CreateDefinition"/>.
/// </remarks>
public abstract class PrefixTuningBase : TrainableLayer<PrefixTuningDefinition>
{
    private readonly float[] _hidden;
    private bool _encoded;

    /// <summary>
    /// Allocates the prefix (and the reparameterisation MLP when ProjectionHidden &gt; 0) and the gradients from
    /// <see cref="TrainableLayer{PrefixTuningDefinition}.CreateDefinition"/>, and initialises them as PEFT does (<see cref="ResetParameters"/> with <paramref name="seed"/>).
    /// </summary>
    /// <param name="seed">Seed of the initialisation.</param>
    protected PrefixTuningBase(ulong seed = 0)
        : this(null, seed)
    {
    }

    /// <summary>
    /// For layers defined at run time (without the generator): allocates the prefix, the MLP and the gradients from <paramref name="definition"/>
    /// and initialises them as the seeded constructor does.
    /// </summary>
    /// <param name="definition">What the layer is.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    protected PrefixTuningBase(PrefixTuningDefinition definition, ulong seed = 0)
        : this((PrefixTuningDefinition?)definition, seed)
    {
    }

    private PrefixTuningBase(PrefixTuningDefinition? given, ulong seed)
        : base(given)
    {
        PrefixTuningDefinition definition = Definition;
        LayerChecks.Name(definition.Name);
        int layers = LayerChecks.Positive(definition.Layers, nameof(definition.Layers));
        int prefixLength = LayerChecks.Positive(definition.PrefixLength, nameof(definition.PrefixLength));
        int heads = LayerChecks.Positive(definition.Heads, nameof(definition.Heads));
        int headDim = LayerChecks.Positive(definition.HeadDim, nameof(definition.HeadDim));
        int projectionHidden = LayerChecks.NonNegative(definition.ProjectionHidden, nameof(definition.ProjectionHidden));

        Shape = new PrefixShape(layers, prefixLength, heads, headDim);
        int kv = definition.KeyValueWidth, h = projectionHidden, slot = checked(prefixLength * kv), up = checked(layers * 2 * kv);
        KeyValues = new float[checked(layers * 2 * slot)];
        GradKeyValues = new float[KeyValues.Length];
        bool mlp = h > 0;
        _hidden = mlp ? new float[checked(prefixLength * h)] : Array.Empty<float>();
        PrefixEmbedding = mlp ? new float[slot] : Array.Empty<float>();
        GradPrefixEmbedding = mlp ? new float[slot] : Array.Empty<float>();
        ProjectionDown = mlp ? new float[checked(h * kv)] : Array.Empty<float>();
        GradProjectionDown = mlp ? new float[ProjectionDown.Length] : Array.Empty<float>();
        ProjectionDownBias = mlp ? new float[h] : Array.Empty<float>();
        GradProjectionDownBias = mlp ? new float[h] : Array.Empty<float>();
        ProjectionUp = mlp ? new float[checked(up * h)] : Array.Empty<float>();
        GradProjectionUp = mlp ? new float[ProjectionUp.Length] : Array.Empty<float>();
        ProjectionUpBias = mlp ? new float[up] : Array.Empty<float>();
        GradProjectionUpBias = mlp ? new float[up] : Array.Empty<float>();
        ResetParameters(seed);
    }

    /// <summary>The prefix shape handed to <see cref="LayerPrefixes"/>: (Layers, PrefixLength, Heads, HeadDim).</summary>
    public PrefixShape Shape { get; }

    /// <summary>The key/value prefix, <c>[Layers x 2 x Heads x PrefixLength x HeadDim]</c>, row-major.</summary>
    public float[] KeyValues { get; }

    /// <summary>
    /// dL/dKeyValues, laid out like <see cref="KeyValues"/>; <see cref="AttentionBackward"/> overwrites the slice of its
    /// layer. With the reparameterisation MLP it is the input of <see cref="EncoderBackward"/>, not a trained tensor.
    /// </summary>
    public float[] GradKeyValues { get; }

    /// <summary>The MLP's input embedding, PrefixLength x KeyValueWidth (empty without the MLP).</summary>
    public float[] PrefixEmbedding { get; }

    /// <summary>dL/dPrefixEmbedding (empty without the MLP).</summary>
    public float[] GradPrefixEmbedding { get; }

    /// <summary>ProjectionDown, ProjectionHidden x KeyValueWidth (empty without the MLP).</summary>
    public float[] ProjectionDown { get; }

    /// <summary>dL/dProjectionDown (empty without the MLP).</summary>
    public float[] GradProjectionDown { get; }

    /// <summary>ProjectionDownBias, ProjectionHidden (empty without the MLP).</summary>
    public float[] ProjectionDownBias { get; }

    /// <summary>dL/dProjectionDownBias (empty without the MLP).</summary>
    public float[] GradProjectionDownBias { get; }

    /// <summary>ProjectionUp, (Layers·2·KeyValueWidth) x ProjectionHidden (empty without the MLP).</summary>
    public float[] ProjectionUp { get; }

    /// <summary>dL/dProjectionUp (empty without the MLP).</summary>
    public float[] GradProjectionUp { get; }

    /// <summary>ProjectionUpBias, Layers·2·KeyValueWidth (empty without the MLP).</summary>
    public float[] ProjectionUpBias { get; }

    /// <summary>dL/dProjectionUpBias (empty without the MLP).</summary>
    public float[] GradProjectionUpBias { get; }

    /// <summary>
    /// Re-initialises as PEFT's PrefixEncoder from <paramref name="seed"/>: without the MLP the prefix N(0, 1) (an
    /// embedding); with it the embedding N(0, 1), each linear and its bias U(−1/√fan_in, 1/√fan_in), the folded prefix
    /// zero. Gradients zero.
    /// </summary>
    /// <param name="seed">Seed of the <see cref="SeededRandom"/> the parameters are drawn from.</param>
    public sealed override void ResetParameters(ulong seed)
    {
        var random = new SeededRandom(seed);
        Array.Clear(GradKeyValues);
        if (Definition.ProjectionHidden == 0)
        {
            random.FillNormal(KeyValues, 0f, 1f);
            return;
        }

        random.FillNormal(PrefixEmbedding, 0f, 1f);
        float downBound = 1f / (float)Math.Sqrt(Definition.KeyValueWidth);
        random.FillUniform(ProjectionDown, -downBound, downBound);
        random.FillUniform(ProjectionDownBias, -downBound, downBound);
        float upBound = 1f / (float)Math.Sqrt(Definition.ProjectionHidden);
        random.FillUniform(ProjectionUp, -upBound, upBound);
        random.FillUniform(ProjectionUpBias, -upBound, upBound);
        Array.Clear(KeyValues);
        Array.Clear(_hidden);
        _encoded = false;
        Array.Clear(GradPrefixEmbedding);
        Array.Clear(GradProjectionDown);
        Array.Clear(GradProjectionDownBias);
        Array.Clear(GradProjectionUp);
        Array.Clear(GradProjectionUpBias);
    }

    /// <summary>The keys prefix of <paramref name="layer"/>: Heads x PrefixLength x HeadDim, row-major, a view into <see cref="KeyValues"/>.</summary>
    /// <param name="layer">The layer, 0 ≤ layer &lt; Layers.</param>
    /// <returns>The view.</returns>
    public Span<float> Keys(int layer) => Slot(layer, 0);

    /// <summary>The values prefix of <paramref name="layer"/>: Heads x PrefixLength x HeadDim, row-major, a view into <see cref="KeyValues"/>.</summary>
    /// <param name="layer">The layer, 0 ≤ layer &lt; Layers.</param>
    /// <returns>The view.</returns>
    public Span<float> Values(int layer) => Slot(layer, 1);

    /// <summary>
    /// Causal self-attention of <paramref name="layer"/> with its prefix (<see cref="LayerPrefixes.Forward"/>): every
    /// query also sees the PrefixLength prefix slots of its kv head. <paramref name="attention"/> must have
    /// KvHeads = Heads, HeadDim = HeadDim and PrefixLength = PrefixLength (otherwise <see cref="ArgumentException"/>
    /// naming both shapes).
    /// </summary>
    /// <param name="layer">The layer, 0 ≤ layer &lt; Layers.</param>
    /// <param name="attention">Batch, query heads, kv heads, tokens, head width and prefix length.</param>
    /// <param name="q">Queries <c>[B x H x t x d]</c>.</param>
    /// <param name="k">Keys <c>[B x KvH x t x d]</c>.</param>
    /// <param name="v">Values <c>[B x KvH x t x d]</c>.</param>
    /// <param name="output">Written: <c>[B x H x t x d]</c>.</param>
    /// <param name="logSumExp">Written: <c>[B x H x t]</c> for <see cref="AttentionBackward"/>; may be empty (inference).</param>
    /// <param name="mask">Optional mask over the PrefixLength + t key columns (prefix first).</param>
    public void AttentionForward(
        int layer,
        AttentionShape attention,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        Span<float> output,
        Span<float> logSumExp,
        AttentionMask mask = default)
        => LayerPrefixes.Forward(Shape, KeyValues, layer, attention, q, k, v, output, logSumExp, mask);

    /// <summary>
    /// Gradients of <see cref="AttentionForward"/> (<see cref="LayerPrefixes.Backward"/>): dq, dk, dv overwritten, and the
    /// slice of <paramref name="layer"/> in <see cref="GradKeyValues"/> overwritten (summed over the batch and the query
    /// heads of each kv head); the other layers' slices are left alone.
    /// </summary>
    /// <param name="layer">The layer, 0 ≤ layer &lt; Layers.</param>
    /// <param name="attention">The shape of the forward call.</param>
    /// <param name="q">Queries of the forward call.</param>
    /// <param name="k">Keys of the forward call.</param>
    /// <param name="v">Values of the forward call.</param>
    /// <param name="output">Output of the forward call.</param>
    /// <param name="logSumExp">Log-sum-exp saved by the forward call.</param>
    /// <param name="dOutput">dL/doutput <c>[B x H x t x d]</c>.</param>
    /// <param name="dq">Written: dL/dq.</param>
    /// <param name="dk">Written: dL/dk.</param>
    /// <param name="dv">Written: dL/dv.</param>
    /// <param name="mask">The mask of the forward call.</param>
    public void AttentionBackward(
        int layer,
        AttentionShape attention,
        ReadOnlySpan<float> q,
        ReadOnlySpan<float> k,
        ReadOnlySpan<float> v,
        ReadOnlySpan<float> output,
        ReadOnlySpan<float> logSumExp,
        ReadOnlySpan<float> dOutput,
        Span<float> dq,
        Span<float> dk,
        Span<float> dv,
        AttentionMask mask = default)
        => LayerPrefixes.Backward(Shape, KeyValues, layer, attention, q, k, v, output, logSumExp, dOutput, dq, dk, dv, GradKeyValues, mask);

    /// <summary>
    /// Training forward of the reparameterisation MLP (<see cref="PrefixEncoder.Forward"/>): writes
    /// <see cref="KeyValues"/> from the MLP and keeps its hidden activations for <see cref="EncoderBackward"/>. Call once
    /// per step, before the layers' <see cref="AttentionForward"/>.
    /// </summary>
    public void EncoderForward()
    {
        PrefixEncoderShape shape = EncoderShape(nameof(EncoderForward));
        PrefixEncoder.Forward(shape, PrefixEmbedding, ProjectionDown, ProjectionDownBias, ProjectionUp, ProjectionUpBias, _hidden, KeyValues);
        _encoded = true;
    }

    /// <summary>
    /// Backward of the reparameterisation MLP (<see cref="PrefixEncoder.Backward"/>): from <see cref="GradKeyValues"/>
    /// (every layer's <see cref="AttentionBackward"/> done) to the MLP's gradients, all overwritten. Needs
    /// <see cref="EncoderForward"/> of the same step.
    /// </summary>
    public void EncoderBackward()
    {
        PrefixEncoderShape shape = EncoderShape(nameof(EncoderBackward));
        if (!_encoded)
        {
            throw new InvalidOperationException("EncoderBackward needs the hidden activations of EncoderForward; call EncoderForward first.");
        }

        PrefixEncoder.Backward(
            shape, PrefixEmbedding, ProjectionDown, ProjectionUp, _hidden, GradKeyValues,
            GradPrefixEmbedding, GradProjectionDown, GradProjectionDownBias, GradProjectionUp, GradProjectionUpBias);
    }

    /// <summary>
    /// Folds the reparameterisation MLP into plain prefixes for inference (<see cref="PrefixEncoder.Fold"/>):
    /// <see cref="KeyValues"/> is written and can be used (or saved) without the MLP.
    /// </summary>
    public void Fold()
        => PrefixEncoder.Fold(EncoderShape(nameof(Fold)), PrefixEmbedding, ProjectionDown, ProjectionDownBias, ProjectionUp, ProjectionUpBias, KeyValues);

    private PrefixEncoderShape EncoderShape(string method)
    {
        if (Definition.ProjectionHidden == 0)
        {
            throw new InvalidOperationException(method + " needs the reparameterisation MLP (ProjectionHidden > 0); without it KeyValues is trained directly.");
        }

        return new PrefixEncoderShape(Shape.Layers, Shape.PrefixLength, Shape.KvHeads, Shape.HeadDim, Definition.ProjectionHidden);
    }

    private Span<float> Slot(int layer, int slot)
    {
        LayerChecks.Index(nameof(layer), layer, Shape.Layers);
        int length = Shape.LayerLength;
        return new Span<float>(KeyValues, ((layer * 2) + slot) * length, length);
    }
}
