using System.Numerics.Tensors;
using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// Direct Preference Optimization (Rafailov et al. 2023) on the LoRA adapters of a policy, against a frozen reference
/// copy of the same model. Per pair: h = (log π(y_w) − log π(y_l)) − (log π_ref(y_w) − log π_ref(y_l)),
/// loss = −log σ(β·h) (the runtime's <c>Dpo.Loss</c>). At step 0 the policy equals the reference, so h = 0 and the loss
/// is exactly ln 2; it falls as the policy prefers the chosen answers more than the reference does.
/// </summary>
public sealed class DpoLoop
{
    private readonly LoraCharMlp _policy;

    // The reference policy: a separate instance (FTG0007 if it were the policy itself), never handed to the
    // optimizer, and declared frozen so the analyzers can hold us to it (FTG0008).
    [ReferenceModel]
    [Frozen]
    private readonly LoraCharMlp _reference;

    private readonly PreferenceSequences _batch;
    private readonly float _beta;
    private readonly MlpActivations _activations = new();
    private readonly float[] _referenceChosen, _referenceRejected;

    /// <summary>Prepares DPO of <paramref name="policy"/> against <paramref name="reference"/> on <paramref name="batch"/>.</summary>
    public DpoLoop(LoraCharMlp policy, LoraCharMlp reference, PreferenceSequences batch, float beta)
    {
        if (ReferenceEquals(policy, reference))
        {
            throw new ArgumentException("The DPO reference must be a frozen copy, not the policy itself.", nameof(reference));
        }

        _policy = policy;
        _reference = reference;
        _batch = batch;
        _beta = beta;
        (_referenceChosen, _referenceRejected) = SequenceLogProbs(_reference, gradients: false);
    }

    /// <summary>The reference's log-probabilities of the chosen completions (computed once: the reference never changes).</summary>
    public IReadOnlyList<float> ReferenceChosen => _referenceChosen;

    /// <summary>Recomputes the reference's log-probabilities (to verify at the end that it did not move).</summary>
    public bool ReferenceUnchanged()
    {
        (float[] chosen, float[] rejected) = SequenceLogProbs(_reference, gradients: false);
        return chosen.AsSpan().SequenceEqual(_referenceChosen) && rejected.AsSpan().SequenceEqual(_referenceRejected);
    }

    /// <summary>One DPO step on every pair; returns the batch metrics before the update.</summary>
    public DpoBatchResult Step(AdamW optimizer)
    {
        (float[] policyChosen, float[] policyRejected) = SequenceLogProbs(_policy, gradients: true);
        var gradChosen = new float[_batch.Pairs];
        var gradRejected = new float[_batch.Pairs];
        DpoBatchResult result = Dpo.Loss(policyChosen, policyRejected, _referenceChosen, _referenceRejected, _beta, DpoLossType.Sigmoid, gradChosen, gradRejected);

        // Chain rule: ∂loss/∂logits = ∂loss/∂log π(y) · ∂log π(y)/∂logits, sequence by sequence.
        Scale(_batch.ChosenStart, gradChosen);
        Scale(_batch.RejectedStart, gradRejected);
        _policy.Backward(_batch.Batch.Contexts, _activations);
        GradientClipping.ClipByGlobalNorm(_policy.TrainableParameters, maxNorm: 1f);
        optimizer.Step();
        return result;
    }

    private void Scale(Func<int, int> start, float[] factors)
    {
        int length = _batch.RowsPerSequence * ModelDimensions.Vocabulary;
        for (int i = 0; i < factors.Length; i++)
        {
            Span<float> grad = _activations.GradLogits.AsSpan(start(i) * ModelDimensions.Vocabulary, length);
            TensorPrimitives.Multiply(grad, factors[i], grad);
        }
    }

    /// <summary>
    /// log π(completion | prompt) of every chosen and rejected sequence, in one forward pass and one call of the
    /// runtime's <c>SequenceLogProb.PerSequence</c> (which also writes each sequence's ∂log π/∂logits when asked).
    /// </summary>
    private (float[] Chosen, float[] Rejected) SequenceLogProbs(LoraCharMlp model, bool gradients)
    {
        ContextBatch batch = _batch.Batch;
        model.Forward(batch.Contexts, batch.Rows, _activations);
        var logProbs = new float[2 * _batch.Pairs];
        SequenceLogProb.PerSequence(
            _activations.LogitsSpan, batch.Targets, batch.Mask, ModelDimensions.Vocabulary, logProbs,
            gradients ? _activations.GradLogitsSpan : default);
        return (logProbs[.._batch.Pairs], logProbs[_batch.Pairs..]);
    }
}
