namespace FineTuneGuard.Kernels;

/// <summary>
/// Shapes of a bottleneck adapter (Houlsby et al., 2019) y = x + act(x·downᵀ + b_d)·upᵀ + b_u: down is
/// Bottleneck x ModelDim, up is ModelDim x Bottleneck (row-major).
/// </summary>
/// <param name="ModelDim">Width d of the residual stream.</param>
/// <param name="Bottleneck">Width b of the bottleneck.</param>
public readonly record struct AdapterShape(int ModelDim, int Bottleneck)
{
    /// <summary>Elements of the down projection: b·d.</summary>
    public int DownLength => checked(Bottleneck * ModelDim);

    /// <summary>Elements of the up projection: d·b.</summary>
    public int UpLength => checked(ModelDim * Bottleneck);
}
