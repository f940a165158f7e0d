namespace FineTuneGuard.Quickstart.Model;

/// <summary>Anything that maps context windows to next-character logits: the base model, a LoRA-tuned model, a merged model.</summary>
public interface ICharModel
{
    /// <summary>Logits for <paramref name="rows"/> context windows (rows x Context ids) into <see cref="MlpActivations.Logits"/>.</summary>
    void Forward(ReadOnlySpan<int> contexts, int rows, MlpActivations activations);
}
