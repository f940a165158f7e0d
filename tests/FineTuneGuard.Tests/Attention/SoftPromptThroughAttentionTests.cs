using FineTuneGuard.Attention;
using FineTuneGuard.Numerics;

namespace FineTuneGuard.Tests.Attention;

/// <summary>
/// Prompt tuning end to end on a one-head toy layer: Y = [P; X] used as queries, keys and values of causal attention
/// (heads = 1, headDim = embeddingDim, so (batch, tokens, dim) is already the (batch, 1, tokens, d) layout). The prompt
/// gradient from BackwardSlice(dq + dk + dv) must match central differences of L = Σ dO∘attention([P; X]).
/// </summary>
public class SoftPromptThroughAttentionTests
{
    [Fact]
    public void PromptGradientThroughAttentionMatchesFiniteDifferences()
    {
        var prompt = new SoftPromptShape(2, 3, 4, 6);
        var attention = new AttentionShape(prompt.Batch, 1, 1, prompt.TotalTokens, prompt.EmbeddingDim);
        var random = new SeededRandom(12);
        float[] p = AttentionTestData.Fill(random, prompt.PromptLength, 1f);
        float[] x = AttentionTestData.Fill(random, prompt.EmbeddingsLength, 1f);
        float[] dO = AttentionTestData.Fill(random, attention.QueryLength, 1f);

        var y = new float[prompt.OutputLength];
        SoftPrompt.Prepend(prompt, p, x, y);
        var output = new float[attention.QueryLength];
        var lse = new float[attention.LogSumExpLength];
        CausalAttention.Forward(attention, y, y, y, default, default, output, lse);
        var dq = new float[attention.QueryLength];
        var dk = new float[attention.KeyValueLength];
        var dv = new float[attention.KeyValueLength];
        CausalAttention.Backward(attention, y, y, y, default, default, output, lse, dO, dq, dk, dv, default, default);
        float[] dY = dq.Zip(dk, (a, b) => a + b).Zip(dv, (a, b) => a + b).ToArray();
        var dPrompt = new float[prompt.PromptLength];
        SoftPrompt.BackwardSlice(prompt, dY, dPrompt, default);

        double[] pd = AttentionTestData.D(p);
        double[] xd = AttentionTestData.D(x);
        double[] dOd = AttentionTestData.D(dO);
        double Loss()
        {
            int row = prompt.TotalTokens * prompt.EmbeddingDim;
            var prepended = new double[prompt.OutputLength];
            for (int b = 0; b < prompt.Batch; b++)
            {
                Array.Copy(pd, 0, prepended, b * row, pd.Length);
                Array.Copy(xd, b * prompt.Tokens * prompt.EmbeddingDim, prepended, (b * row) + pd.Length, prompt.Tokens * prompt.EmbeddingDim);
            }

            return AttentionReference.Forward(attention, prepended, prepended, prepended, [], []).Output.Zip(dOd, (o, g) => o * g).Sum();
        }

        const double h = 1e-5;
        var numeric = new double[pd.Length];
        for (int i = 0; i < pd.Length; i++)
        {
            double saved = pd[i];
            pd[i] = saved + h;
            double plus = Loss();
            pd[i] = saved - h;
            double minus = Loss();
            pd[i] = saved;
            numeric[i] = (plus - minus) / (2 * h);
        }

        Close.All("dPrompt", numeric, dPrompt, 2e-5, 5e-4);
    }
}
