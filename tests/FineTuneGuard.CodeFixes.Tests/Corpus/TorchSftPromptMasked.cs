// The same step done right: prompt positions get -100, which cross_entropy ignores by default.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchSftPromptMasked;

public sealed class SftTrainer
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly long vocab;

    public SftTrainer(nn.Module<Tensor, Tensor> model, long vocab)
    {
        this.model = model;
        this.vocab = vocab;
    }

    public Tensor TrainingStep(Tensor input_ids, long promptLength, long padTokenId)
    {
        var logits = model.call(input_ids);
        var labels = input_ids.clone();
        labels.index_put_(-100, TensorIndex.Ellipsis, TensorIndex.Slice(stop: promptLength));
        labels.masked_fill_(input_ids.eq(padTokenId), -100);
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1));
    }
}
