// A frozen embedding slips into the optimizer group next to the prompt-tuning vectors.
using FineTuneGuard; using FineTuneGuard.Attention; using FineTuneGuard.Optimization;

namespace Corpus.LayersFrozenInOptimizerGroup;

[PromptTuning(20, 1024)]
public partial class SoftPrompt { }

public sealed class PromptTunedModel
{
    [Frozen] public float[] TokenEmbeddings = new float[32000 * 1024];
    [Trainable] public float[] PromptVectors = new float[20 * 1024];
    public SoftPrompt Prompt = new();

    public AdamW BuildOptimizer()
    {
        var group = new ParameterGroup("prompt", 3e-2f, weightDecay: 0f);
        group.Add(new Parameter("prompt", PromptVectors));
        group.Add(new Parameter("embeddings", TokenEmbeddings)); // expect: FTG0003
        return new AdamW(new[] { group });
    }
}
