using System;
using System.Runtime.CompilerServices;

namespace FineTuneGuard.Kernels;

/// <summary>
/// Per-thread packing buffers, allocated once per thread on the pinned object heap and 64-byte aligned, so a GEMM
/// in steady state allocates nothing and every packed panel starts on a cache line.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic]
    private static GemmWorkspace? s_current;

    private readonly float[] _a;
    private readonly float[] _b;
    private readonly float[] _tile;

    private GemmWorkspace()
    {
        _a = GC.AllocateUninitializedArray<float>((GemmBlocking.Mc * GemmBlocking.Kc) + 16, pinned: true);
        _b = GC.AllocateUninitializedArray<float>((GemmBlocking.Nc * GemmBlocking.Kc) + 16, pinned: true);
        _tile = GC.AllocateUninitializedArray<float>((14 * 32) + 16, pinned: true);
        PackedA = Align(_a);
        PackedB = Align(_b);
        Tile = Align(_tile);
    }

    /// <summary>Packed block of op(A): Mc x Kc.</summary>
    public float* PackedA { get; }

    /// <summary>Packed block of op(B): Kc x Nc.</summary>
    public float* PackedB { get; }

    /// <summary>One register tile (at most 14 x 32) for edge tiles.</summary>
    public float* Tile { get; }

    /// <summary>This thread's workspace.</summary>
    public static GemmWorkspace Current => s_current ??= new GemmWorkspace();

    private static float* Align(float[] array)
    {
        // The arrays are pinned (POH) for their whole life, so the address is stable.
        nuint address = (nuint)Unsafe.AsPointer(ref array[0]);
        return (float*)((address + 63) & ~(nuint)63);
    }
}
