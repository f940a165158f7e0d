namespace FineTuneGuard.Attention;

/// <summary>
/// The pinned buffers of one attention call, as raw pointers so that a work item running on a pool thread can reach
/// them (spans cannot cross into a closure). Valid only while the public entry point that pinned them is on the stack.
/// </summary>
internal unsafe struct AttentionBuffers
{
    public float* Q;
    public float* K;
    public float* V;
    public float* PrefixKeys;
    public float* PrefixValues;
    public float* Output;

    /// <summary>Per-row log-sum-exp; null in a forward call that does not keep it.</summary>
    public float* LogSumExp;

    /// <summary>Additive mask, or null.</summary>
    public float* AdditiveMask;

    /// <summary>Boolean mask, or null.</summary>
    public bool* AllowedMask;

    /// <summary>True when the mask has one [t x (p + t)] plane per sequence, false when the batch shares one.</summary>
    public bool MaskPerBatch;

    public float* DOutput;
    public float* DQ;
    public float* DK;
    public float* DV;

    /// <summary>
    /// Per work item (batch, kv head) partial prefix gradients, [batch x kvHeads x 2 x p x d] (keys then values), reduced
    /// over the batch in a fixed order after the parallel loop; null when the prefix is frozen (no prefix gradients).
    /// </summary>
    public float* PrefixGradientPartials;
}

/// <summary>Which register width the tile kernels use.</summary>
internal enum AttentionLanes
{
    /// <summary>The widest accelerated width of the machine.</summary>
    Auto,

    /// <summary>One float at a time (portable fallback).</summary>
    Scalar,

    /// <summary>8 floats.</summary>
    Vector256,

    /// <summary>16 floats.</summary>
    Vector512,
}
