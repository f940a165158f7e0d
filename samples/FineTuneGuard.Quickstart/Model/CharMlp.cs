using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The base model: a character-level MLP language model (Bengio et al. 2003, the "makemore" MLP).
/// <code>
///   context (16 chars) → embeddings (16 x 16, concatenated: 256) → hidden = tanh(x·W_hᵀ + b_h) (128)
///                      → logits = hidden·W_oᵀ + b_o (32)
/// </code>
/// It is pre-trained with every weight trainable; fine-tuning then either trains a copy of all of them (full
/// fine-tuning) or freezes a copy and trains LoRA adapters on the two projections (<see cref="LoraCharMlp"/>).
/// </summary>
public sealed class CharMlp : ITrainableCharModel
{
    private CharMlp(Parameter embedding, Parameter hiddenWeight, Parameter hiddenBias, Parameter outputWeight, Parameter outputBias)
    {
        Embedding = embedding;
        HiddenWeight = hiddenWeight;
        HiddenBias = hiddenBias;
        OutputWeight = outputWeight;
        OutputBias = outputBias;
    }

    /// <summary>Character embeddings, Vocabulary x Embedding.</summary>
    public Parameter Embedding { get; }

    /// <summary>Hidden projection W_h, Hidden x InputWidth (the LoRA target "hidden").</summary>
    public Parameter HiddenWeight { get; }

    /// <summary>Hidden bias, Hidden.</summary>
    public Parameter HiddenBias { get; }

    /// <summary>Output projection W_o, Vocabulary x Hidden (the LoRA target "output").</summary>
    public Parameter OutputWeight { get; }

    /// <summary>Output bias, Vocabulary.</summary>
    public Parameter OutputBias { get; }

    /// <summary>All parameters, in a fixed order.</summary>
    public IReadOnlyList<Parameter> Parameters => [Embedding, HiddenWeight, HiddenBias, OutputWeight, OutputBias];

    /// <summary>What pre-training and full fine-tuning update: every parameter (empty for a frozen copy).</summary>
    public IReadOnlyList<Parameter> TrainableParameters => Parameters.Where(p => p.Trainable).ToArray();

    /// <summary>Every tensor with its role, so that trainers build optimizer groups (no weight decay on biases) without guessing.</summary>
    public IReadOnlyList<ModelParameter> Tensors =>
    [
        new(Embedding, ParameterRole.Embedding),
        new(HiddenWeight, ParameterRole.Base),
        new(HiddenBias, ParameterRole.Bias),
        new(OutputWeight, ParameterRole.Head),
        new(OutputBias, ParameterRole.Bias),
    ];

    /// <summary>
    /// A freshly initialised model: embeddings N(0, 1), weights N(0, 1/fan_in) so tanh starts in its linear range,
    /// a small output projection so the first predictions are close to uniform, biases zero.
    /// </summary>
    public static CharMlp Initialize(SeededRandom random)
    {
        var embedding = new float[ModelDimensions.Vocabulary * ModelDimensions.Embedding];
        var hidden = new float[ModelDimensions.Hidden * ModelDimensions.InputWidth];
        var output = new float[ModelDimensions.Vocabulary * ModelDimensions.Hidden];
        random.FillNormal(embedding, 0f, 1f);
        random.FillNormal(hidden, 0f, 1f / MathF.Sqrt(ModelDimensions.InputWidth));
        random.FillNormal(output, 0f, 0.1f / MathF.Sqrt(ModelDimensions.Hidden));
        return Create(embedding, hidden, new float[ModelDimensions.Hidden], output, new float[ModelDimensions.Vocabulary], trainable: true);
    }

    /// <summary>
    /// A deep copy. <paramref name="trainable"/> = false gives the frozen base a LoRA model wraps (its parameters can
    /// then not even be added to an optimizer group); true gives the starting point of full fine-tuning.
    /// </summary>
    public CharMlp Clone(bool trainable)
        => Create(
            (float[])Embedding.Value.Clone(),
            (float[])HiddenWeight.Value.Clone(),
            (float[])HiddenBias.Value.Clone(),
            (float[])OutputWeight.Value.Clone(),
            (float[])OutputBias.Value.Clone(),
            trainable);

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<int> contexts, int rows, MlpActivations activations)
    {
        activations.Resize(rows);
        Span<float> input = activations.InputSpan;
        Span<float> hidden = activations.HiddenSpan;
        RowOps.GatherEmbeddings(contexts, rows, Embedding.Value, input);

        // hidden = tanh(x·W_hᵀ + b_h)
        Gemm.Multiply(false, true, rows, ModelDimensions.Hidden, ModelDimensions.InputWidth, 1f, input, HiddenWeight.Value, 0f, hidden);
        RowOps.AddBias(hidden, rows, HiddenBias.Value);
        TensorPrimitives.Tanh(hidden, hidden);

        // logits = hidden·W_oᵀ + b_o
        Gemm.Multiply(false, true, rows, ModelDimensions.Vocabulary, ModelDimensions.Hidden, 1f, hidden, OutputWeight.Value, 0f, activations.LogitsSpan);
        RowOps.AddBias(activations.LogitsSpan, rows, OutputBias.Value);
    }

    /// <summary>
    /// Gradients of every parameter from <see cref="MlpActivations.GradLogits"/> (full training: pre-training and full
    /// fine-tuning), <b>added</b> to each <see cref="Parameter.Gradient"/> so that micro-batches accumulate; the
    /// optimizer's <c>ZeroGradients</c> clears them between steps.
    /// </summary>
    public void Backward(ReadOnlySpan<int> contexts, MlpActivations activations)
    {
        int rows = activations.Rows;
        ReadOnlySpan<float> gradLogits = activations.GradLogitsSpan;
        ReadOnlySpan<float> hidden = activations.HiddenSpan;
        Span<float> gradHidden = activations.GradHiddenSpan;
        Span<float> gradInput = activations.GradInputSpan;

        // Output layer: dW_o += dLogitsᵀ·hidden, db_o += Σ_rows dLogits, dHidden = dLogits·W_o.
        Gemm.Multiply(true, false, ModelDimensions.Vocabulary, ModelDimensions.Hidden, rows, 1f, gradLogits, hidden, 1f, OutputWeight.Gradient);
        RowOps.BiasGradient(gradLogits, rows, OutputBias.Gradient);
        Gemm.Multiply(false, false, rows, ModelDimensions.Hidden, ModelDimensions.Vocabulary, 1f, gradLogits, OutputWeight.Value, 0f, gradHidden);

        // Through tanh, then the hidden layer: dW_h += dPreᵀ·x, db_h += Σ_rows dPre, dx = dPre·W_h.
        RowOps.TanhBackward(gradHidden, hidden);
        Gemm.Multiply(true, false, ModelDimensions.Hidden, ModelDimensions.InputWidth, rows, 1f, gradHidden, activations.InputSpan, 1f, HiddenWeight.Gradient);
        RowOps.BiasGradient(gradHidden, rows, HiddenBias.Gradient);
        Gemm.Multiply(false, false, rows, ModelDimensions.InputWidth, ModelDimensions.Hidden, 1f, gradHidden, HiddenWeight.Value, 0f, gradInput);
        RowOps.ScatterEmbeddingGradient(contexts, rows, gradInput, Embedding.Gradient);
    }

    private static CharMlp Create(float[] embedding, float[] hiddenWeight, float[] hiddenBias, float[] outputWeight, float[] outputBias, bool trainable)
        => new(
            new Parameter("embed", embedding, trainable),
            new Parameter("hidden.weight", hiddenWeight, trainable),
            new Parameter("hidden.bias", hiddenBias, trainable),
            new Parameter("output.weight", outputWeight, trainable),
            new Parameter("output.bias", outputBias, trainable));
}
