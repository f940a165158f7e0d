using System;
using FineTuneGuard.Accounting;

namespace FineTuneGuard.Cli;

/// <summary>A storage precision named as people name it (fp32, fp16, bf16, int8, int4) and its bytes per value.</summary>
internal readonly record struct Precision(string Name, double Bytes)
{
    /// <summary>True for the float formats training can compute in; int8/int4 are storage-only (a quantized base).</summary>
    public bool IsFloat => Bytes >= MemoryEstimate.Float16;

    public override string ToString() => $"{Name} ({CliOutput.Number(Bytes)} bytes)";

    public static Precision Parse(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "f32" or "float32" => new("fp32", MemoryEstimate.Float32),
        "fp16" or "f16" or "float16" or "half" => new("fp16", MemoryEstimate.Float16),
        "bf16" or "bfloat16" => new("bf16", MemoryEstimate.Float16),
        "int8" or "8bit" => new("int8", MemoryEstimate.Int8),
        "int4" or "nf4" or "4bit" => new("int4", MemoryEstimate.Int4),
        _ => throw new ArgumentException($"{option} '{text}' is not a precision (fp32, fp16, bf16, int8, int4)."),
    };
}
