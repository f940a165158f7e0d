using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>Phase 1: pre-train the base model on the embedded prose, every weight trainable.</summary>
public static class PretrainingPhase
{
    /// <summary>Trains a fresh <see cref="CharMlp"/> and returns it with its loss curve.</summary>
    public static (CharMlp Model, PhaseCurve Curve) Run(QuickstartOptions options, TextWriter output)
    {
        Heading(output, 1, "Base model: pre-training a character-level MLP language model",
            F($"16 characters of context → embeddings → hidden (tanh, {ModelDimensions.Hidden}) → {ModelDimensions.Vocabulary} logits; {ModelDimensions.BaseParameterCount:N0} parameters, {PretrainingText.Train.Length:N0} characters of prose."));

        CharMlp model = CharMlp.Initialize(new SeededRandom(options.Seed));
        int[] corpus = CharTokenizer.Encode(PretrainingText.Train);

        // Two groups, as in any transformer recipe: weight decay on the matrices, none on embeddings and biases.
        var optimizer = new AdamW(
        [
            new ParameterGroup("matrices", options.PretrainLearningRate, weightDecay: 0.01f) { model.HiddenWeight, model.OutputWeight },
            new ParameterGroup("embeddings and biases", options.PretrainLearningRate, weightDecay: 0f) { model.Embedding, model.HiddenBias, model.OutputBias },
        ]);
        // The held-out prose is evaluated along the way: the gap between the two curves is memorisation.
        ContextBatch heldOut = PretrainingBatch.All(CharTokenizer.Encode(PretrainingText.HeldOut));
        PhaseCurve curve = LossTrainingLoop.Run(
            "pre-training", model, optimizer, PretrainingBatch.Stream(corpus, options.PretrainBatchRows, options.Seed + 1), options.PretrainSteps, output,
            evaluate: () => ModelEvaluator.Loss(model, heldOut));

        float heldOutLoss = curve.Evaluations[^1].Loss;
        output.WriteLine(F($"   held-out prose: loss {heldOutLoss:F3} nats/char (uniform guess: {MathF.Log(ModelDimensions.Vocabulary):F3}), next-character accuracy {ModelEvaluator.Accuracy(model, heldOut):P1}"));
        return (model, curve);
    }
}
