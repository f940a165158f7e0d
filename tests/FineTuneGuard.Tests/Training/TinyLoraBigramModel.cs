using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Training;

/// <summary>
/// The smallest causal language model the trainers can be tested with: a bigram model whose next-token logits are a
/// frozen base matrix plus a LoRA update, logits(t) = W[:, t] + s·B·A[:, t] with W (V x V, frozen), A (r x V) and
/// B (V x r, zero at initialisation, so the tuned model starts equal to the base). Written with the runtime's LoRA kernels
/// on the one-hot inputs X: y = X·Wᵀ + s·(X·Aᵀ)·Bᵀ (<see cref="Lora.Forward"/>); <see cref="Lora.Backward"/> overwrites
/// dA and dB, which are then added into the gradients as the <see cref="ICausalLanguageModel"/> contract asks. An optional
/// trainable output bias exercises the no-decay group.
/// </summary>
internal sealed class TinyLoraBigramModel : ICausalLanguageModel
{
    private readonly Parameter _weight;
    private readonly Parameter _a;
    private readonly Parameter _b;
    private readonly Parameter? _bias;
    private readonly LoraShape _shape;
    private readonly float _scaling;
    private float[] _oneHot = [];
    private int _rows;

    public TinyLoraBigramModel(int vocab, int rank, float alpha, ulong seed, bool withBias = false, bool trainable = true, float baseScale = 1f)
    {
        VocabSize = vocab;
        _shape = new LoraShape(vocab, vocab, rank);
        _scaling = Lora.Scaling(alpha, rank);
        var random = new SeededRandom(seed);
        var w = new float[vocab * vocab];
        random.FillNormal(w, 0f, baseScale);
        var a = new float[rank * vocab];
        Lora.InitializeA(_shape, a, random);
        _weight = new Parameter("bigram.weight", w, trainable: false);
        _a = new Parameter("bigram.lora_A", a, trainable);
        _b = new Parameter("bigram.lora_B", new float[vocab * rank], trainable);
        _bias = withBias ? new Parameter("bigram.bias", new float[vocab], trainable) : null;
        Parameters = Build();
    }

    private TinyLoraBigramModel(TinyLoraBigramModel source, bool trainable)
    {
        VocabSize = source.VocabSize;
        _shape = source._shape;
        _scaling = source._scaling;
        _weight = source._weight; // frozen: safe to share
        _a = new Parameter(source._a.Name, (float[])source._a.Value.Clone(), trainable);
        _b = new Parameter(source._b.Name, (float[])source._b.Value.Clone(), trainable);
        _bias = source._bias is null ? null : new Parameter(source._bias.Name, (float[])source._bias.Value.Clone(), trainable);
        Parameters = Build();
    }

    public int VocabSize { get; }

    public IReadOnlyList<ModelParameter> Parameters { get; }

    public Parameter Weight => _weight;

    public Parameter A => _a;

    public Parameter B => _b;

    /// <summary>A frozen copy (the DPO reference, or the base for KL): same values, no trainable tensor.</summary>
    public TinyLoraBigramModel FrozenCopy() => new(this, trainable: false);

    /// <summary>A trainable copy with its own adapter tensors (to compare two training runs).</summary>
    public TinyLoraBigramModel TrainableCopy() => new(this, trainable: true);

    public void Forward(ReadOnlySpan<int> tokens, int batch, int sequenceLength, Span<float> logits)
    {
        int rows = batch * sequenceLength;
        Assert.Equal(rows, tokens.Length);
        Assert.Equal(rows * VocabSize, logits.Length);
        _rows = rows;
        _oneHot = new float[rows * VocabSize];
        for (int i = 0; i < rows; i++)
        {
            _oneHot[(i * VocabSize) + tokens[i]] = 1f;
        }

        Lora.Forward(_shape, _scaling, rows, _oneHot, _weight.Value, _a.Value, _b.Value, logits);
        if (_bias is not null)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int v = 0; v < VocabSize; v++)
                {
                    logits[(i * VocabSize) + v] += _bias.Value[v];
                }
            }
        }
    }

    public void Backward(ReadOnlySpan<float> gradLogits)
    {
        Assert.Equal(_rows * VocabSize, gradLogits.Length);
        if (_a.Trainable)
        {
            // The kernel overwrites dA and dB; the contract accumulates, so go through scratch and add.
            var da = new float[_a.Value.Length];
            var db = new float[_b.Value.Length];
            Lora.Backward(_shape, _scaling, _rows, _oneHot, _weight.Value, _a.Value, _b.Value, gradLogits, da, db, default);
            for (int i = 0; i < da.Length; i++)
            {
                _a.Gradient[i] += da[i];
            }

            for (int i = 0; i < db.Length; i++)
            {
                _b.Gradient[i] += db[i];
            }
        }

        if (_bias is { Trainable: true })
        {
            for (int i = 0; i < _rows; i++)
            {
                for (int v = 0; v < VocabSize; v++)
                {
                    _bias.Gradient[v] += gradLogits[(i * VocabSize) + v];
                }
            }
        }
    }

    private ModelParameter[] Build()
    {
        var list = new List<ModelParameter>
        {
            new(_weight, ParameterRole.Base),
            new(_a, ParameterRole.Adapter),
            new(_b, ParameterRole.Adapter),
        };
        if (_bias is not null)
        {
            list.Add(new ModelParameter(_bias, ParameterRole.Bias));
        }

        return [.. list];
    }
}
