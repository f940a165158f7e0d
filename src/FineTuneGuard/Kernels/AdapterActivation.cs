namespace FineTuneGuard.Kernels;

/// <summary>Non-linearity between the down and up projections of a <see cref="Adapter"/>.</summary>
public enum AdapterActivation
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>
    /// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) — PyTorch's <c>gelu(approximate="tanh")</c> and
    /// Hugging Face's <c>gelu_new</c>; within 1e-3 of the exact erf form.
    /// </summary>
    Gelu,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>x (a linear adapter).</summary>
    Identity,
}
