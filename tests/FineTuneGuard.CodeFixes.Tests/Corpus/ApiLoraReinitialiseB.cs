// Re-using the A initialiser on a generated layer's B between tasks: B·A ≠ 0 before the first step.
using System;
using FineTuneGuard; using FineTuneGuard.Kernels; using FineTuneGuard.Numerics;

namespace Corpus.ApiLoraReinitialiseB;

[LoraLayer(1024, 1024, Rank = 16, Alpha = 32)]
public partial class TaskAdapter { }

public static class TaskSwitching
{
    public static void ResetWrong(TaskAdapter adapter, ulong seed)
    {
        var random = new SeededRandom(seed);
        Lora.InitializeA(adapter.Shape, adapter.A, random);
        Lora.InitializeA(adapter.Shape, adapter.B, random); // expect: FTG0004
    }

    public static void ResetRight(TaskAdapter adapter, ulong seed)
    {
        Lora.InitializeA(adapter.Shape, adapter.A, new SeededRandom(seed));
        Array.Clear(adapter.B);
    }
}
