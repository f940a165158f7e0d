// FTG0004 / FTG0005: how LoRA's two factors start.
// ΔW = s·B·A. PEFT draws A at random and sets B = 0, so ΔW = 0 at step 0: the tuned model starts exactly equal to the
// base model, and the gradient of B (s·dyᵀ·(x·Aᵀ)) is non-zero, so learning starts at once.
using FineTuneGuard;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.CommonMistakes;

/// <summary>A rank-4 adapter on a 64 x 64 projection (the generator fills in A, B, Forward, ...).</summary>
[LoraLayer(64, 64, Rank = 4, Alpha = 8)]
public sealed partial class ValueLora;

/// <summary>Bug: B drawn at random. B·A ≠ 0 before the first step, so "fine-tuning" starts from a perturbed model.</summary>
public static class RandomLoraB
{
    public static ValueLora Create(SeededRandom random)
    {
        var lora = new ValueLora(seed: 1);
        random.FillNormal(lora.B, 0f, 0.02f); // FTG0004
        return lora;
    }
}

/// <summary>Fixed: keep the generated initialisation (A Kaiming-uniform, B zeros); re-zeroing B is fine too.</summary>
public static class PeftLoraInitialisation
{
    public static ValueLora Create()
    {
        var lora = new ValueLora(seed: 1);
        Array.Clear(lora.B);
        return lora;
    }
}

/// <summary>Bug: A and B both zero. Then dL/dA = s·Bᵀ·dyᵀ·x = 0 and dL/dB = s·dyᵀ·(x·Aᵀ) = 0: nothing ever trains.</summary>
public static class AllZeroLora
{
    public static ValueLora Create()
    {
        var lora = new ValueLora(seed: 1);
        Array.Clear(lora.A); // FTG0005
        Array.Clear(lora.B);
        return lora;
    }
}

/// <summary>Fixed: re-draw A as PEFT does (the runtime's Kaiming-uniform), B zeros.</summary>
public static class RedrawnLora
{
    public static ValueLora Create()
    {
        var lora = new ValueLora(seed: 1);
        Lora.InitializeA(lora.Shape, lora.A, new SeededRandom(7));
        Array.Clear(lora.B);
        return lora;
    }
}
