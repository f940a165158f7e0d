namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The intermediate values of one forward pass, kept for the backward pass: the concatenated context embeddings,
/// the hidden layer after tanh, and the logits. Buffers grow to the largest batch seen and are then reused, so a
/// training loop allocates nothing per step.
/// </summary>
public sealed class MlpActivations
{
    /// <summary>Rows of the last forward pass.</summary>
    public int Rows { get; private set; }

    /// <summary>Rows x InputWidth: the context's embeddings side by side.</summary>
    public float[] Input { get; private set; } = [];

    /// <summary>Rows x Hidden: tanh(hidden pre-activation).</summary>
    public float[] Hidden { get; private set; } = [];

    /// <summary>Rows x Vocabulary.</summary>
    public float[] Logits { get; private set; } = [];

    /// <summary>Rows x Vocabulary scratch for the gradient of the loss with respect to the logits.</summary>
    public float[] GradLogits { get; private set; } = [];

    /// <summary>Rows x Hidden scratch for gradients flowing into the hidden layer.</summary>
    public float[] GradHidden { get; private set; } = [];

    /// <summary>Rows x InputWidth scratch for gradients flowing into the embeddings.</summary>
    public float[] GradInput { get; private set; } = [];

    /// <summary>The input of the last forward pass, exactly Rows x InputWidth long.</summary>
    public Span<float> InputSpan => Input.AsSpan(0, Rows * ModelDimensions.InputWidth);

    /// <summary>The hidden layer of the last forward pass, exactly Rows x Hidden long.</summary>
    public Span<float> HiddenSpan => Hidden.AsSpan(0, Rows * ModelDimensions.Hidden);

    /// <summary>Gradient scratch of the hidden layer, exactly Rows x Hidden long.</summary>
    public Span<float> GradHiddenSpan => GradHidden.AsSpan(0, Rows * ModelDimensions.Hidden);

    /// <summary>Gradient scratch of the input, exactly Rows x InputWidth long.</summary>
    public Span<float> GradInputSpan => GradInput.AsSpan(0, Rows * ModelDimensions.InputWidth);

    /// <summary>The logits of the last forward pass, exactly Rows x Vocabulary long.</summary>
    public Span<float> LogitsSpan => Logits.AsSpan(0, Rows * ModelDimensions.Vocabulary);

    /// <summary>The loss gradient buffer, exactly Rows x Vocabulary long.</summary>
    public Span<float> GradLogitsSpan => GradLogits.AsSpan(0, Rows * ModelDimensions.Vocabulary);

    /// <summary>Makes room for <paramref name="rows"/> rows.</summary>
    public void Resize(int rows)
    {
        Rows = rows;
        if (Input.Length >= rows * ModelDimensions.InputWidth)
        {
            return;
        }

        Input = new float[rows * ModelDimensions.InputWidth];
        Hidden = new float[rows * ModelDimensions.Hidden];
        Logits = new float[rows * ModelDimensions.Vocabulary];
        GradLogits = new float[rows * ModelDimensions.Vocabulary];
        GradHidden = new float[rows * ModelDimensions.Hidden];
        GradInput = new float[rows * ModelDimensions.InputWidth];
    }
}
