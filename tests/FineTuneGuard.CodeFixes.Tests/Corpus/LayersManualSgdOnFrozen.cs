// A hand-rolled SGD step that updates every array it is given, frozen base weight included; the merge is fine.
using FineTuneGuard; using FineTuneGuard.Kernels;

namespace Corpus.LayersManualSgdOnFrozen;

[LoraLayer(256, 256, Rank = 4, Alpha = 8)]
public partial class ProjectionLora { }

public sealed class Projection
{
    [Frozen] public float[] Weight = new float[256 * 256];
    [Trainable] public float[] Bias = new float[256];
    public ProjectionLora Lora = new();

    public void SgdStep(float[] gradWeight, float[] gradBias, float learningRate)
    {
        for (int i = 0; i < Weight.Length; i++)
        {
            Weight[i] -= learningRate * gradWeight[i]; // expect: FTG0003
        }

        for (int i = 0; i < Bias.Length; i++)
        {
            Bias[i] -= learningRate * gradBias[i];
        }
    }

    public void MergeForInference() => Lora.MergeInto(Weight);
}
