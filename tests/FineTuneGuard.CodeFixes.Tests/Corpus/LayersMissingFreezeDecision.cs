// A model that gained adapters later: two of its base weights never got a freeze decision.
using FineTuneGuard; using FineTuneGuard.Kernels;

namespace Corpus.LayersMissingFreezeDecision;

[BottleneckAdapter(768, 64)]
public partial class OutputAdapter { }

public sealed class EncoderLayer
{
    public float[] AttentionWeight = new float[768 * 768]; // expect: FTG0002
    public float[] FeedForwardWeight { get; set; } = new float[768 * 3072]; // expect: FTG0002
    [Frozen] public float[] LayerNorm = new float[768];
    public OutputAdapter Adapter = new();
    public float[] ActivationCache = new float[768];
    public int HeadCount = 12;
}
