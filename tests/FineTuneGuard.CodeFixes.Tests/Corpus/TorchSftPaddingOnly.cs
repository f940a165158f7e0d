// A chat fine-tune that remembers the padding but forgets the prompt.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchSftPaddingOnly;

public static class ChatFineTuning
{
    public static Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor input_ids, long pad_token_id, long vocab)
    {
        var logits = model.call(input_ids);
        var isPad = input_ids.eq(pad_token_id);
        var labels = input_ids.masked_fill(isPad, -100);
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1)); // expect: FTG0001
    }
}
