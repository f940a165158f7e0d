// Per-token cross-entropy: the masked average is right, the plain mean() divides by ignored positions too.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchSftPerTokenMean;

public static class SftLosses
{
    public static Tensor Diluted(Tensor logits, Tensor labels)
    {
        var perToken = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
        return perToken.mean(); // expect: FTG0001
    }

    public static Tensor AnswerOnly(Tensor logits, Tensor labels, Tensor answerMask)
    {
        var perToken = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
        return (perToken * answerMask).sum() / answerMask.sum();
    }
}
