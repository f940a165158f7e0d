namespace FineTuneGuard.Kernels;

/// <summary>
/// One product scale·op(A)·op(B) of a GEMM, with op(A) m x k and op(B) k x n. A GEMM may sum two terms over a
/// concatenated K (that is how the LoRA forward adds s·(x·Aᵀ)·Bᵀ to x·Wᵀ without a second pass over the output).
/// A is stored m x k with leading dimension <see cref="Lda"/> (or k x m when <see cref="TransposeA"/>); B is stored k x n
/// (or n x k when <see cref="TransposeB"/>). <see cref="Scale"/> is folded into the packed B panel.
/// </summary>
internal readonly unsafe struct GemmTerm
{
    /// <summary>Creates a term.</summary>
    public GemmTerm(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, int k, float scale)
    {
        A = a;
        Lda = lda;
        TransposeA = transposeA;
        B = b;
        Ldb = ldb;
        TransposeB = transposeB;
        K = k;
        Scale = scale;
    }

    /// <summary>First element of A.</summary>
    public float* A { get; }

    /// <summary>Row stride of A as stored.</summary>
    public int Lda { get; }

    /// <summary>A is stored k x m.</summary>
    public bool TransposeA { get; }

    /// <summary>First element of B.</summary>
    public float* B { get; }

    /// <summary>Row stride of B as stored.</summary>
    public int Ldb { get; }

    /// <summary>B is stored n x k.</summary>
    public bool TransposeB { get; }

    /// <summary>Reduction length of this term.</summary>
    public int K { get; }

    /// <summary>Multiplier of this term, applied while packing B.</summary>
    public float Scale { get; }
}
