using System.Collections.Generic;
using FineTuneGuard.Kernels;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Benchmarks;

/// <summary>
/// The peer's cases with its shapes and work counts (torch_peer.py); each case's data is created only when the case is
/// reached, so a filtered run does not allocate the others.
/// </summary>
internal static class BenchmarkCases
{
    public static IEnumerable<BenchmarkCase> All()
    {
        var random = new SeededRandom(0);

        {
            const int n = 512, d = 4096;
            float[] x = Normal(random, n * d), w = Normal(random, d * d), y = new float[n * d];
            yield return new BenchmarkCase("gemm_512x4096x4096", () => Gemm.Multiply(false, true, n, d, d, 1f, x, w, 0f, y), Flops: 2.0 * n * d * d);
        }

        {
            const int n = 512, d = 4096, r = 8;
            const float s = 2f;
            var shape = new LoraShape(d, d, r);
            float[] x = Normal(random, n * d), w = Normal(random, d * d), a = Normal(random, r * d), b = Normal(random, d * r);
            float[] y = new float[n * d];
            yield return new BenchmarkCase("lora_forward_512x4096x4096_r8", () => Lora.Forward(shape, s, n, x, w, a, b, y), Flops: (2.0 * n * d * d) + (4.0 * n * d * r));
        }

        {
            const int n = 512, d = 4096, r = 8;
            const float s = 2f;
            var shape = new LoraShape(d, d, r);
            float[] x = Normal(random, n * d), w = Normal(random, d * d), a = Normal(random, r * d), b = Normal(random, d * r);
            float[] dy = Normal(random, n * d), da = new float[r * d], db = new float[d * r], dx = new float[n * d];
            yield return new BenchmarkCase("lora_backward_512x4096x4096_r8", () => Lora.Backward(shape, s, n, x, w, a, b, dy, da, db, dx), Flops: (2.0 * n * d * d) + (10.0 * n * d * r));
        }

        foreach (var (name, r, s) in new[] { ("lora_merge_4096x4096_r8", 8, 2f), ("lora_merge_4096x4096_r64", 64, 0.25f) })
        {
            const int d = 4096;
            var shape = new LoraShape(d, d, r);
            float[] w = Normal(random, d * d), a = Normal(random, r * d), b = Normal(random, d * r);
            yield return new BenchmarkCase(name, () => Lora.MergeInto(shape, s, w, a, b), Bytes: 2.0 * d * d * 4);
        }

        {
            const int n = 512, d = 4096, k = 64;
            var shape = new AdapterShape(d, k);
            float[] x = Normal(random, n * d), down = Normal(random, k * d), up = Normal(random, d * k);
            float[] bd = Normal(random, k), bu = Normal(random, d), pre = new float[n * k], y = new float[n * d];
            yield return new BenchmarkCase("adapter_forward_512x4096_b64", () => Adapter.Forward(shape, AdapterActivation.Relu, n, x, down, bd, up, bu, pre, y), Flops: 4.0 * n * d * k);
        }

        foreach (BenchmarkCase other in OtherKernelCases.All(random))
        {
            yield return other;
        }
    }

    /// <summary>N(0, 1) values, as torch.randn.</summary>
    public static float[] Normal(SeededRandom random, int length)
    {
        var values = new float[length];
        random.FillNormal(values, 0f, 1f);
        return values;
    }
}
