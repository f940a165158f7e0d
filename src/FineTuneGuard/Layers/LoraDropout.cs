using System;
using System.Buffers;
using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard;

/// <summary>
/// PEFT's <c>lora_dropout</c> for one <see cref="LoraLayerBase"/>: in training the adapter path sees a dropped input,
/// y = x·Wᵀ + s·((x ⊙ m)·Aᵀ)·Bᵀ with m = 0 (probability p) or 1/(1 − p) per element; the frozen path x·Wᵀ sees x.
/// The mask of the latest training forward is kept for the backward of the same step:
/// dA = s·(dy·B)ᵀ·(x ⊙ m), dB = s·dyᵀ·((x ⊙ m)·Aᵀ), dx = dy·W + m ⊙ (s·(dy·B)·A).
/// </summary>
internal sealed class LoraDropout
{
    // Keeps the mask stream apart from the stream that draws A from the same seed.
    private const ulong StreamOffset = 0x9E3779B97F4A7C15UL;

    private readonly float _probability;
    private SeededRandom _random;
    private float[] _scale = Array.Empty<float>();

    public LoraDropout(float probability, ulong seed)
    {
        _probability = probability;
        _random = new SeededRandom(seed ^ StreamOffset);
    }

    /// <summary>Rows of the forward whose mask is held; 0 when the latest forward applied no dropout.</summary>
    public int MaskRows { get; private set; }

    /// <summary>The per-element input scale m of the latest training forward (rows x InFeatures), empty if none.</summary>
    public ReadOnlySpan<float> Scale(int inFeatures) => _scale.AsSpan(0, MaskRows * inFeatures);

    /// <summary>Restarts the mask stream from <paramref name="seed"/> and forgets the held mask.</summary>
    public void Reset(ulong seed)
    {
        _random = new SeededRandom(seed ^ StreamOffset);
        MaskRows = 0;
    }

    /// <summary>Forgets the held mask (a forward without dropout ran).</summary>
    public void Clear() => MaskRows = 0;

    /// <summary>Draws a new mask and computes y = x·Wᵀ + s·((x ⊙ m)·Aᵀ)·Bᵀ.</summary>
    public void Forward(LoraShape shape, float scaling, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank, n = rows * inF;
        if (_scale.Length < n)
        {
            _scale = new float[n]; // grows with the largest batch seen, then is reused
        }

        Span<float> scale = _scale.AsSpan(0, n);
        float keep = 1f / (1f - _probability);
        for (int i = 0; i < scale.Length; i++)
        {
            scale[i] = _random.NextSingle() < _probability ? 0f : keep;
        }

        MaskRows = rows;
        float[] rented = ArrayPool<float>.Shared.Rent(n + (rows * r));
        try
        {
            Span<float> dropped = rented.AsSpan(0, n);
            Span<float> xa = rented.AsSpan(n, rows * r);
            TensorPrimitives.Multiply(x, scale, dropped);
            Gemm.Multiply(false, true, rows, r, inF, 1f, dropped, a, 0f, xa);
            Gemm.Multiply(false, true, rows, outF, inF, 1f, x, weight, 0f, y);
            Gemm.Multiply(false, true, rows, outF, r, scaling, xa, b, 1f, y);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Gradients with the held mask (see the type's summary); <paramref name="dx"/> may be empty.</summary>
    public void Backward(
        LoraShape shape, float scaling, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        ReadOnlySpan<float> dy, Span<float> da, Span<float> db, Span<float> dx)
    {
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank, n = rows * inF;
        ReadOnlySpan<float> scale = _scale.AsSpan(0, n);
        float[] rented = ArrayPool<float>.Shared.Rent((2 * n) + (rows * r));
        try
        {
            Span<float> dropped = rented.AsSpan(0, n);
            TensorPrimitives.Multiply(x, scale, dropped);

            // dA and dB are the LoRA gradients of the dropped input; the kernel's dx would miss the mask, so skip it.
            Lora.Backward(shape, scaling, rows, dropped, weight, a, b, dy, da, db, Span<float>.Empty);
            if (dx.IsEmpty)
            {
                return;
            }

            Span<float> lowRank = rented.AsSpan(n, n);
            Span<float> dyb = rented.AsSpan(2 * n, rows * r);
            Gemm.Multiply(false, false, rows, r, outF, 1f, dy, b, 0f, dyb);
            Gemm.Multiply(false, false, rows, inF, r, scaling, dyb, a, 0f, lowRank);
            TensorPrimitives.Multiply(lowRank, scale, lowRank);
            Gemm.Multiply(false, false, rows, inF, outF, 1f, dy, weight, 0f, dx);
            TensorPrimitives.Add(dx, lowRank, dx);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
