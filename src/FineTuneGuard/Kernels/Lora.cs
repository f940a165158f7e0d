using System;
using System.Buffers;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Kernels;

/// <summary>
/// LoRA kernels for one adapted linear layer (row-major float32): y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with W (out x in) frozen,
/// A (r x in), B (out x r) and s = alpha / r (or alpha / √r with rsLoRA). The forward adds the low-rank path inside the
/// base GEMM (its K range is concatenated to W's, [x | x·Aᵀ]·[W | s·B]ᵀ), so it costs almost nothing over x·Wᵀ.
/// Gradients overwrite their outputs. No allocation in steady state (scratch comes from <see cref="ArrayPool{T}"/>).
/// </summary>
public static class Lora
{
    /// <summary>The LoRA scaling s = alpha / r, or alpha / √r with rsLoRA (Kalajdzievski, 2023).</summary>
    public static float Scaling(float alpha, int rank, bool useRsLora = false)
    {
        Guard.Finite(alpha);
        Guard.Positive(rank);
        return useRsLora ? alpha / MathF.Sqrt(rank) : alpha / rank;
    }

    /// <summary>
    /// Fills A with PEFT's initialisation, Kaiming-uniform with a = √5 on fan-in = in: U(−1/√in, 1/√in). (B starts at zero
    /// so that the adapted layer initially equals the base layer.)
    /// </summary>
    public static void InitializeA(LoraShape shape, Span<float> a, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Validate(shape);
        Guard.Shape(a.Length, shape.Rank, shape.InFeatures);
        float bound = 1f / MathF.Sqrt(shape.InFeatures);
        random.FillUniform(a, -bound, bound);
    }

    /// <summary>
    /// y (rows x out) = x·Wᵀ + s·(x·Aᵀ)·Bᵀ for x (rows x in). x·Aᵀ (rows x r) is formed first; the second product then
    /// runs as extra K steps of the base GEMM (s folded into the packed B), with no second pass over y.
    /// </summary>
    public static unsafe void Forward(LoraShape shape, float scaling, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        Validate(shape);
        Guard.Finite(scaling);
        Guard.Positive(rows);
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank;
        Guard.Shape(x.Length, rows, inF);
        Guard.Shape(weight.Length, outF, inF);
        Guard.Shape(a.Length, r, inF);
        Guard.Shape(b.Length, outF, r);
        Guard.Shape(y.Length, rows, outF);

        float[] xaBuffer = ArrayPool<float>.Shared.Rent(rows * r);
        try
        {
            Span<float> xa = xaBuffer.AsSpan(0, rows * r);
            SkinnyProducts.MultiplyTransposed(rows, r, inF, x, a, xa);
            fixed (float* px = x, pw = weight, pb = b, pxa = xa, py = y)
            {
                GemmTerm baseTerm = new(px, inF, false, pw, inF, true, inF, 1f);
                GemmTerm lowRank = new(pxa, r, false, pb, r, true, r, scaling);
                GemmDriver.Run(rows, outF, 1f, 0f, py, outF, baseTerm, lowRank, 2);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(xaBuffer);
        }
    }

    /// <summary>
    /// Gradients of y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with W frozen, given dy (rows x out):
    /// dB = s·dyᵀ·(x·Aᵀ) (out x r), dA = s·(dy·B)ᵀ·x (r x in), dx = dy·W + s·(dy·B)·A (rows x in).
    /// All three overwrite their buffers; <paramref name="dx"/> may be empty to skip the input gradient.
    /// </summary>
    public static unsafe void Backward(LoraShape shape, float scaling, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db, Span<float> dx)
    {
        Validate(shape);
        Guard.Finite(scaling);
        Guard.Positive(rows);
        int inF = shape.InFeatures, outF = shape.OutFeatures, r = shape.Rank;
        Guard.Shape(x.Length, rows, inF);
        Guard.Shape(weight.Length, outF, inF);
        Guard.Shape(a.Length, r, inF);
        Guard.Shape(b.Length, outF, r);
        Guard.Shape(dy.Length, rows, outF);
        Guard.Shape(da.Length, r, inF);
        Guard.Shape(db.Length, outF, r);
        if (!dx.IsEmpty)
        {
            Guard.Shape(dx.Length, rows, inF);
        }

        // Scratch: x·Aᵀ and dy·B (rows x r each), Bᵀ and dBᵀ (r x out each).
        int small = rows * r, wide = r * outF;
        float[] scratch = ArrayPool<float>.Shared.Rent((2 * small) + (2 * wide));
        try
        {
            Span<float> xa = scratch.AsSpan(0, small);
            Span<float> dyb = scratch.AsSpan(small, small);
            Span<float> bt = scratch.AsSpan(2 * small, wide);
            Span<float> dbt = scratch.AsSpan((2 * small) + wide, wide);
            SkinnyProducts.MultiplyTransposed(rows, r, inF, x, a, xa);
            SkinnyProducts.Transpose(outF, r, b, bt);
            SkinnyProducts.MultiplyTransposed(rows, r, outF, dy, bt, dyb);
            fixed (float* px = x, pw = weight, pa = a, pdy = dy, pda = da, pdx = dx, pxa = xa, pdyb = dyb, pdbt = dbt)
            {
                // dBᵀ (r x out) = s·(x·Aᵀ)ᵀ·dy and dA (r x in) = s·(dy·B)ᵀ·x: r-row products that stream dy and x in place.
                SmallRankProducts.MultiplyTransposedA(r, outF, rows, scaling, pxa, r, pdy, outF, pdbt);
                SmallRankProducts.MultiplyTransposedA(r, inF, rows, scaling, pdyb, r, px, inF, pda);

                if (!dx.IsEmpty)
                {
                    // dx (rows x in) = dy·W + s·(dy·B)·A, the low-rank term as extra K steps of the same GEMM.
                    GemmTerm baseTerm = new(pdy, outF, false, pw, inF, false, outF, 1f);
                    GemmTerm lowRank = new(pdyb, r, false, pa, inF, false, r, scaling);
                    GemmDriver.Run(rows, inF, 1f, 0f, pdx, inF, baseTerm, lowRank, 2);
                }
            }

            SkinnyProducts.Transpose(r, outF, dbt, db);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>W += s·B·A: folds the adapter into the base weight for inference (one streaming pass over W).</summary>
    public static unsafe void MergeInto(LoraShape shape, float scaling, Span<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ValidateMerge(shape, scaling, weight, a, b);
        fixed (float* pw = weight, pa = a, pb = b)
        {
            LowRankUpdate.Apply(shape.OutFeatures, shape.InFeatures, shape.Rank, scaling, pw, pa, pb, pw);
        }
    }

    /// <summary>
    /// W −= s·B·A: undoes <see cref="MergeInto"/>. The update is computed exactly as in the merge, so W comes back to within
    /// half an ulp of |W + s·B·A| per element (the rounding of the merged value).
    /// </summary>
    public static unsafe void UnmergeFrom(LoraShape shape, float scaling, Span<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ValidateMerge(shape, scaling, weight, a, b);
        fixed (float* pw = weight, pa = a, pb = b)
        {
            LowRankUpdate.Apply(shape.OutFeatures, shape.InFeatures, shape.Rank, -scaling, pw, pa, pb, pw);
        }
    }

    /// <summary>
    /// W += s·B·A, refusing NaN and infinity: throws <see cref="NonFiniteValueException"/> and leaves W bit-for-bit
    /// untouched when A or B holds one, or when the merged weight would (overflow, or a non-finite W). The merged values
    /// are computed and checked block by block in scratch before anything is written (about 1.5 times a plain merge).
    /// </summary>
    public static unsafe void SafeMergeInto(LoraShape shape, float scaling, Span<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ValidateMerge(shape, scaling, weight, a, b);
        Guard.AllFinite(a);
        Guard.AllFinite(b);
        fixed (float* pw = weight, pa = a, pb = b)
        {
            long bad = LowRankUpdate.FirstNonFinite(shape.OutFeatures, shape.InFeatures, shape.Rank, scaling, pw, pa, pb, out float value);
            if (bad >= 0)
            {
                throw new NonFiniteValueException(nameof(weight), (int)bad, value);
            }

            LowRankUpdate.Apply(shape.OutFeatures, shape.InFeatures, shape.Rank, scaling, pw, pa, pb, pw);
        }
    }

    internal static void Validate(LoraShape shape)
    {
        Guard.Positive(shape.InFeatures);
        Guard.Positive(shape.OutFeatures);
        Guard.Positive(shape.Rank);
    }

    private static void ValidateMerge(LoraShape shape, float scaling, ReadOnlySpan<float> weight, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Validate(shape);
        Guard.Finite(scaling);
        Guard.Shape(weight.Length, shape.OutFeatures, shape.InFeatures);
        Guard.Shape(a.Length, shape.Rank, shape.InFeatures);
        Guard.Shape(b.Length, shape.OutFeatures, shape.Rank);
    }
}
