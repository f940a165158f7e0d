// ORPO: SFT loss plus an odds-ratio term, no reference model by design.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchOrpoTrainer;

public static class Orpo
{
    public static Tensor Loss(Tensor chosenNll, Tensor chosenAvgLogp, Tensor rejectedAvgLogp, double lambda)
    {
        var logOddsChosen = chosenAvgLogp - (1.0 - torch.exp(chosenAvgLogp));
        var logOddsRejected = rejectedAvgLogp - (1.0 - torch.exp(rejectedAvgLogp));
        var ratio = nn.functional.logsigmoid(logOddsChosen - logOddsRejected);
        return (chosenNll - ratio * lambda).mean();
    }
}
