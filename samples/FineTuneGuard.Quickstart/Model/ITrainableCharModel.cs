using FineTuneGuard.Optimization;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>A model the training loops can train: its trainable tensors, and the gradients of them from the logits' gradient.</summary>
public interface ITrainableCharModel : ICharModel
{
    /// <summary>The tensors the optimizer updates (every base weight for full training, only A and B for LoRA).</summary>
    IReadOnlyList<Parameter> TrainableParameters { get; }

    /// <summary>Every tensor of the model, trainable and frozen, with its role (embedding, base weight, head, bias, adapter).</summary>
    IReadOnlyList<ModelParameter> Tensors { get; }

    /// <summary>
    /// Adds to the <see cref="Parameter.Gradient"/> of every trainable tensor the gradient from
    /// <see cref="MlpActivations.GradLogits"/> and the activations of the last <see cref="ICharModel.Forward"/> on the
    /// same <paramref name="contexts"/> (gradients accumulate until the optimizer's <c>ZeroGradients</c>).
    /// </summary>
    void Backward(ReadOnlySpan<int> contexts, MlpActivations activations);
}
