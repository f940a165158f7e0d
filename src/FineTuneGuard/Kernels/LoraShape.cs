namespace FineTuneGuard.Kernels;

/// <summary>
/// Shapes of one LoRA-adapted linear layer y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ: W is OutFeatures x InFeatures, A is Rank x InFeatures,
/// B is OutFeatures x Rank (all row-major).
/// </summary>
/// <param name="InFeatures">Input width (columns of W and A).</param>
/// <param name="OutFeatures">Output width (rows of W and B).</param>
/// <param name="Rank">LoRA rank r (rows of A, columns of B).</param>
public readonly record struct LoraShape(int InFeatures, int OutFeatures, int Rank)
{
    /// <summary>Elements of W: out·in.</summary>
    public int WeightLength => checked(OutFeatures * InFeatures);

    /// <summary>Elements of A: r·in.</summary>
    public int ALength => checked(Rank * InFeatures);

    /// <summary>Elements of B: out·r.</summary>
    public int BLength => checked(OutFeatures * Rank);

    /// <summary>Trainable parameters of the adapter: r·(in + out).</summary>
    public long TrainableParameters => (long)Rank * ((long)InFeatures + OutFeatures);
}
