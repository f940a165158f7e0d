using FineTuneGuard.Attention;

namespace FineTuneGuard.Tests.Attention;

/// <summary>
/// Central finite differences of L = Σ dO∘o (o from the double reference forward) against the kernel's float gradients for
/// every input, prefix keys and values included; and against the reference backward, which the other tests rely on.
/// </summary>
public class CausalAttentionGradientTests
{
    [Theory]
    [InlineData(1, 2, 1, 5, 3, 2)]
    [InlineData(2, 2, 2, 4, 4, 1)]
    [InlineData(1, 1, 1, 1, 2, 0)]
    [InlineData(1, 4, 2, 3, 5, 3)]
    public void GradientsMatchFiniteDifferences(int batch, int heads, int kvHeads, int t, int headDim, int p)
    {
        var shape = new AttentionShape(batch, heads, kvHeads, t, headDim, p);
        var data = new AttentionTestData(shape, seed: 100 + (ulong)(t * headDim));
        AttentionTestData.Run run = data.Compute();
        AttentionReference.Gradients reference = data.ReferenceGradients();
        double[] q = AttentionTestData.D(data.Q), k = AttentionTestData.D(data.K), v = AttentionTestData.D(data.V);
        double[] pk = AttentionTestData.D(data.PrefixKeys), pv = AttentionTestData.D(data.PrefixValues);
        double[] dOutput = AttentionTestData.D(data.DOutput);
        double Loss() => AttentionReference.Forward(shape, q, k, v, pk, pv).Output.Zip(dOutput, (o, g) => o * g).Sum();

        Check("q", q, run.Dq, reference.Dq);
        Check("k", k, run.Dk, reference.Dk);
        Check("v", v, run.Dv, reference.Dv);
        Check("prefixKeys", pk, run.DPrefixKeys, reference.DPrefixKeys);
        Check("prefixValues", pv, run.DPrefixValues, reference.DPrefixValues);

        void Check(string name, double[] input, float[] kernel, double[] analytic)
        {
            const double h = 1e-5;
            var numeric = new double[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                double saved = input[i];
                input[i] = saved + h;
                double plus = Loss();
                input[i] = saved - h;
                double minus = Loss();
                input[i] = saved;
                numeric[i] = (plus - minus) / (2 * h);
            }

            Close.All($"reference d{name}", numeric, analytic.Select(x => (float)x).ToArray(), 1e-5, 1e-4);
            Close.All($"kernel d{name}", numeric, kernel, 2e-5, 2e-4);
        }
    }
}
