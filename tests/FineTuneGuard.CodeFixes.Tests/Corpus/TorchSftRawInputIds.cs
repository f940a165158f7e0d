// An instruction-tuning step that copies the input ids into the labels and shifts them: prompt tokens are trained on.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchSftRawInputIds;

public sealed class SftTrainer
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly long vocab;

    public SftTrainer(nn.Module<Tensor, Tensor> model, long vocab)
    {
        this.model = model;
        this.vocab = vocab;
    }

    public Tensor TrainingStep(Tensor input_ids)
    {
        var logits = model.call(input_ids);
        var shiftLogits = logits[TensorIndex.Ellipsis, TensorIndex.Slice(stop: -1), TensorIndex.Colon];
        var labels = input_ids.clone();
        var shiftLabels = labels[TensorIndex.Ellipsis, TensorIndex.Slice(start: 1)];
        return nn.functional.cross_entropy(
            shiftLogits.reshape(-1, vocab),
            shiftLabels.reshape(-1)); // expect: FTG0001
    }
}
