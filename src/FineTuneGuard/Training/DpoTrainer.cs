using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// Direct Preference Optimization of a policy against a frozen reference, over <see cref="ICausalLanguageModel"/>s, with
/// the runtime's <see cref="Dpo"/> losses (sigmoid, IPO, hinge, robust) and <see cref="SequenceLogProb"/> (log-probabilities
/// summed over the completion tokens only — prompt and padding never count). The mistakes analyzers FTG0006–FTG0009 flag
/// in source are refused here at run time with the same words: no reference, the policy as its own reference, a reference
/// that is not frozen, β ≤ 0.
/// </summary>
/// <remarks>
/// <para>
/// A step over P pairs runs the policy once on the 2P sequences prompt + chosen and prompt + rejected (right-padded,
/// chosen rows first as TRL's <c>concatenated_forward</c>), the reference likewise (unless every pair carries precomputed
/// reference log-probabilities, which are then used), computes the mean loss and its gradient with respect to each
/// sequence log-probability, and backpropagates ∂L/∂log πθ(y) · ∂log πθ(y)/∂logits through the policy.
/// </para>
/// <para>
/// Determinism: <see cref="Train"/> visits the pairs in epochs shuffled by a <see cref="SeededRandom"/> seeded with
/// <see cref="DpoOptions.Seed"/>; everything else is sequential or thread-count independent.
/// </para>
/// </remarks>
public sealed class DpoTrainer
{
    private readonly Parameter[] _trainable;
    private float[] _logits = [];
    private float[] _referenceLogits = [];
    private float[] _gradLogits = [];

    /// <summary>Creates a trainer with a reference model.</summary>
    /// <param name="policy">The model to tune; at least one parameter must be trainable.</param>
    /// <param name="reference">A frozen copy of the starting policy: another instance, no trainable parameter, no tensor shared with the policy's trainable ones.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">FTG0007 (the reference is the policy, or moves with it), FTG0008 (the reference is not frozen), or another vocabulary.</exception>
    /// <exception cref="ArgumentOutOfRangeException">FTG0009 (β ≤ 0) or another invalid option.</exception>
    public DpoTrainer(ICausalLanguageModel policy, ICausalLanguageModel reference, DpoOptions? options = null)
        : this(policy, options, reference ?? throw new ArgumentNullException(nameof(reference), NoReferenceMessage("the reference model is null")))
    {
    }

    /// <summary>
    /// Creates a trainer without a reference model: every pair must carry precomputed reference log-probabilities (see
    /// <see cref="PrecomputeReferenceLogProbs"/>), or the step throws (FTG0006).
    /// </summary>
    public DpoTrainer(ICausalLanguageModel policy, DpoOptions? options = null)
        : this(policy, options, reference: null)
    {
    }

    private DpoTrainer(ICausalLanguageModel policy, DpoOptions? options, ICausalLanguageModel? reference)
    {
        Options = options ?? new DpoOptions();
        Options.Validate();
        _trainable = ModelChecks.Trainable(policy, nameof(policy));
        if (reference is not null)
        {
            if (ReferenceEquals(reference, policy))
            {
                throw new ArgumentException(
                    "FTG0007: Reference model is the policy itself. The reference log-probabilities would move with the policy, the margin would always be 0 and the loss would stay at ln 2. Pass a frozen copy of the starting policy.",
                    nameof(reference));
            }

            if (ModelChecks.TrainableNames(reference) is string names)
            {
                throw new ArgumentException(
                    $"FTG0008: Reference model is not frozen: it has trainable parameters ({names}). The DPO reference must be a frozen copy of the starting policy; a trainable reference drifts and the KL anchor disappears.",
                    nameof(reference));
            }

            if (ModelChecks.SharedTrainableTensor(policy, reference) is string shared)
            {
                throw new ArgumentException(
                    $"FTG0007: Reference model is the policy itself: it shares the tensor '{shared}' with a trainable parameter of the policy, so it moves with every update. Give the reference its own frozen copy of that tensor.",
                    nameof(reference));
            }

            if (reference.VocabSize != policy.VocabSize)
            {
                throw new ArgumentException($"The reference has VocabSize {reference.VocabSize}; the policy has {policy.VocabSize}.", nameof(reference));
            }
        }

        Policy = policy;
        Reference = reference;
        Optimizer = new AdamW(OptimizerGroups.FromRoles(policy, Options.LearningRate, Options.WeightDecay));
        Schedule = new LearningRateSchedule(Options.WarmupSteps, Options.MaxSteps, Options.Decay);
    }

    /// <summary>The model being tuned.</summary>
    public ICausalLanguageModel Policy { get; }

    /// <summary>The frozen reference, or null when the pairs carry precomputed reference log-probabilities.</summary>
    public ICausalLanguageModel? Reference { get; }

    /// <summary>The settings.</summary>
    public DpoOptions Options { get; }

    /// <summary>The optimizer over the policy's trainable parameters.</summary>
    public AdamW Optimizer { get; }

    /// <summary>The learning-rate multiplier (linear warm-up, then <see cref="DpoOptions.Decay"/>).</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Optimizer steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// The pairs with log π_ref(y_w | x) and log π_ref(y_l | x) computed once by <paramref name="reference"/> (TRL's
    /// <c>precompute_ref_log_probs</c>), so that training needs no reference model in memory.
    /// </summary>
    public static IReadOnlyList<PreferencePair> PrecomputeReferenceLogProbs(
        ICausalLanguageModel reference, IReadOnlyList<PreferencePair> pairs, int batchSize = 8, int padTokenId = 0)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(pairs);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"'{nameof(batchSize)}' must be > 0; got {batchSize}.");
        }

        CheckPairs(pairs, reference.VocabSize);
        var result = new PreferencePair[pairs.Count];
        float[] logits = [];
        for (int start = 0; start < pairs.Count; start += batchSize)
        {
            PreferencePair[] slice = pairs.Skip(start).Take(batchSize).ToArray();
            SftBatch batch = Concatenate(slice, padTokenId);
            float[] logProbs = SequenceLogProbs(reference, batch, ref logits, default);
            for (int i = 0; i < slice.Length; i++)
            {
                result[start + i] = slice[i].WithReferenceLogProbs(logProbs[i], logProbs[slice.Length + i]);
            }
        }

        return result;
    }

    /// <summary>
    /// Adds to the policy's gradients the gradient of the mean preference loss over <paramref name="pairs"/> and returns
    /// the batch's metrics (computed before any update). Does not clear the gradients and does not step.
    /// </summary>
    /// <exception cref="ArgumentException">FTG0006: no reference model and a pair without precomputed reference log-probabilities; or a token outside the vocabulary.</exception>
    public DpoMetrics AccumulateGradients(IReadOnlyList<PreferencePair> pairs) => Run(pairs, backward: true);

    /// <summary>The metrics of <paramref name="pairs"/> under the current policy, without touching gradients or parameters.</summary>
    public DpoMetrics Evaluate(IReadOnlyList<PreferencePair> pairs) => Run(pairs, backward: false);

    /// <summary>One optimizer step: clear, accumulate over <paramref name="pairs"/>, clip, schedule, update.</summary>
    public DpoMetrics TrainStep(IReadOnlyList<PreferencePair> pairs)
    {
        Optimizer.ZeroGradients();
        DpoMetrics metrics = AccumulateGradients(pairs);
        if (Options.MaxGradNorm > 0)
        {
            GradientClipping.ClipByGlobalNorm(_trainable, Options.MaxGradNorm);
        }

        Optimizer.LearningRateScale = Schedule.Factor(StepCount);
        Optimizer.Step();
        StepCount++;
        return metrics;
    }

    /// <summary>
    /// Trains for <see cref="DpoOptions.MaxSteps"/> steps of <see cref="DpoOptions.BatchSize"/> pairs, visiting
    /// <paramref name="pairs"/> in seeded shuffled epochs, and reports every step.
    /// </summary>
    public DpoRunResult Train(IReadOnlyList<PreferencePair> pairs, IProgress<DpoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        CheckPairs(pairs, Policy.VocabSize);
        CheckReferenceAvailable(pairs);
        var random = new SeededRandom(Options.Seed);
        int[] order = Enumerable.Range(0, pairs.Count).ToArray();
        int position = order.Length;
        var history = new List<DpoMetrics>();
        var batch = new PreferencePair[Options.BatchSize];
        for (int step = 1; step <= Options.MaxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < batch.Length; i++)
            {
                if (position == order.Length)
                {
                    Shuffle(order, random);
                    position = 0;
                }

                batch[i] = pairs[order[position++]];
            }

            float learningRate = Options.LearningRate * Schedule.Factor(StepCount);
            DpoMetrics metrics = TrainStep(batch);
            history.Add(metrics);
            progress?.Report(new DpoProgress(step, Options.MaxSteps, learningRate, metrics));
        }

        return new DpoRunResult(history.Count, history);
    }

    /// <summary>Saves the policy's trainable tensors (only) to a safetensors file; see <see cref="TrainableCheckpoint"/>.</summary>
    public void SaveCheckpoint(string path) => TrainableCheckpoint.Save(path, Policy, StepCount);

    private DpoMetrics Run(IReadOnlyList<PreferencePair> pairs, bool backward)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            throw new ArgumentException("A step needs at least one preference pair.", nameof(pairs));
        }

        CheckPairs(pairs, Policy.VocabSize);
        CheckReferenceAvailable(pairs);
        int count = pairs.Count;
        int vocab = Policy.VocabSize;
        SftBatch batch = Concatenate(pairs, Options.PadTokenId);

        Span<float> grad = backward ? Buffer(ref _gradLogits, batch.Rows * vocab) : default;
        float[] policyLogProbs = SequenceLogProbs(Policy, batch, ref _logits, grad);
        float[] referenceLogProbs;
        double? kl = null;
        bool precomputed = pairs.All(p => p.HasReferenceLogProbs);
        if (precomputed)
        {
            referenceLogProbs = new float[2 * count];
            for (int i = 0; i < count; i++)
            {
                referenceLogProbs[i] = pairs[i].ReferenceChosenLogProb!.Value;
                referenceLogProbs[count + i] = pairs[i].ReferenceRejectedLogProb!.Value;
            }
        }
        else
        {
            referenceLogProbs = SequenceLogProbs(Reference!, batch, ref _referenceLogits, default);
        }

        if (Reference is not null)
        {
            if (precomputed)
            {
                Reference.Forward(batch.Tokens, batch.BatchSize, batch.SequenceLength, Buffer(ref _referenceLogits, batch.Rows * vocab));
            }

            kl = MeanCompletionKl(batch, _logits.AsSpan(0, batch.Rows * vocab), _referenceLogits.AsSpan(0, batch.Rows * vocab), vocab);
        }

        var gradChosen = new float[count];
        var gradRejected = new float[count];
        ReadOnlySpan<float> policy = policyLogProbs;
        ReadOnlySpan<float> reference = referenceLogProbs;
        DpoBatchResult result = Dpo.Loss(
            policy[..count], policy[count..], reference[..count], reference[count..],
            Options.Beta, Options.LossType, gradChosen, gradRejected, Options.LabelSmoothing);

        if (backward)
        {
            // grad holds ∂ log πθ(y_b) / ∂ logits in the rows of sequence b; the chain rule scales each sequence's rows by
            // ∂L / ∂ log πθ(y_b) (chosen rows first, then rejected).
            int rowsPerSequence = batch.SequenceLength * vocab;
            for (int b = 0; b < 2 * count; b++)
            {
                float scale = b < count ? gradChosen[b] : gradRejected[b - count];
                Span<float> rows = grad.Slice(b * rowsPerSequence, rowsPerSequence);
                TensorPrimitives.Multiply(rows, scale, rows);
            }

            Policy.Backward(grad);
        }

        return new DpoMetrics(
            result.Loss, result.ChosenReward, result.RejectedReward, result.RewardAccuracy, result.RewardMargin,
            policyLogProbs.Take(count).Average(), policyLogProbs.Skip(count).Average(), kl, count);
    }

    /// <summary>Mean KL(policy ‖ reference) of the next-token distributions over the completion positions.</summary>
    private static double MeanCompletionKl(SftBatch batch, ReadOnlySpan<float> policyLogits, ReadOnlySpan<float> referenceLogits, int vocab)
    {
        var perRow = new float[batch.Rows];
        KlDivergence.PerRow(policyLogits, referenceLogits, vocab, perRow);
        double sum = 0;
        for (int row = 0; row < batch.Rows; row++)
        {
            sum += batch.Targets[row] == CrossEntropy.IgnoreIndex ? 0 : perRow[row];
        }

        return sum / batch.TargetTokenCount;
    }

    /// <summary>Forwards <paramref name="model"/> on the batch and returns each sequence's completion log-probability.</summary>
    private static float[] SequenceLogProbs(ICausalLanguageModel model, SftBatch batch, ref float[] logitsBuffer, Span<float> grad)
    {
        int vocab = model.VocabSize;
        Span<float> logits = Buffer(ref logitsBuffer, batch.Rows * vocab);
        model.Forward(batch.Tokens, batch.BatchSize, batch.SequenceLength, logits);
        var mask = new float[batch.Rows];
        for (int row = 0; row < batch.Rows; row++)
        {
            mask[row] = batch.Targets[row] == CrossEntropy.IgnoreIndex ? 0f : 1f;
        }

        var logProbs = new float[batch.BatchSize];
        SequenceLogProb.PerSequence(logits, batch.Targets, mask, vocab, logProbs, grad);
        return logProbs;
    }

    /// <summary>prompt + chosen for every pair, then prompt + rejected, with completion-only targets.</summary>
    private static SftBatch Concatenate(IReadOnlyList<PreferencePair> pairs, int padTokenId)
    {
        var sequences = new List<SftExample>(2 * pairs.Count);
        sequences.AddRange(pairs.Select(p => p.ChosenSequence()));
        sequences.AddRange(pairs.Select(p => p.RejectedSequence()));
        return SftBatch.Collate(sequences, LossScope.AnswerOnly, padTokenId);
    }

    private static void CheckPairs(IReadOnlyList<PreferencePair> pairs, int vocab)
    {
        for (int i = 0; i < pairs.Count; i++)
        {
            PreferencePair pair = pairs[i] ?? throw new ArgumentException($"Pair {i} is null.", nameof(pairs));
            if (pair.Prompt.Count == 0)
            {
                // The first completion token would have nothing to condition on and could not be scored.
                throw new ArgumentException($"Pair {i} has an empty prompt; a completion is scored from the token before it, so start it with at least a BOS token.", nameof(pairs));
            }

            foreach (int token in pair.Prompt.Concat(pair.Chosen).Concat(pair.Rejected))
            {
                if ((uint)token >= (uint)vocab)
                {
                    throw new ArgumentException($"Pair {i} has token {token}, outside the vocabulary [0, {vocab}).", nameof(pairs));
                }
            }
        }
    }

    private void CheckReferenceAvailable(IReadOnlyList<PreferencePair> pairs)
    {
        if (Reference is not null)
        {
            return;
        }

        for (int i = 0; i < pairs.Count; i++)
        {
            if (!pairs[i].HasReferenceLogProbs)
            {
                throw new ArgumentException(NoReferenceMessage($"pair {i} has no precomputed reference log-probabilities and the trainer has no reference model"), nameof(pairs));
            }
        }
    }

    private static string NoReferenceMessage(string why)
        => $"FTG0006: Preference loss has no reference model: {why}. DPO measures the policy against a frozen reference, " +
           "margin = (log πθ(yw) − log πθ(yl)) − (log πref(yw) − log πref(yl)); pass a frozen reference model or precompute the reference log-probabilities " +
           "(DpoTrainer.PrecomputeReferenceLogProbs). For a reference-free objective use ReferenceFree.SimPo or ReferenceFree.Orpo.";

    private static void Shuffle(int[] items, SeededRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
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
