// Look-alike: domain-adaptive pre-training with a LoRA adapter: every token of the domain text is a target.
using FineTuneGuard; using FineTuneGuard.Kernels; using FineTuneGuard.Losses;

namespace Corpus.ApiDomainAdaptationLora;

[LoraLayer(2048, 2048, Rank = 16, Alpha = 32)]
public partial class DomainLora { }

public sealed class DomainAdaptation
{
    [Frozen] public float[] Projection = new float[2048 * 2048];
    public DomainLora Adapter = new();

    public float Step(float[] logits, int[] inputIds, int vocab, float[] gradLogits)
        => CrossEntropy.UnmaskedLoss(logits, inputIds, vocab, gradLogits);
}
