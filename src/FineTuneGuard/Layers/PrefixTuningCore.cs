using System;
using System.ComponentModel;

namespace FineTuneGuard;

/// <summary>
/// The storage of one <see cref="PrefixTuningAttribute"/> layer, shared by every generated class: the key/value prefix
/// <see cref="KeyValues"/>, row-major (Layers, 2, PrefixLength, Heads, HeadDim) — for layer l, index 0 holds the keys and 1
/// the values, each PrefixLength x (Heads·HeadDim) — trained directly (ProjectionHidden = 0) or, with PEFT's
/// reparameterisation MLP, the folded output of Embedding (PrefixLength x kv) → Down (h x kv) + bias → tanh →
/// Up ((Layers·2·kv) x h) + bias, kv = Heads·HeadDim, h = ProjectionHidden. Arrays that the configuration does not use
/// are empty. Generated layer classes hold one of these and forward to it; use the generated members.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PrefixTuningCore
{
    /// <summary>Allocates the prefix (and the reparameterisation MLP when <paramref name="projectionHidden"/> &gt; 0) and the gradients, all zero.</summary>
    /// <param name="layers">Transformer layers that receive a prefix.</param>
    /// <param name="prefixLength">Prefix slots per layer and head.</param>
    /// <param name="heads">Attention heads per layer.</param>
    /// <param name="headDim">Width of one head.</param>
    /// <param name="projectionHidden">Hidden width of the reparameterisation MLP; 0 = none.</param>
    public PrefixTuningCore(int layers, int prefixLength, int heads, int headDim, int projectionHidden)
    {
        Layers = LayerChecks.Positive(layers, nameof(layers));
        PrefixLength = LayerChecks.Positive(prefixLength, nameof(prefixLength));
        KeyValueWidth = checked(LayerChecks.Positive(heads, nameof(heads)) * LayerChecks.Positive(headDim, nameof(headDim)));
        if (projectionHidden < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(projectionHidden), projectionHidden, "'projectionHidden' must be >= 0.");
        }

        ProjectionHidden = projectionHidden;
        int kv = KeyValueWidth, h = projectionHidden, slot = checked(prefixLength * kv), up = checked(layers * 2 * kv);
        KeyValues = new float[checked(layers * 2 * slot)];
        bool mlp = h > 0;
        GradKeyValues = mlp ? Array.Empty<float>() : new float[KeyValues.Length];
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
    }

    /// <summary>Transformer layers that receive a prefix.</summary>
    public int Layers { get; }

    /// <summary>Prefix slots per layer and head.</summary>
    public int PrefixLength { get; }

    /// <summary>Heads·HeadDim.</summary>
    public int KeyValueWidth { get; }

    /// <summary>Hidden width of the reparameterisation MLP; 0 = none.</summary>
    public int ProjectionHidden { get; }

    /// <summary>The key/value prefix, Layers·2·PrefixLength·Heads·HeadDim, row-major.</summary>
    public float[] KeyValues { get; }

    /// <summary>dL/dKeyValues (empty with the reparameterisation MLP).</summary>
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
    public void ResetParameters(ulong seed)
    {
        var random = new SeededRandom(seed);
        if (ProjectionHidden == 0)
        {
            random.FillNormal(KeyValues, 0f, 1f);
            Array.Clear(GradKeyValues);
            return;
        }

        random.FillNormal(PrefixEmbedding, 0f, 1f);
        float downBound = 1f / (float)Math.Sqrt(KeyValueWidth);
        random.FillUniform(ProjectionDown, -downBound, downBound);
        random.FillUniform(ProjectionDownBias, -downBound, downBound);
        float upBound = 1f / (float)Math.Sqrt(ProjectionHidden);
        random.FillUniform(ProjectionUp, -upBound, upBound);
        random.FillUniform(ProjectionUpBias, -upBound, upBound);
        Array.Clear(KeyValues);
        Array.Clear(GradPrefixEmbedding);
        Array.Clear(GradProjectionDown);
        Array.Clear(GradProjectionDownBias);
        Array.Clear(GradProjectionUp);
        Array.Clear(GradProjectionUpBias);
    }

    /// <summary>The keys prefix of <paramref name="layer"/>: PrefixLength x KeyValueWidth, row-major, a view into <see cref="KeyValues"/>.</summary>
    public Span<float> Keys(int layer) => Slot(layer, 0);

    /// <summary>The values prefix of <paramref name="layer"/>: PrefixLength x KeyValueWidth, row-major, a view into <see cref="KeyValues"/>.</summary>
    public Span<float> Values(int layer) => Slot(layer, 1);

    private Span<float> Slot(int layer, int slot)
    {
        LayerChecks.Index(nameof(layer), layer, Layers);
        int length = PrefixLength * KeyValueWidth;
        return new Span<float>(KeyValues, ((layer * 2) + slot) * length, length);
    }
}
