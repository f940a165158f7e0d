using FineTuneGuard.Losses;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// The pre-training loop (fine-tuning goes through the runtime's <c>SftTrainer</c>, which is an SFT trainer: it
/// refuses to count every position unless told to, and analyzer FTG0001 flags that choice in SFT code). Each step:
/// forward, cross-entropy over every position (the runtime's <c>CrossEntropy.MaskedLoss</c> with the batch's mask,
/// which also writes the gradient of the logits), backward into the trainable tensors, global-norm clipping, AdamW with
/// a cosine learning-rate decay — all runtime pieces.
/// </summary>
public static class LossTrainingLoop
{
    /// <summary>Trains <paramref name="model"/> for <paramref name="steps"/> steps and returns the loss curve.</summary>
    /// <param name="name">Name of the phase in the progress display and the chart legend.</param>
    /// <param name="model">The model; only its <see cref="ITrainableCharModel.TrainableParameters"/> change.</param>
    /// <param name="optimizer">AdamW over the model's trainable tensors.</param>
    /// <param name="nextBatch">The batch of a step (deterministic in the step index).</param>
    /// <param name="steps">Number of optimizer steps.</param>
    /// <param name="output">Where the progress lines go.</param>
    /// <param name="evaluate">Optional held-out loss, measured every <paramref name="evaluateEvery"/> steps (and at the end).</param>
    /// <param name="evaluateEvery">Steps between evaluations.</param>
    public static PhaseCurve Run(
        string name, ITrainableCharModel model, AdamW optimizer, Func<int, ContextBatch> nextBatch, int steps, TextWriter output,
        Func<float>? evaluate = null, int evaluateEvery = 50)
    {
        var evaluations = new List<(int Step, float Loss)>();
        var activations = new MlpActivations();
        var losses = new float[steps];
        var progress = new PhaseProgress(output, name, steps);
        IReadOnlyList<Parameter> trainable = model.TrainableParameters;
        LearningRateSchedule schedule = CosineSchedule(steps);
        for (int step = 0; step < steps; step++)
        {
            ContextBatch batch = nextBatch(step);
            model.Forward(batch.Contexts, batch.Rows, activations);
            losses[step] = CrossEntropy.MaskedLoss(activations.LogitsSpan, batch.Targets, batch.Mask, ModelDimensions.Vocabulary, activations.GradLogitsSpan);
            optimizer.ZeroGradients();
            model.Backward(batch.Contexts, activations);

            GradientClipping.ClipByGlobalNorm(trainable, maxNorm: 1f);
            optimizer.LearningRateScale = schedule.Factor(step);
            optimizer.Step();
            progress.Report(step, losses[step], batch.Rows);
            if (evaluate is not null && ((step + 1) % evaluateEvery == 0 || step + 1 == steps))
            {
                evaluations.Add((step + 1, evaluate()));
            }
        }

        return new PhaseCurve(name, losses, progress.Tokens / Math.Max(progress.Elapsed.TotalSeconds, 1e-9), evaluations);
    }

    /// <summary>The runtime's cosine schedule, from 1 down to 0.1 over the run, no warm-up (the runs are short).</summary>
    public static LearningRateSchedule CosineSchedule(int steps)
        => new(warmupSteps: 0, totalSteps: steps, LearningRateDecay.Cosine, minFactor: 0.1f);
}
