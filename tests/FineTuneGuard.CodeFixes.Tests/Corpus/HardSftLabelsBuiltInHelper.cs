// Hard case: the labels are the raw ids, but they are built in a helper; the step only sees an opaque call.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.HardSftLabelsBuiltInHelper;

public sealed class SftLoop
{
    private static Tensor BuildLabels(Tensor inputIds) => inputIds.clone();

    public Tensor Step(nn.Module<Tensor, Tensor> model, Tensor inputIds, long vocab)
    {
        var labels = BuildLabels(inputIds);
        var logits = model.call(inputIds);
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1)); // expect: FTG0001
    }
}
