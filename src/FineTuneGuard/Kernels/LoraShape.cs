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
    /// <exception cref="System.ArgumentOutOfRangeException">The product exceeds the largest .NET array.</exception>
    public int WeightLength => Length("W", OutFeatures, InFeatures);

    /// <summary>Elements of A: r·in.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The product exceeds the largest .NET array.</exception>
    public int ALength => Length("A", Rank, InFeatures);

    /// <summary>Elements of B: out·r.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The product exceeds the largest .NET array.</exception>
    public int BLength => Length("B", OutFeatures, Rank);

    /// <summary>Trainable parameters of the adapter: r·(in + out).</summary>
    public long TrainableParameters => (long)Rank * ((long)InFeatures + OutFeatures);

    // In long arithmetic, so a size past int.MaxValue is a typed refusal naming the tensor, not an OverflowException,
    // and one past Array.MaxLength is refused before an allocation fails with "Array dimensions exceeded supported range".
    private static int Length(string tensor, int rows, int cols)
    {
        long length = (long)rows * cols;
        if (length > System.Array.MaxLength)
        {
            throw new System.ArgumentOutOfRangeException(
                tensor,
                $"LoRA tensor {tensor} [{rows} x {cols}] has {length} elements; a .NET array holds at most {System.Array.MaxLength}.");
        }

        return (int)length;
    }
}
