using System.Numerics.Tensors;
using FineTuneGuard.Kernels;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The model fine-tuned with LoRA: a frozen copy of the base <see cref="CharMlp"/> plus a LoRA adapter on each of its
/// two projections. Only the adapters' A and B are trained; the forward pass is the base model's with each
/// <c>x·Wᵀ</c> replaced by the generated layer's <c>Forward</c> (<c>x·Wᵀ + s·(x·Aᵀ)·Bᵀ</c>).
/// </summary>
public sealed class LoraCharMlp : ITrainableCharModel
{
    /// <summary>Wraps <paramref name="frozenBase"/> (a copy made with <c>Clone(trainable: false)</c>) with two adapters.</summary>
    /// <param name="frozenBase">The pre-trained weights, frozen.</param>
    /// <param name="hidden">LoRA on the hidden projection.</param>
    /// <param name="output">LoRA on the output projection.</param>
    /// <param name="adaptersTrainable">False for a frozen snapshot (the DPO reference): then nothing in the model is trainable.</param>
    public LoraCharMlp(CharMlp frozenBase, LoraLayerBase hidden, LoraLayerBase output, bool adaptersTrainable = true)
    {
        if (frozenBase.Parameters.Any(p => p.Trainable))
        {
            throw new ArgumentException("The base of a LoRA model must be frozen: pass base.Clone(trainable: false).", nameof(frozenBase));
        }

        Base = frozenBase;
        Hidden = hidden;
        Output = output;
        // The layers own their trainable tensors (value and accumulated gradient); a frozen copy (a DPO reference) views
        // the same values through parameters that no optimizer may take.
        HiddenA = adaptersTrainable ? hidden.LoraA : new Parameter("hidden.lora_A", hidden.A, trainable: false);
        HiddenB = adaptersTrainable ? hidden.LoraB : new Parameter("hidden.lora_B", hidden.B, trainable: false);
        OutputA = adaptersTrainable ? output.LoraA : new Parameter("output.lora_A", output.A, trainable: false);
        OutputB = adaptersTrainable ? output.LoraB : new Parameter("output.lora_B", output.B, trainable: false);
    }

    /// <summary>The pre-trained weights, never updated while the adapters train.</summary>
    [Frozen]
    public CharMlp Base { get; }

    /// <summary>LoRA on the hidden projection.</summary>
    [Trainable]
    public LoraLayerBase Hidden { get; }

    /// <summary>LoRA on the output projection.</summary>
    [Trainable]
    public LoraLayerBase Output { get; }

    /// <summary>The hidden adapter's A as an optimizer parameter (it shares the adapter's array).</summary>
    [Trainable]
    public Parameter HiddenA { get; }

    /// <summary>The hidden adapter's B as an optimizer parameter.</summary>
    [Trainable]
    public Parameter HiddenB { get; }

    /// <summary>The output adapter's A as an optimizer parameter.</summary>
    [Trainable]
    public Parameter OutputA { get; }

    /// <summary>The output adapter's B as an optimizer parameter.</summary>
    [Trainable]
    public Parameter OutputB { get; }

    /// <summary>Every tensor of the model, base first, with its trainable flag: the seeds' freeze audit reads this.</summary>
    public IReadOnlyList<Parameter> AllParameters => [.. Base.Parameters, HiddenA, HiddenB, OutputA, OutputB];

    /// <summary>The adapter tensors (what the optimizer gets); empty for a frozen snapshot.</summary>
    public IReadOnlyList<Parameter> TrainableParameters => AllParameters.Where(p => p.Trainable).ToArray();

    /// <summary>Every tensor with its role: the base ones frozen, the adapters' A and B trainable.</summary>
    public IReadOnlyList<ModelParameter> Tensors =>
        [.. Base.Tensors, .. new[] { HiddenA, HiddenB, OutputA, OutputB }.Select(p => new ModelParameter(p, ParameterRole.Adapter))];

    /// <summary>Both adapters on (the tuned model) or off (exactly the base model — the seeds' ablation).</summary>
    public bool AdaptersEnabled
    {
        get => Hidden.Enabled && Output.Enabled;
        set
        {
            Hidden.Enabled = value;
            Output.Enabled = value;
        }
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<int> contexts, int rows, MlpActivations activations)
    {
        activations.Resize(rows);
        Span<float> input = activations.InputSpan;
        Span<float> hidden = activations.HiddenSpan;
        RowOps.GatherEmbeddings(contexts, rows, Base.Embedding.Value, input);

        Hidden.Forward(rows, input, Base.HiddenWeight.Value, hidden);
        RowOps.AddBias(hidden, rows, Base.HiddenBias.Value);
        TensorPrimitives.Tanh(hidden, hidden);

        Output.Forward(rows, hidden, Base.OutputWeight.Value, activations.LogitsSpan);
        RowOps.AddBias(activations.LogitsSpan, rows, Base.OutputBias.Value);
    }

    /// <summary>
    /// Adapter gradients (added to <see cref="Parameter.Gradient"/>) from <see cref="MlpActivations.GradLogits"/>: back through the output adapter (which also gives
    /// the gradient reaching the hidden layer), tanh, and the hidden adapter. The base weights get no gradient at all —
    /// nothing is computed for them, which is where LoRA saves memory and time.
    /// </summary>
    public void Backward(ReadOnlySpan<int> contexts, MlpActivations activations)
    {
        int rows = activations.Rows;
        ReadOnlySpan<float> hidden = activations.HiddenSpan;
        Span<float> gradHidden = activations.GradHiddenSpan;

        Output.Backward(rows, hidden, Base.OutputWeight.Value, activations.GradLogitsSpan, gradHidden);
        RowOps.TanhBackward(gradHidden, hidden);
        Hidden.Backward(rows, activations.InputSpan, Base.HiddenWeight.Value, gradHidden, dx: default);
    }

    /// <summary>
    /// A plain <see cref="CharMlp"/> with both adapters folded into copies of the base weights (W' = W + s·B·A, the
    /// layers' <c>AddDeltaTo</c>, which leaves the layers unmerged): the deployment form, with no adapter cost at inference. The frozen base is untouched.
    /// </summary>
    public CharMlp Merge()
    {
        CharMlp merged = Base.Clone(trainable: false);
        Hidden.AddDeltaTo(merged.HiddenWeight.Value);
        Output.AddDeltaTo(merged.OutputWeight.Value);
        return merged;
    }

    /// <summary>
    /// A frozen copy of this model: fresh adapter instances holding the current A and B, flagged not trainable (the
    /// DPO reference policy). It shares the frozen base, which nothing writes.
    /// </summary>
    public LoraCharMlp FrozenSnapshot(LoraLayerBase hidden, LoraLayerBase output)
    {
        CopyAdapter(Hidden, hidden);
        CopyAdapter(Output, output);
        return new LoraCharMlp(Base, hidden, output, adaptersTrainable: false);

        static void CopyAdapter(LoraLayerBase from, LoraLayerBase to)
        {
            from.A.CopyTo(to.A, 0);
            from.B.CopyTo(to.B, 0);
            to.Enabled = from.Enabled;
        }
    }
}
