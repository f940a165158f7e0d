using System;

namespace FineTuneGuard;

/// <summary>
/// With <see cref="TransformerModelAttribute"/>: the modules (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>,
/// <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>) that receive a LoRA adapter in every layer, as PEFT's
/// <c>target_modules</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LoraTargetsAttribute(params string[] modules) : Attribute
{
    /// <summary>Targeted module names.</summary>
    public string[] Modules { get; } = modules;

    /// <summary>LoRA rank. Default 8.</summary>
    public int Rank { get; set; } = 8;

    /// <summary>LoRA alpha. Default 8.</summary>
    public float Alpha { get; set; } = 8f;

    /// <summary>Rank-stabilised scaling alpha / sqrt(r).</summary>
    public bool UseRsLora { get; set; }
}
