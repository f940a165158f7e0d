// FineTuneGuard layers on a hand-written attention block: every base weight has its freeze decision.
using System.Collections.Generic;
using FineTuneGuard; using FineTuneGuard.Optimization;

namespace Corpus.LayersFrozenBaseModel;

[LoraLayer(512, 512, Rank = 8, Alpha = 16)]
public partial class QueryLora { }

[LoraLayer(512, 512, Rank = 8, Alpha = 16)]
public partial class ValueLora { }

public sealed class AttentionBlock
{
    [Frozen] public float[] QProj { get; } = new float[512 * 512];
    [Frozen] public float[] KProj { get; } = new float[512 * 512];
    [Frozen] public float[] VProj { get; } = new float[512 * 512];
    [Frozen] public float[] OProj { get; } = new float[512 * 512];
    [Trainable] public float[] NormWeight { get; } = new float[512];
    public QueryLora QLora { get; } = new(seed: 1);
    public ValueLora VLora { get; } = new(seed: 2);
    public float[] GradNorm { get; } = new float[512];

    public IEnumerable<ParameterGroup> OptimizerGroups()
    {
        yield return new ParameterGroup("adapters", 2e-4f, weightDecay: 0f)
        {
            new Parameter("q.lora_A", QLora.A),
            new Parameter("q.lora_B", QLora.B),
            new Parameter("v.lora_A", VLora.A),
            new Parameter("v.lora_B", VLora.B),
        };
        yield return new ParameterGroup("norms", 2e-5f, weightDecay: 0f) { new Parameter("norm", NormWeight) };
    }
}
