using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading;
using FineTuneGuard.Decoding;
using FineTuneGuard.Losses;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// Supervised fine-tuning over an <see cref="ICausalLanguageModel"/>, with the mistakes the analyzers warn about made
/// impossible by construction: answer-only targets by default (<see cref="LossScope"/>), an example with no target is an
/// error naming it, only trainable tensors reach the optimizer (adapters, weights, and norms/biases without decay in
/// separate groups), and gradient accumulation normalises by the target tokens of all micro-batches together.
/// </summary>
/// <remarks>
/// <para>
/// Gradient accumulation: a step over micro-batches m with n_m target tokens minimises Σ_m Σ_i nll_i / N, N = Σ_m n_m — the
/// loss of one big batch. Each micro-batch's mean-loss gradient is therefore scaled by n_m / N before its backward pass.
/// Averaging per-micro-batch means instead (the known padding/accumulation bug) over-weights tokens of short batches.
/// </para>
/// <para>
/// Determinism: the data order comes from a <see cref="MixtureSampler"/> seeded with <see cref="SftOptions.Seed"/>, the
/// runtime's kernels give results independent of the thread count, and the trainer itself is sequential, so a run is a
/// function of the model's initial values, the data and the seed. Only the tokens-per-second figure of the progress
/// reports depends on the clock.
/// </para>
/// </remarks>
public sealed class SftTrainer
{
    private readonly Parameter[] _trainable;
    private float[] _logits = [];
    private float[] _gradLogits = [];
    private float[] _baseLogits = [];

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    /// <param name="model">The model to tune; at least one parameter must be trainable.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="baseModel">
    /// The frozen starting point for KL(tuned ‖ base) and the retention baseline at evaluation (e.g. the same weights
    /// without adapters); null to skip those metrics. Must be another instance, frozen, with the same vocabulary.
    /// </param>
    /// <exception cref="ArgumentException">No trainable parameter; or the base model is the model, is not frozen, shares a trainable tensor with it, or has another vocabulary.</exception>
    public SftTrainer(ICausalLanguageModel model, SftOptions? options = null, ICausalLanguageModel? baseModel = null)
    {
        _trainable = ModelChecks.Trainable(model, nameof(model));
        Options = options ?? new SftOptions();
        Options.Validate();
        if (baseModel is not null)
        {
            if (ReferenceEquals(baseModel, model))
            {
                throw new ArgumentException("The base model is the model being tuned: KL(tuned ‖ base) would always be 0. Pass a frozen copy of the starting model.", nameof(baseModel));
            }

            if (ModelChecks.TrainableNames(baseModel) is string names)
            {
                throw new ArgumentException($"The base model of KL(tuned ‖ base) must be frozen; it has trainable parameters: {names}.", nameof(baseModel));
            }

            if (baseModel.VocabSize != model.VocabSize)
            {
                throw new ArgumentException($"The base model has VocabSize {baseModel.VocabSize}; the model has {model.VocabSize}.", nameof(baseModel));
            }

            if (ModelChecks.SharedTrainableTensor(model, baseModel) is string shared)
            {
                throw new ArgumentException($"The base model shares the tensor '{shared}' with a trainable parameter of the model, so it would move with every step. Give it its own frozen copy.", nameof(baseModel));
            }
        }

        Model = model;
        BaseModel = baseModel;
        Optimizer = new AdamW(OptimizerGroups.FromRoles(model, Options.LearningRate, Options.WeightDecay));
        Schedule = new LearningRateSchedule(Options.WarmupSteps, Options.MaxSteps, Options.Decay);
    }

    /// <summary>The model being tuned.</summary>
    public ICausalLanguageModel Model { get; }

    /// <summary>The frozen base model of the KL and retention metrics, or null.</summary>
    public ICausalLanguageModel? BaseModel { get; }

    /// <summary>The settings.</summary>
    public SftOptions Options { get; }

    /// <summary>The optimizer over the trainable parameters (groups "adapters", "weights", "no_decay").</summary>
    public AdamW Optimizer { get; }

    /// <summary>
    /// The learning-rate multiplier: linear warm-up over <see cref="SftOptions.WarmupSteps"/> from 0, then
    /// <see cref="SftOptions.Decay"/> to 0 at <see cref="SftOptions.MaxSteps"/> (Hugging Face's schedules).
    /// </summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Optimizer steps taken so far (drives the learning-rate schedule).</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// Adds to the trainable parameters' gradients the gradient of the token-mean loss over all target tokens of
    /// <paramref name="examples"/>, processed in micro-batches of <see cref="SftOptions.MicroBatchSize"/> in order.
    /// Does not clear the gradients and does not step.
    /// </summary>
    /// <exception cref="ArgumentException">An example has no target under the loss scope, or a token outside the vocabulary: the message names its index.</exception>
    public SftStepResult AccumulateGradients(IReadOnlyList<SftExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw new ArgumentException("A step needs at least one example.", nameof(examples));
        }

        for (int i = 0; i < examples.Count; i++)
        {
            ValidateExample(examples[i], $"Example {i} of the step", nameof(examples));
        }

        var batches = new List<SftBatch>();
        int totalTargets = 0, inputTokens = 0;
        for (int start = 0; start < examples.Count; start += Options.MicroBatchSize)
        {
            var slice = new List<SftExample>();
            for (int i = start; i < Math.Min(examples.Count, start + Options.MicroBatchSize); i++)
            {
                slice.Add(examples[i]);
                inputTokens += examples[i].Length;
            }

            SftBatch batch = SftBatch.Collate(slice, Options.LossScope, Options.PadTokenId);
            batches.Add(batch);
            totalTargets += batch.TargetTokenCount;
        }

        int vocab = Model.VocabSize;
        double lossSum = 0;
        foreach (SftBatch batch in batches)
        {
            Span<float> logits = Buffer(ref _logits, batch.Rows * vocab);
            Span<float> grad = Buffer(ref _gradLogits, batch.Rows * vocab);
            Model.Forward(batch.Tokens, batch.BatchSize, batch.SequenceLength, logits);

            // CrossEntropy.Loss is the mean over this micro-batch's n_m targets; its gradient scaled by n_m / N is the
            // gradient of this micro-batch's share of the step's token mean.
            float meanLoss = CrossEntropy.Loss(logits, batch.Targets, vocab, grad, CrossEntropy.IgnoreIndex, Options.LabelSmoothing);
            float share = (float)batch.TargetTokenCount / totalTargets;
            TensorPrimitives.Multiply(grad, share, grad);
            Model.Backward(grad);
            lossSum += (double)meanLoss * batch.TargetTokenCount;
        }

        return new SftStepResult(lossSum / totalTargets, totalTargets, inputTokens, batches.Count, float.NaN, CurrentLearningRate());
    }

    /// <summary>
    /// One optimizer step on <paramref name="examples"/>: clear the gradients, accumulate over the micro-batches, clip to
    /// <see cref="SftOptions.MaxGradNorm"/>, set the scheduled learning rate, update. Past <see cref="SftOptions.MaxSteps"/>
    /// the schedule stays at its end value (0 after a linear or cosine decay).
    /// </summary>
    public SftStepResult TrainStep(IReadOnlyList<SftExample> examples)
    {
        Optimizer.ZeroGradients();
        SftStepResult result = AccumulateGradients(examples);
        float norm = Options.MaxGradNorm > 0 ? GradientClipping.ClipByGlobalNorm(_trainable, Options.MaxGradNorm) : float.NaN;
        float learningRate = CurrentLearningRate();
        Optimizer.LearningRateScale = Schedule.Factor(StepCount);
        Optimizer.Step();
        StepCount++;
        return result with { GradientNorm = norm, LearningRate = learningRate };
    }

    /// <summary>
    /// Trains for <see cref="SftOptions.MaxSteps"/> steps on the mixture <paramref name="train"/>, drawing
    /// MicroBatchSize·GradientAccumulationSteps examples per step, evaluating every <see cref="SftOptions.EvaluationInterval"/>
    /// steps and after the last one when <paramref name="validation"/> is given.
    /// </summary>
    /// <param name="train">Training tasks with their mixture weights.</param>
    /// <param name="validation">Held-out tasks (same names as the training tasks, typically); null for no evaluation.</param>
    /// <param name="retention">A base-task dataset measuring what the model should not forget; null to skip.</param>
    /// <param name="progress">Receives an <see cref="SftProgress"/> after every step.</param>
    /// <param name="cancellationToken">Checked between steps.</param>
    /// <exception cref="ArgumentException">An example of any dataset has no target or an out-of-vocabulary token: the message names the dataset and the example index.</exception>
    public SftRunResult Train(
        IReadOnlyList<SftDataset> train,
        IReadOnlyList<SftDataset>? validation = null,
        SftDataset? retention = null,
        IProgress<SftProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ValidateDatasets(train, nameof(train));
        if (validation is not null)
        {
            ValidateDatasets(validation, nameof(validation));
        }

        if (retention is not null)
        {
            ValidateDatasets([retention], nameof(retention));
        }

        var sampler = new MixtureSampler(train, Options.Seed);
        int perStep = Options.MicroBatchSize * Options.GradientAccumulationSteps;
        var losses = new List<double>();
        var evaluations = new List<SftEvaluation>();
        double intervalLoss = 0;
        long intervalTargets = 0, inputTokens = 0;
        var clock = Stopwatch.StartNew();
        bool stopped = false;
        var examples = new SftExample[perStep];
        for (int step = 1; step <= Options.MaxSteps && !stopped; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < perStep; i++)
            {
                examples[i] = sampler.Next().Example;
            }

            SftStepResult result = TrainStep(examples);
            losses.Add(result.Loss);
            intervalLoss += result.Loss * result.TargetTokens;
            intervalTargets += result.TargetTokens;
            inputTokens += result.InputTokens;

            SftEvaluation? evaluation = null;
            bool due = step == Options.MaxSteps || (Options.EvaluationInterval > 0 && step % Options.EvaluationInterval == 0);
            if (validation is not null && due)
            {
                evaluation = Evaluate(validation, retention, intervalLoss / intervalTargets, evaluations.Count > 0 ? evaluations[^1] : null);
                evaluations.Add(evaluation);
                intervalLoss = 0;
                intervalTargets = 0;
                stopped = Options.StopWhenOverfitting && evaluation.IsOverfitting;
            }

            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new SftProgress(step, Options.MaxSteps, result.Loss, result.LearningRate, inputTokens / seconds, evaluation));
        }

        return new SftRunResult(losses.Count, losses, evaluations, stopped);
    }

    /// <summary>
    /// Evaluates the model (and the base model, when given) on <paramref name="validation"/> and <paramref name="retention"/>
    /// without touching gradients or parameters. <see cref="SftEvaluation.TrainLoss"/> is NaN and there is no overfitting
    /// signal (that needs the training history of <see cref="Train"/>).
    /// </summary>
    public SftEvaluation Evaluate(IReadOnlyList<SftDataset> validation, SftDataset? retention = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ValidateDatasets(validation, nameof(validation));
        if (retention is not null)
        {
            ValidateDatasets([retention], nameof(retention));
        }

        return Evaluate(validation, retention, double.NaN, previous: null);
    }

    /// <summary>Saves the trainable tensors (only) to a safetensors file; see <see cref="TrainableCheckpoint"/>.</summary>
    public void SaveCheckpoint(string path) => TrainableCheckpoint.Save(path, Model, StepCount);

    private SftEvaluation Evaluate(IReadOnlyList<SftDataset> validation, SftDataset? retention, double trainLoss, SftEvaluation? previous)
    {
        var datasets = validation.Select(d => Measure(Model, d, BaseModel)).ToArray();
        double validationLoss = SftDataset.WeightedMean(validation, datasets.Select(m => m.Loss).ToArray());
        double accuracy = SftDataset.WeightedMean(validation, datasets.Select(m => m.TokenAccuracy).ToArray());
        double? kl = BaseModel is null ? null : SftDataset.WeightedMean(validation, datasets.Select(m => m.KlToBase!.Value).ToArray());
        SftDatasetMetrics? kept = retention is null ? null : Measure(Model, retention, BaseModel);
        SftDatasetMetrics? baseline = retention is null || BaseModel is null ? null : Measure(BaseModel, retention, null);
        double? combined = kept is null ? null : FineTuningScorecard.Combined(accuracy, kept.TokenAccuracy, Options.TaskWeight);
        bool overfitting = previous is not null && trainLoss < previous.TrainLoss && validationLoss > previous.ValidationLoss;
        return new SftEvaluation(StepCount, trainLoss, validationLoss, accuracy, datasets, kl, kept, baseline, combined, overfitting);
    }

    /// <summary>Answer-token loss, accuracy and (with a base) mean KL(model ‖ base) of <paramref name="model"/> on one dataset.</summary>
    private SftDatasetMetrics Measure(ICausalLanguageModel model, SftDataset dataset, ICausalLanguageModel? baseModel)
    {
        int vocab = model.VocabSize;
        double nll = 0, kl = 0;
        long correct = 0, targets = 0;
        for (int start = 0; start < dataset.Examples.Count; start += Options.EvaluationBatchSize)
        {
            int count = Math.Min(Options.EvaluationBatchSize, dataset.Examples.Count - start);
            SftBatch batch = SftBatch.Collate(dataset.Examples.Skip(start).Take(count).ToArray(), Options.LossScope, Options.PadTokenId);
            Span<float> logits = Buffer(ref _logits, batch.Rows * vocab);
            model.Forward(batch.Tokens, batch.BatchSize, batch.SequenceLength, logits);
            var tokenLosses = new float[batch.Rows];
            CrossEntropy.TokenLosses(logits, batch.Targets, vocab, tokenLosses);
            float[]? rowKl = null;
            if (baseModel is not null)
            {
                Span<float> baseLogits = Buffer(ref _baseLogits, batch.Rows * vocab);
                baseModel.Forward(batch.Tokens, batch.BatchSize, batch.SequenceLength, baseLogits);
                rowKl = new float[batch.Rows];
                KlDivergence.PerRow(logits, baseLogits, vocab, rowKl);
            }

            for (int row = 0; row < batch.Rows; row++)
            {
                int target = batch.Targets[row];
                if (target == CrossEntropy.IgnoreIndex)
                {
                    continue;
                }

                targets++;
                nll += tokenLosses[row];
                kl += rowKl?[row] ?? 0;
                correct += TokenSampler.ArgMax(logits.Slice(row * vocab, vocab)) == target ? 1 : 0;
            }
        }

        return new SftDatasetMetrics(
            dataset.Name, dataset.Weight, nll / targets, (double)correct / targets, (int)targets, baseModel is null ? null : kl / targets);
    }

    private float CurrentLearningRate() => Options.LearningRate * Schedule.Factor(StepCount);

    private void ValidateDatasets(IReadOnlyList<SftDataset> datasets, string parameterName)
    {
        if (datasets.Count == 0)
        {
            throw new ArgumentException("At least one dataset is needed.", parameterName);
        }

        foreach (SftDataset dataset in datasets)
        {
            ArgumentNullException.ThrowIfNull(dataset, parameterName);
            for (int i = 0; i < dataset.Examples.Count; i++)
            {
                ValidateExample(dataset.Examples[i], $"Example {i} of dataset '{dataset.Name}'", parameterName);
            }
        }
    }

    private void ValidateExample(SftExample example, string which, string parameterName)
    {
        if (example is null)
        {
            throw new ArgumentException($"{which} is null.", parameterName);
        }

        if (SftBatch.CountTargets(example, Options.LossScope) == 0)
        {
            throw new ArgumentException(SftBatch.NoTargetMessage(which, example, Options.LossScope), parameterName);
        }

        for (int p = 0; p < example.Length; p++)
        {
            int token = example.Tokens[p];
            if ((uint)token >= (uint)Model.VocabSize)
            {
                throw new ArgumentException($"{which} has token {token} at position {p}, outside the vocabulary [0, {Model.VocabSize}).", parameterName);
            }
        }
    }

    private static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer.AsSpan(0, length);
    }
}
