// SimPO: reference-free by design (length-normalised log-probs and a target margin gamma). No reference is needed.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchSimPoTrainer;

public sealed class SimPoTrainer
{
    private readonly double beta = 2.0;
    private readonly double gamma = 0.5;

    public Tensor Loss(Tensor chosenLogps, Tensor rejectedLogps, Tensor chosenLengths, Tensor rejectedLengths)
    {
        var chosenReward = chosenLogps / chosenLengths;
        var rejectedReward = rejectedLogps / rejectedLengths;
        return -nn.functional.logsigmoid(beta * (chosenReward - rejectedReward) - gamma).mean();
    }
}
