namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The tiny model seen through the runtime's <c>ICausalLanguageModel</c> contract, so that <c>SftTrainer</c> and
/// <c>DpoTrainer</c> can train it: token rows in, next-token logits out (position i predicts token i + 1), a
/// backward pass that adds into the trainable tensors' gradients, and every tensor listed with its freeze decision
/// and role.
/// </summary>
public sealed class CharLanguageModel : ICausalLanguageModel
{
    private readonly MlpActivations _activations = new();
    private ContextBatch? _lastBatch;

    /// <summary>Wraps <paramref name="model"/> (the base, a LoRA model, or a frozen copy).</summary>
    public CharLanguageModel(ITrainableCharModel model)
    {
        Model = model;
        Parameters = model.Tensors;
    }

    /// <summary>The wrapped model.</summary>
    public ITrainableCharModel Model { get; }

    /// <inheritdoc />
    public int VocabSize => ModelDimensions.Vocabulary;

    /// <inheritdoc />
    public IReadOnlyList<ModelParameter> Parameters { get; }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<int> tokens, int batch, int sequenceLength, Span<float> logits)
    {
        _lastBatch = ContextBatch.FromTokenRows(tokens, batch, sequenceLength);
        Model.Forward(_lastBatch.Contexts, _lastBatch.Rows, _activations);
        _activations.LogitsSpan.CopyTo(logits);
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> gradLogits)
    {
        ContextBatch batch = _lastBatch ?? throw new InvalidOperationException("Backward needs a Forward first.");
        gradLogits.CopyTo(_activations.GradLogitsSpan);
        Model.Backward(batch.Contexts, _activations);
    }
}
