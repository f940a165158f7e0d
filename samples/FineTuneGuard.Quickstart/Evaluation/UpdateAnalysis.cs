using System.Numerics.Tensors;
using FineTuneGuard.Linalg;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>
/// Looks at the learned update itself. How low-rank is it (truncated-SVD error by rank, the seeds' cell 10 of section 4)?
/// How does the function move as the update is scaled (KL vs update strength, the seeds' section 10)?
/// </summary>
public static class UpdateAnalysis
{
    /// <summary>The ranks of the SVD chart: powers of two up to the smaller side of the hidden weight (128).</summary>
    public static int[] Ranks { get; } = [1, 2, 4, 8, 16, 32, 64, 128];

    /// <summary>The update strengths of the seeds' KL chart: linspace(0, 3, 20).</summary>
    public static double[] Strengths { get; } = Enumerable.Range(0, 20).Select(i => 3.0 * i / 19).ToArray();

    /// <summary>ΔW = s·B·A of a LoRA adapter on a W of the given size, obtained from the generated merge into zeros.</summary>
    public static float[] LoraUpdate(LoraLayerBase adapter, int weightLength)
    {
        var delta = new float[weightLength];
        adapter.AddDeltaTo(delta);
        return delta;
    }

    /// <summary>ΔW = W_tuned − W_base (full fine-tuning).</summary>
    public static float[] Difference(Parameter tuned, Parameter baseWeight)
    {
        var delta = new float[tuned.Value.Length];
        TensorPrimitives.Subtract(tuned.Value, baseWeight.Value, delta);
        return delta;
    }

    /// <summary>Relative Frobenius error of the best rank-k approximation, for each of <see cref="Ranks"/> (the runtime's <c>TruncatedSvd</c>).</summary>
    public static double[] SvdErrors(float[] matrix, int rows, int cols)
        => Ranks.Select(r => (double)TruncatedSvd.RelativeError(matrix, rows, cols, r)).ToArray();

    /// <summary>A rows x cols matrix of N(0, 1) entries: the full-rank baseline of the seeds' SVD cell.</summary>
    public static float[] Gaussian(int rows, int cols, ulong seed)
    {
        var values = new float[rows * cols];
        new SeededRandom(seed).FillNormal(values, 0f, 1f);
        return values;
    }

    /// <summary>
    /// KL(softmax(base + s·direction) ‖ softmax(base)) for the seeds' 3-logit example, for each of <see cref="Strengths"/>.
    /// </summary>
    public static double[] SeedExampleKl()
    {
        float[] baseLogits = [2f, 1f, 0f];
        float[] direction = [-0.5f, 0.2f, 0.8f];
        var tuned = new float[3];
        return Strengths.Select(s =>
        {
            TensorPrimitives.MultiplyAdd(direction, (float)s, baseLogits, tuned);
            return (double)KlDivergence.TunedToBase(tuned, baseLogits, 3);
        }).ToArray();
    }

    /// <summary>
    /// KL(model with W + s·ΔW ‖ base) on <paramref name="batch"/> for each of <see cref="Strengths"/>, scaling the
    /// learned LoRA update of both projections (s = 1 is the tuned model, s = 0 the base).
    /// </summary>
    public static double[] ModelKl(CharMlp pretrained, LoraCharMlp tuned, ContextBatch batch) => ModelKl(pretrained, tuned, batch, Strengths);

    /// <summary>KL(model with W + s·ΔW ‖ base) on <paramref name="batch"/> for each of <paramref name="strengths"/>.</summary>
    public static double[] ModelKl(CharMlp pretrained, LoraCharMlp tuned, ContextBatch batch, IReadOnlyList<double> strengths)
    {
        float[] deltaHidden = LoraUpdate(tuned.Hidden, pretrained.HiddenWeight.Value.Length);
        float[] deltaOutput = LoraUpdate(tuned.Output, pretrained.OutputWeight.Value.Length);
        float[] baseLogits = ModelEvaluator.Logits(pretrained, batch);
        return strengths.Select(s =>
        {
            CharMlp scaled = pretrained.Clone(trainable: false);
            TensorPrimitives.MultiplyAdd(deltaHidden, (float)s, pretrained.HiddenWeight.Value, scaled.HiddenWeight.Value);
            TensorPrimitives.MultiplyAdd(deltaOutput, (float)s, pretrained.OutputWeight.Value, scaled.OutputWeight.Value);
            return (double)KlDivergence.TunedToBase(ModelEvaluator.Logits(scaled, batch), baseLogits, ModelDimensions.Vocabulary);
        }).ToArray();
    }
}
