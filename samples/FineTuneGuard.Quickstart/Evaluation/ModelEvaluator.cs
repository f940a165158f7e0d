using FineTuneGuard.Decoding;
using FineTuneGuard.Losses;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Evaluation;

/// <summary>Measurements of a model on a batch: loss, top-1 accuracy, and KL to another model.</summary>
public static class ModelEvaluator
{
    /// <summary>The logits of <paramref name="model"/> on <paramref name="batch"/> (a copy, rows x Vocabulary).</summary>
    public static float[] Logits(ICharModel model, ContextBatch batch)
    {
        var activations = new MlpActivations();
        model.Forward(batch.Contexts, batch.Rows, activations);
        return activations.LogitsSpan.ToArray();
    }

    /// <summary>Masked cross-entropy (nats per counted token).</summary>
    public static float Loss(ICharModel model, ContextBatch batch)
        => CrossEntropy.MaskedLoss(Logits(model, batch), batch.Targets, batch.Mask, ModelDimensions.Vocabulary);

    /// <summary>Share of the counted rows whose most probable next character is the target (teacher forcing).</summary>
    public static double Accuracy(ICharModel model, ContextBatch batch)
    {
        float[] logits = Logits(model, batch);
        double hits = 0, counted = 0;
        for (int row = 0; row < batch.Rows; row++)
        {
            if (batch.Mask[row] == 0)
            {
                continue;
            }

            counted += batch.Mask[row];
            int predicted = TokenSampler.ArgMax(logits.AsSpan(row * ModelDimensions.Vocabulary, ModelDimensions.Vocabulary));
            hits += predicted == batch.Targets[row] ? batch.Mask[row] : 0;
        }

        return hits / counted;
    }

    /// <summary>Mean over rows of KL(softmax(tuned) ‖ softmax(base)) in nats (the runtime's <c>KlDivergence.TunedToBase</c>).</summary>
    public static float KlToBase(ICharModel tuned, ICharModel baseModel, ContextBatch batch)
        => KlDivergence.TunedToBase(Logits(tuned, batch), Logits(baseModel, batch), ModelDimensions.Vocabulary);

    /// <summary>Largest |a − b| over two models' logits on the same batch (the merge check).</summary>
    public static float MaxAbsDifference(ICharModel a, ICharModel b, ContextBatch batch)
    {
        float[] x = Logits(a, batch), y = Logits(b, batch);
        float max = 0;
        for (int i = 0; i < x.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(x[i] - y[i]));
        }

        return max;
    }

    /// <summary>True when two models' logits are equal bit for bit (the adapter-off ablation).</summary>
    public static bool BitIdentical(ICharModel a, ICharModel b, ContextBatch batch)
        => Logits(a, batch).AsSpan().SequenceEqual(Logits(b, batch));
}
